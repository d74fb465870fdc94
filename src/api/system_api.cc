// Health, version and whoami; helpers every handler shares.
#include <charconv>

#include "api/routes.h"
#include "data/engine.h"
#include "http/response.h"
#include "monitor/text_format.h"

namespace aimass::api {
using http::Access;
using http::JsonResponse;
using nlohmann::json;

http::Response ErrorOf(const Error& error) { return http::ErrorResponse(error); }

Result<int64_t> ParseCount(std::string_view text, std::string_view what, int64_t fallback) {
  if (text.empty()) return fallback;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0) {
    return Fail(
        ErrorCode::kInvalidArgument,
        std::string(what) + " must be a whole number >= 0, not '" + std::string(text) + "'");
  }
  return value;
}

void AddSystemRoutes(http::Router& router, const SystemInfo& info) {
  router.Add(http::Quick(
      {"GET", "/v2/health/live", Access::kPublic, http::BodyMode::kBuffered, [](http::Request&) {
         return JsonResponse(200, {{"live", true}});
       }}));
  router.Add(http::Quick({"GET", "/v2/health/ready", Access::kPublic, http::BodyMode::kBuffered,
                          [ready = info.ready](http::Request&) {
                            bool is_ready = ready == nullptr || ready->load();
                            // The Open Inference Protocol: 200 for ready, a 4xx for not ready.
                            return JsonResponse(is_ready ? 200 : 400, {{"ready", is_ready}});
                          }}));
  router.Add({"GET", "/api/v1/version", Access::kPublic, http::BodyMode::kBuffered,
              [version = info.version](http::Request&) {
                return JsonResponse(
                    200,
                    {{"name", "aimass"}, {"version", version}, {"duckdb", data::DuckDbVersion()}});
              }});
  router.Add(http::Quick({"GET", "/api/v1/whoami", Access::kUser, http::BodyMode::kBuffered,
                          [](http::Request& request) {
                            return JsonResponse(200, {{"user", request.principal.user_name},
                                                      {"is_admin", request.principal.is_admin}});
                          }}));
}

void AddMetricsRoute(http::Router& router, const monitor::MetricsRegistry& metrics) {
  router.Add(http::Quick(
      {"GET", "/metrics", Access::kPublic, http::BodyMode::kBuffered, [&metrics](http::Request&) {
         http::Response response;
         response.content_type = std::string(monitor::kExpositionContentType);
         response.body = metrics.Expose();
         return response;
       }}));
}

}  // namespace aimass::api
