// POSTing to a URL that a user named (pipeline webhooks), under the same defences against
// server-side request forgery as URL imports (url_connection.h): http and https only, the
// host on the admin's allow-list, every resolved address checked and then connected to as
// checked. Redirects are not followed. Thread-safe: every call uses its own connection.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "data/url_fetch.h"

namespace aimass::data {

struct PostRequest {
  std::string url;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // more header fields
  std::string body;
};

struct PostAnswer {
  int status = 0;      // the HTTP status the server answered, 3xx included
  std::string reason;  // its reason phrase
};

// Sends `request` and reads the answer's status line and header. Fails when no answer came
// (a refused URL or host, connecting, TLS, a time limit: FetchOptions' io_timeout and
// total_timeout); judging the status is the caller's.
Result<PostAnswer> PostToUrl(const PostRequest& request, const FetchOptions& options);

}  // namespace aimass::data
