// The status line and header fields of an answer, written as text in one pass (Beast's
// field container allocated and sorted a node per field, a tenth of a prediction's CPU).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "http/response.h"

namespace aimass::http {

struct HeadOptions {
  std::string_view request_id;
  bool tls = false;          // adds Strict-Transport-Security, and Secure to every cookie
  bool keep_alive = true;    // false: "Connection: close"
  bool chunked = false;      // the body follows in chunks: "Transfer-Encoding: chunked"
};

// "HTTP/1.1 <status> <reason>", then Server, X-Request-Id, the security headers, the
// content type, the handler's own fields (each replaces a default of the same name), the
// framing, and the blank line. Without `chunked`, Content-Length is response.body's size,
// except on 1xx, 204 and 304 answers, which have no body. A CR or LF inside a value becomes
// a space, so no value can start another field.
std::string ResponseHead(const Response& response, const HeadOptions& options);

// True for the statuses whose answers carry no body (1xx, 204, 304).
bool HasNoBody(int status);

}  // namespace aimass::http
