// The aimass REST API (docs/api.md) as the CLI sees it: JSON in and out, errors as values.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "cli/http_client.h"
#include "common/status.h"

namespace aimass::cli {

// Turns an answer that is not 2xx into an Error: the code and message of the body's
// {"error":{"code","message"}}, or, for a body that is not one, the HTTP status and a hint.
Error ErrorFromResponse(const HttpResponse& response, std::string_view server);

// Calls /api/v1 routes with the bearer token. Paths are relative to /api/v1 ("/jobs/7");
// answers outside 2xx become errors with the server's message. Not thread-safe.
class ApiClient {
 public:
  ApiClient(ServerUrl url, std::string token, HttpClientOptions options = {});

  const ServerUrl& url() const { return http_.url(); }

  Result<nlohmann::json> Get(std::string_view path);
  // GET of a text/plain answer (job logs).
  Result<std::string> GetText(std::string_view path);
  Result<nlohmann::json> Post(std::string_view path, const nlohmann::json& body);
  Result<nlohmann::json> Put(std::string_view path, const nlohmann::json& body);
  Result<nlohmann::json> Patch(std::string_view path, const nlohmann::json& body);
  // DELETE; the answer body (usually none, 204) is ignored.
  Status Delete(std::string_view path);
  // POSTs the file as the body, streamed, and decodes the JSON answer.
  Result<nlohmann::json> PostFile(std::string_view path, const std::filesystem::path& file,
                                  const HttpClient::ProgressFn& progress);
  Status Download(std::string_view path, const HttpClient::BodySink& sink,
                  const HttpClient::ProgressFn& progress);
  // Reads an event stream until `on_event` returns false or the stream ends.
  Status ReadEvents(std::string_view path, const SseParser::EventHandler& on_event);

 private:
  Result<nlohmann::json> DecodeJson(Result<HttpResponse> response);

  HttpClient http_;
};

// The path segment form of a value: "a b" -> "a%20b".
inline std::string Segment(std::string_view value) { return UrlEncode(value); }

}  // namespace aimass::cli
