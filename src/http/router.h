// Routes: which handler answers which method and path pattern, and who may call it.
#pragma once

#include <expected>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "http/request.h"
#include "http/response.h"

namespace aimass::http {

// Who may call a route.
enum class Access {
  kPublic,   // anyone, no token
  kUser,     // a token with the read scope for GET and HEAD, with write for the rest
  kPredict,  // a token that may predict (predict, write or admin scope); one limited to an
             // endpoint only for the route whose {name} is that endpoint
  kAdmin,    // an admin's token with the admin scope
};

// How a route receives its body.
enum class BodyMode {
  kBuffered,  // in Request::body, up to ServerOptions::max_body_bytes
  kFile,      // streamed to a temp file in upload_dir, up to max_upload_bytes; may exceed memory
};

// Called on an io thread; must be short (hand long work to a job or a Response::stream).
using Handler = std::function<Response(Request&)>;

// A second check after a route's Access passed: whether the caller may touch what the
// route's parameters name (the project a dataset belongs to, say). Its error is the answer.
using ParamCheck =
    std::function<Status(const Principal&, const std::map<std::string, std::string>& params)>;

struct Route {
  std::string method;  // "GET"
  // "/api/v1/datasets/{name}/versions/{v}": literal segments and {name} parameters; a last
  // segment "{name...}" takes the rest of the path, slashes included.
  std::string pattern;
  Access access = Access::kUser;
  BodyMode body = BodyMode::kBuffered;
  Handler handler;
  ParamCheck param_check = {};  // none when empty; Router::AddParamChecks sets it
  // A handler that answers in microseconds to a millisecond (a prediction, a health check)
  // runs on the connection's io thread; every other handler runs on the server's handler
  // threads and its answer goes back to the io thread (a hop that costs more than a quick
  // handler takes).
  bool quick = false;
};

// `route`, marked quick.
inline Route Quick(Route route) {
  route.quick = true;
  return route;
}

// The permission a route needs, in the words `GET /api/v1/routes` lists: "none", "read",
// "write", "predict" or "admin".
std::string_view RequiredPermission(const Route& route);

// Whether `principal` may call `route` with these (decoded) route parameters, by its Access
// and then its param_check; the error is the 403 answer's message.
Status CheckPermission(const Route& route, const Principal& principal,
                       const std::map<std::string, std::string>& params);

// The route found for a request, with the decoded values of its {name} segments.
struct RouteMatch {
  const Route* route = nullptr;
  std::map<std::string, std::string> params;
};

// A table of routes. Built before the server starts and read-only after, so lookups are
// safe from many threads at once; Add is not thread-safe.
class Router {
 public:
  // Adds a route. A pattern must start with '/'; adding the same method and pattern twice
  // is a programming error (asserted).
  void Add(Route route);

  // Finds the route for `method` and the raw (still percent-encoded) `path`. A literal
  // segment wins over a {param} at the first place two patterns differ; one trailing
  // slash is ignored. Errors as JSON responses: 404 when no pattern matches the path,
  // 405 (with an Allow header) when patterns match only with other methods, 400 when the
  // path has a malformed %-escape.
  std::expected<RouteMatch, Response> Find(std::string_view method, std::string_view path) const;

  // The route that answers GET requests whose path no pattern matches, except paths
  // under /api/ and /v2/ and /metrics (the web console's files and its client-side pages). Its
  // `pattern` is only a name for logs; the request's decoded path is its "path" parameter.
  // Like Add, before the server starts.
  void SetFallback(Route route);
  const std::optional<Route>& fallback() const { return fallback_; }

  // Every route, in the order added: the one route table that says who may call what.
  std::vector<const Route*> routes() const;
  // Gives each route the check `check_for` returns for it (an empty one leaves it as it
  // was). Like Add, before the server starts.
  void AddParamChecks(const std::function<ParamCheck(const Route&)>& check_for);

 private:
  struct Segment {
    std::string text;  // the literal, or the parameter's name
    bool is_param = false;
    bool is_rest = false;  // {name...}
  };
  struct Entry {
    Route route;
    std::vector<Segment> segments;
  };

  static bool Match(const Entry& entry, const std::vector<std::string_view>& raw,
                    std::map<std::string, std::string>* params);
  // True when a's segments are more specific than b's (literal before param).
  static bool MoreSpecific(const Entry& a, const Entry& b);

  std::vector<Entry> entries_;
  std::optional<Route> fallback_;
};

}  // namespace aimass::http
