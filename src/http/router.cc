#include "http/router.h"

#include <algorithm>
#include <cassert>

#include "http/url.h"

namespace aimass::http {

namespace {

// Paths that only the API answers: an unknown one there is a JSON 404, never a console page.
bool IsApiPath(std::string_view path) {
  return path.starts_with("/api/") || path == "/api" || path.starts_with("/v2/") || path == "/v2" ||
         path == "/metrics";
}

// "/a/b/" -> {"a", "b"}; "/" -> {}; "/a//b" -> {"a", "", "b"}.
std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> parts;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path.empty()) return parts;
  size_t start = 0;
  while (true) {
    size_t slash = path.find('/', start);
    parts.push_back(path.substr(start, slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return parts;
}

}  // namespace

std::string_view RequiredPermission(const Route& route) {
  switch (route.access) {
    case Access::kPublic:
      return "none";
    case Access::kPredict:
      return "predict";
    case Access::kAdmin:
      return "admin";
    case Access::kUser:
      return route.method == "GET" || route.method == "HEAD" ? "read" : "write";
  }
  return "admin";
}

Status CheckPermission(const Route& route, const Principal& principal,
                       const std::map<std::string, std::string>& params) {
  const Scopes& scopes = principal.scopes;
  const std::string_view needed = RequiredPermission(route);
  // Runs on every request: the refusal's words are built only when there is one.
  auto refuse = [&](const std::string& why) -> Status {
    const std::string who =
        "the token of user '" + principal.user_name + "' (scopes " + scopes.ToString() + ")";
    return Fail(ErrorCode::kPermissionDenied,
                route.method + " " + route.pattern + ": " + who + " " + why);
  };
  if (needed == "none") return Ok();
  if (needed == "admin") {
    if (principal.is_admin && scopes.CanAdminister()) return Ok();
    return refuse("is not an admin's token with the admin scope, which this route needs");
  }
  if (needed == "predict") {
    if (!scopes.CanPredict()) return refuse("has neither the predict nor the write scope");
    auto name = params.find("name");
    if (!principal.endpoint.empty() &&
        (name == params.end() || name->second != principal.endpoint)) {
      return refuse("may predict only on endpoint '" + principal.endpoint + "'");
    }
    return route.param_check ? route.param_check(principal, params) : Ok();
  }
  if (!principal.endpoint.empty()) {
    return refuse("is limited to predicting on endpoint '" + principal.endpoint + "'");
  }
  if (needed == "read" ? scopes.CanRead() : scopes.CanWrite()) {
    return route.param_check ? route.param_check(principal, params) : Ok();
  }
  return refuse("lacks the " + std::string(needed) + " scope this route needs (`aimass tokens " +
                "create --scopes " + std::string(needed) + "` makes a token that has it)");
}

void Router::AddParamChecks(const std::function<ParamCheck(const Route&)>& check_for) {
  for (auto& entry : entries_) {
    if (ParamCheck check = check_for(entry.route)) entry.route.param_check = std::move(check);
  }
}

void Router::SetFallback(Route route) { fallback_ = std::move(route); }

std::vector<const Route*> Router::routes() const {
  std::vector<const Route*> all;
  for (const auto& entry : entries_) all.push_back(&entry.route);
  return all;
}

void Router::Add(Route route) {
  assert(!route.pattern.empty() && route.pattern.front() == '/');
  Entry entry;
  for (std::string_view part : SplitPath(route.pattern)) {
    Segment segment;
    if (part.size() >= 2 && part.front() == '{' && part.back() == '}') {
      part = part.substr(1, part.size() - 2);
      segment.is_param = true;
      if (part.ends_with("...")) {
        part.remove_suffix(3);
        segment.is_rest = true;
      }
    }
    segment.text = std::string(part);
    entry.segments.push_back(std::move(segment));
  }
  for (const Entry& other : entries_) {
    assert(!(other.route.method == route.method && other.route.pattern == route.pattern));
    (void)other;
  }
  entry.route = std::move(route);
  entries_.push_back(std::move(entry));
}

bool Router::Match(const Entry& entry, const std::vector<std::string_view>& raw,
                   std::map<std::string, std::string>* params) {
  const auto& segments = entry.segments;
  // Without a rest segment, only a path of as many segments can match: most routes are
  // passed over here, before any text is compared.
  if (segments.size() != raw.size() && (segments.empty() || !segments.back().is_rest)) {
    return false;
  }
  if (segments.empty()) return true;  // "/" and a path of no segments
  if (params == nullptr) {
    // Routes share their first segments ("api", "v1"): comparing from the end tells most
    // of them apart at the first comparison.
    const size_t fixed = segments.back().is_rest ? segments.size() - 1 : segments.size();
    if (raw.size() < fixed) return false;
    for (size_t j = fixed; j-- > 0;) {
      const Segment& segment = segments[j];
      if (segment.is_param ? raw[j].empty() : segment.text != raw[j]) return false;
    }
    return true;
  }
  size_t i = 0;
  for (; i < segments.size(); ++i) {
    const Segment& segment = segments[i];
    if (segment.is_rest) {
      if (params == nullptr) return true;
      std::string rest;
      for (size_t j = i; j < raw.size(); ++j) {
        if (j > i) rest.push_back('/');
        rest.append(raw[j]);
      }
      auto decoded = PercentDecode(rest, false);
      (*params)[segment.text] = decoded ? std::move(*decoded) : rest;
      return true;
    }
    if (i >= raw.size()) return false;
    if (!segment.is_param) {
      if (segment.text != raw[i]) return false;
    } else {
      if (raw[i].empty()) return false;
      if (params != nullptr) {
        auto decoded = PercentDecode(raw[i], false);
        (*params)[segment.text] = decoded ? std::move(*decoded) : std::string(raw[i]);
      }
    }
  }
  return i == raw.size();
}

bool Router::MoreSpecific(const Entry& a, const Entry& b) {
  size_t n = std::min(a.segments.size(), b.segments.size());
  for (size_t i = 0; i < n; ++i) {
    const Segment& sa = a.segments[i];
    const Segment& sb = b.segments[i];
    if (sa.is_param != sb.is_param) return !sa.is_param;
    if (sa.is_rest != sb.is_rest) return !sa.is_rest;
  }
  return a.segments.size() > b.segments.size();
}

std::expected<RouteMatch, Response> Router::Find(std::string_view method,
                                                 std::string_view path) const {
  if (path.find('%') != std::string_view::npos && !PercentDecode(path, false)) {
    return std::unexpected(ErrorResponse(
        Error{ErrorCode::kInvalidArgument,
              "path '" + std::string(path) + "' has a malformed %-escape; encode '%' as %25"}));
  }
  std::vector<std::string_view> raw = SplitPath(path);
  const Entry* best = nullptr;
  std::vector<std::string> allowed;
  for (const Entry& entry : entries_) {
    if (entry.route.method != method || !Match(entry, raw, nullptr)) continue;
    if (best == nullptr || MoreSpecific(entry, *best)) best = &entry;
  }
  if (best != nullptr) {
    RouteMatch match{&best->route, {}};
    Match(*best, raw, &match.params);
    return match;
  }
  // No route of this method: the methods that would have matched make a 405.
  for (const Entry& entry : entries_) {
    if (entry.route.method == method || !Match(entry, raw, nullptr)) continue;
    if (std::find(allowed.begin(), allowed.end(), entry.route.method) == allowed.end()) {
      allowed.push_back(entry.route.method);
    }
  }
  if (!allowed.empty()) {
    std::string allow;
    for (const std::string& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
    Response response = ErrorResponse(
        405, "method_not_allowed",
        std::string(method) + " is not allowed on " + std::string(path) + "; use one of: " + allow);
    response.headers.emplace_back("Allow", allow);
    return std::unexpected(std::move(response));
  }
  if (fallback_ && method == "GET" && !IsApiPath(path)) {
    return RouteMatch{&*fallback_, {{"path", *PercentDecode(path, false)}}};
  }
  return std::unexpected(ErrorResponse(
      Error{ErrorCode::kNotFound, "no route for " + std::string(method) + " " + std::string(path) +
                                      "; see docs/api.md for the routes"}));
}

}  // namespace aimass::http
