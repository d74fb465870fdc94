#include "http/response.h"

namespace aimass::http {

Response JsonResponse(int status, const nlohmann::json& body) {
  Response response;
  response.status = status;
  // Replace invalid UTF-8 rather than throw: a handler's stray byte must not become a 500.
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

Response ErrorResponse(const Error& error) {
  return ErrorResponse(HttpStatusFor(error.code), ErrorCodeName(error.code), error.message);
}

Response ErrorResponse(int status, std::string_view code, std::string_view message) {
  return JsonResponse(
      status, {{"error", {{"code", std::string(code)}, {"message", std::string(message)}}}});
}

}  // namespace aimass::http
