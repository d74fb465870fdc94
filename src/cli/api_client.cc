#include "cli/api_client.h"

#include <array>

namespace aimass::cli {
namespace {

using nlohmann::json;

constexpr std::string_view kApiPrefix = "/api/v1";

ErrorCode CodeFromName(std::string_view name, int status) {
  static constexpr std::array kCodes = {
      ErrorCode::kInvalidArgument,  ErrorCode::kUnauthenticated, ErrorCode::kPermissionDenied,
      ErrorCode::kNotFound,         ErrorCode::kConflict,        ErrorCode::kPayloadTooLarge,
      ErrorCode::kUnsupportedMedia, ErrorCode::kCancelled,       ErrorCode::kInternal,
      ErrorCode::kUnavailable,      ErrorCode::kDeadlineExceeded};
  for (ErrorCode code : kCodes) {
    if (ErrorCodeName(code) == name) return code;
  }
  for (ErrorCode code : kCodes) {
    if (HttpStatusFor(code) == status) return code;
  }
  return status >= 500 ? ErrorCode::kInternal : ErrorCode::kInvalidArgument;
}

std::string Snippet(const std::string& body) {
  std::string text = body.substr(0, 200);
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return body.size() > 200 ? text + "..." : text;
}

}  // namespace

Error ErrorFromResponse(const HttpResponse& response, std::string_view server) {
  json body = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_object() && body.contains("error") && body["error"].is_object()) {
    const json& error = body["error"];
    std::string name = error.value("code", "");
    std::string message = error.contains("message") && error["message"].is_string()
                              ? error["message"].get<std::string>()
                              : "";
    if (message.empty()) message = "the server answered HTTP " + std::to_string(response.status);
    return Error{CodeFromName(name, response.status), message};
  }
  ErrorCode code = CodeFromName("", response.status);
  std::string message =
      "the server at " + std::string(server) + " answered HTTP " + std::to_string(response.status);
  if (response.status == 401) {
    message += ": the token was refused; log in again with `aimass login` or check AIMASS_TOKEN";
  } else if (response.status == 404) {
    message += " (not found); is " + std::string(server) + " an aimass server?";
  } else if (!response.body.empty()) {
    message += ": " + Snippet(response.body);
  }
  return Error{code, message};
}

ApiClient::ApiClient(ServerUrl url, std::string token, HttpClientOptions options)
    : http_(std::move(url), {{"Authorization", "Bearer " + token}}, options) {}

Result<json> ApiClient::DecodeJson(Result<HttpResponse> response) {
  if (!response) return Fail(std::move(response).error());
  if (response->status < 200 || response->status >= 300) {
    return Fail(ErrorFromResponse(*response, url().ToString()));
  }
  if (response->body.empty()) return json();
  json body = json::parse(response->body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    return Fail(ErrorCode::kInternal,
                "the server at " + url().ToString() +
                    " answered with text that is not JSON: " + Snippet(response->body));
  }
  return body;
}

Result<json> ApiClient::Get(std::string_view path) {
  return DecodeJson(http_.Get(std::string(kApiPrefix) + std::string(path)));
}

Result<std::string> ApiClient::GetText(std::string_view path) {
  AIMASS_ASSIGN_OR_RETURN(HttpResponse response,
                          http_.Get(std::string(kApiPrefix) + std::string(path)));
  if (response.status < 200 || response.status >= 300) {
    return Fail(ErrorFromResponse(response, url().ToString()));
  }
  return std::move(response.body);
}

Result<json> ApiClient::Post(std::string_view path, const json& body) {
  return DecodeJson(http_.Post(std::string(kApiPrefix) + std::string(path), body.dump()));
}

Result<json> ApiClient::Put(std::string_view path, const json& body) {
  return DecodeJson(http_.Put(std::string(kApiPrefix) + std::string(path), body.dump()));
}

Result<json> ApiClient::Patch(std::string_view path, const json& body) {
  return DecodeJson(http_.Patch(std::string(kApiPrefix) + std::string(path), body.dump()));
}

Status ApiClient::Delete(std::string_view path) {
  AIMASS_ASSIGN_OR_RETURN(HttpResponse response,
                          http_.Delete(std::string(kApiPrefix) + std::string(path)));
  if (response.status < 200 || response.status >= 300) {
    return Fail(ErrorFromResponse(response, url().ToString()));
  }
  return Ok();
}

Result<json> ApiClient::PostFile(std::string_view path, const std::filesystem::path& file,
                                 const HttpClient::ProgressFn& progress) {
  return DecodeJson(http_.PostFile(std::string(kApiPrefix) + std::string(path), file,
                                   "application/octet-stream", progress));
}

Status ApiClient::Download(std::string_view path, const HttpClient::BodySink& sink,
                           const HttpClient::ProgressFn& progress) {
  AIMASS_ASSIGN_OR_RETURN(
      HttpResponse response,
      http_.Download(std::string(kApiPrefix) + std::string(path), sink, progress));
  if (response.status < 200 || response.status >= 300) {
    return Fail(ErrorFromResponse(response, url().ToString()));
  }
  return Ok();
}

Status ApiClient::ReadEvents(std::string_view path, const SseParser::EventHandler& on_event) {
  AIMASS_ASSIGN_OR_RETURN(HttpResponse response,
                          http_.ReadEvents(std::string(kApiPrefix) + std::string(path), on_event));
  if (response.status < 200 || response.status >= 300) {
    return Fail(ErrorFromResponse(response, url().ToString()));
  }
  return Ok();
}

}  // namespace aimass::cli
