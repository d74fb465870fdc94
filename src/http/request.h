// An HTTP request as a handler sees it: decoded path, query and route parameters, the
// body (in memory or in a temp file) and the authenticated caller.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/scopes.h"

namespace aimass::http {

// Who is calling: set by the server from the bearer token for every non-public route.
struct Principal {
  int64_t user_id = 0;
  std::string user_name;
  bool is_admin = false;  // the user is an admin (what the token may do is `scopes`)
  Scopes scopes;
  std::string endpoint;  // a predict token limited to this endpoint; "" for any
  int64_t token_id = 0;  // the token (or login session) that authenticated the request
};

// One parsed request. Built by the server on an io thread and handed to one handler; not
// shared between threads.
struct Request {
  std::string method;                          // "GET"
  std::string target;                          // raw target, with query
  std::string path;                            // percent-decoded path, no query
  std::map<std::string, std::string> query;    // decoded query parameters
  std::map<std::string, std::string> params;   // the route pattern's {name} segments, decoded
  std::string body;                            // BodyMode::kBuffered
  // BodyMode::kFile: a temp file in upload_dir holding the body. The handler may rename it
  // away; whatever is still there after the handler returns is deleted.
  std::filesystem::path body_file;
  uint64_t body_size = 0;
  std::string request_id;  // X-Request-Id from the client if sane, else a generated one
  Principal principal;     // set for non-public routes
  // Header fields in arrival order, names as sent.
  std::vector<std::pair<std::string, std::string>> headers;

  // The first header field named `name` (case-insensitive), or "" if absent.
  std::string Header(std::string_view name) const;
  // The decoded query parameter `name`, or `fallback` if absent.
  std::string Query(std::string_view name, std::string_view fallback = "") const;

  // Empties every field, keeping allocated capacity for the next request on a connection.
  void Clear();
};

}  // namespace aimass::http
