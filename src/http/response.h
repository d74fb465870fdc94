// An HTTP response as a handler returns it, and helpers for the JSON shapes of the API.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace aimass::http {

// Writes one chunk of a streamed body. Returns false once the client is gone or the server
// is stopping; the stream function should then return.
using ChunkWriter = std::function<bool(std::string_view chunk)>;

// What a handler answers. A plain value; not shared between threads.
struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra header fields
  // When set, the body is produced by this function instead of `body` and sent with chunked
  // transfer encoding (server-sent events, file exports), and the connection closes after
  // it. It runs on a dedicated thread (not an io thread) and calls `write` for each chunk.
  // An error it returns is logged; the client sees the stream end early.
  std::function<Status(const ChunkWriter& write)> stream;
};

// `status` with `body` serialized as JSON.
Response JsonResponse(int status, const nlohmann::json& body);

// {"error":{"code":"not_found","message":...}} with status HttpStatusFor(error.code).
Response ErrorResponse(const Error& error);

// The same JSON shape for HTTP-level errors that have no ErrorCode (405, 408, 431).
Response ErrorResponse(int status, std::string_view code, std::string_view message);

}  // namespace aimass::http
