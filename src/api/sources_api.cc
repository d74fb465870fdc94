// /api/v1/sources: the DataLake's sources (data/sources/README.md) — create, list, show
// with their state, change, pause, resume, run now, delete. Who may reach a source is the
// ProjectGate's; kinds that read the server (directory) are for admins only.
#include "api/json_views.h"
#include "api/routes.h"
#include "common/project_scope.h"
#include "common/time_format.h"
#include "http/response.h"

namespace aimass::api {
using http::Access;
using http::BodyMode;
using http::JsonResponse;
using nlohmann::json;

namespace {

constexpr std::string_view kExample =
    R"({"name":"inbox","kind":"directory","dataset":"events","config":{"path":"/srv/inbox","pattern":"*.csv","interval":"10s"}})";

json OptionalTime(const std::optional<int64_t>& millis) {
  return millis ? json(IsoTime(*millis)) : json(nullptr);
}

json SourceJson(const store::SourceRecord& source) {
  const store::SourceRunState& state = source.state;
  json config = json::parse(source.config_json, nullptr, false);
  return {{"name", source.name},
          {"kind", source.kind},
          {"dataset", source.dataset},
          {"config", config.is_discarded() ? json::object() : config},
          {"enabled", source.enabled},
          {"project", source.project},
          {"created_by", source.created_by},
          {"created_at", IsoTime(source.created_at)},
          {"updated_at", IsoTime(source.updated_at)},
          {"state",
           {{"last_run_at", OptionalTime(state.last_run_at)},
            {"last_success_at", OptionalTime(state.last_success_at)},
            {"rows_taken", state.rows_taken},
            {"batches", state.batches},
            {"last_rows", state.last_rows},
            {"lag_seconds", state.lag_ms ? json(*state.lag_ms / 1000.0) : json(nullptr)},
            {"error", state.error.empty() ? json(nullptr) : json(state.error)},
            {"failures", state.failures},
            {"next_run_at", source.enabled ? json(IsoTime(state.next_run_at)) : json(nullptr)},
            {"job", state.job_id == 0 ? json(nullptr) : json(state.job_id)}}}};
}

Result<data::sources::NewSource> NewSourceOf(const json& body) {
  for (const char* key : {"name", "kind", "dataset"}) {
    if (!body.contains(key) || !body[key].is_string()) {
      return Fail(
          ErrorCode::kInvalidArgument,
          "'" + std::string(key) + "' is missing or not a string; send " + std::string(kExample));
    }
  }
  data::sources::NewSource source;
  source.name = body["name"].get<std::string>();
  source.kind = body["kind"].get<std::string>();
  source.dataset = body["dataset"].get<std::string>();
  source.config = body.value("config", json::object());
  if (!source.config.is_object()) {
    return Fail(ErrorCode::kInvalidArgument,
                "'config' must be a JSON object; send " + std::string(kExample));
  }
  return source;
}

http::Response Answer(const Result<store::SourceRecord>& source, int status = 200) {
  return source ? JsonResponse(status, {{"source", SourceJson(*source)}}) : ErrorOf(source.error());
}

}  // namespace

void AddSourceRoutes(http::Router& router, data::sources::SourceService& sources,
                     ProjectGate& gate) {
  router.Add({"GET", "/api/v1/sources", Access::kUser, BodyMode::kBuffered,
              [&sources, &gate](http::Request& request) {
                auto readable = gate.Readable(request.principal, request.Query("project"));
                if (!readable) return ErrorOf(readable.error());
                auto list = sources.List(*readable);
                if (!list) return ErrorOf(list.error());
                json items = json::array();
                for (const auto& source : *list) items.push_back(SourceJson(source));
                return JsonResponse(200, {{"sources", items}});
              }});
  router.Add(
      {"POST", "/api/v1/sources", Access::kUser, BodyMode::kBuffered,
       [&sources, &gate](http::Request& request) {
         auto body = ObjectBody(request, kExample);
         if (!body) return ErrorOf(body.error());
         auto source = NewSourceOf(*body);
         if (!source) return ErrorOf(source.error());
         // The source joins its dataset's project (or the one named, for a new one).
         auto project = gate.IntoBodyProject(request.principal, store::ProjectResource::kDataset,
                                             source->dataset, *body);
         if (!project) return ErrorOf(project.error());
         ProjectScope scope(*project);
         return Answer(sources.Create(*source, request.principal.is_admin), 201);
       }});
  router.Add({"GET", "/api/v1/sources/{name}", Access::kUser, BodyMode::kBuffered,
              [&sources](http::Request& request) {
                return Answer(sources.Get(request.params.at("name")));
              }});
  router.Add({"PUT", "/api/v1/sources/{name}", Access::kUser, BodyMode::kBuffered,
              [&sources](http::Request& request) {
                auto body = ObjectBody(request, R"({"config":{"path":"/srv/inbox"}})");
                if (!body) return ErrorOf(body.error());
                if (!body->value("config", json()).is_object()) {
                  return ErrorOf({ErrorCode::kInvalidArgument,
                                  "send the whole new config, like {\"config\":{\"path\":"
                                  "\"/srv/inbox\",\"interval\":\"30s\"}}"});
                }
                return Answer(sources.Update(request.params.at("name"), (*body)["config"],
                                             request.principal.is_admin));
              }});
  router.Add({"DELETE", "/api/v1/sources/{name}", Access::kUser, BodyMode::kBuffered,
              [&sources](http::Request& request) {
                auto deleted = sources.Delete(request.params.at("name"));
                return deleted ? NoContent() : ErrorOf(deleted.error());
              }});
  router.Add({"POST", "/api/v1/sources/{name}/run", Access::kUser, BodyMode::kBuffered,
              [&sources](http::Request& request) {
                auto job = sources.RunNow(request.params.at("name"));
                return job ? JsonResponse(202, {{"job", JobJson(*job)}}) : ErrorOf(job.error());
              }});
  router.Add({"POST", "/api/v1/sources/{name}/pause", Access::kUser, BodyMode::kBuffered,
              [&sources](http::Request& request) {
                return Answer(sources.SetEnabled(request.params.at("name"), false));
              }});
  router.Add({"POST", "/api/v1/sources/{name}/resume", Access::kUser, BodyMode::kBuffered,
              [&sources](http::Request& request) {
                return Answer(sources.SetEnabled(request.params.at("name"), true));
              }});
}

}  // namespace aimass::api
