// /api/v1/users and /api/v1/tokens: admins make users; everyone makes, lists and revokes
// their own API tokens (secrets shown once). GET /api/v1/routes lists who may call what.
#include "api/routes.h"
#include "common/time_format.h"
#include "http/response.h"

namespace aimass::api {
using http::Access;
using http::BodyMode;
using http::JsonResponse;
using nlohmann::json;

namespace {

json OptionalTime(const std::optional<int64_t>& millis) {
  return millis ? json(IsoTime(*millis)) : json(nullptr);
}

json UserJson(const store::UserRecord& user) {
  return {{"name", user.name}, {"admin", user.is_admin}, {"created_at", IsoTime(user.created_at)}};
}

json TokenJson(const store::TokenRecord& token) {
  return {{"id", token.id},
          {"user", token.user_name},
          {"label", token.label},
          {"scopes", token.scopes},
          {"endpoint", token.endpoint},
          {"created_at", IsoTime(token.created_at)},
          {"expires_at", OptionalTime(token.expires_at)},
          {"last_used_at", OptionalTime(token.last_used_at)},
          {"revoked", token.revoked}};
}

security::Caller CallerOf(const http::Request& request) {
  const http::Principal& p = request.principal;
  return {p.user_id, p.user_name, p.is_admin, p.scopes};
}

// The body as a JSON object, or the error that shows what to send.
Result<json> ObjectBody(const http::Request& request, std::string_view example) {
  json body = json::parse(request.body, nullptr, false);
  if (!body.is_object()) {
    return Fail(ErrorCode::kInvalidArgument, "send a JSON object like " + std::string(example));
  }
  return body;
}

// body[key] as T when present and of that type, `fallback` when absent; an error otherwise.
template <typename T>
Result<T> Field(const json& body, const char* key, T fallback, const char* type) {
  if (!body.contains(key)) return fallback;
  const json& value = body[key];
  const bool ok = std::is_same_v<T, bool>          ? value.is_boolean()
                  : std::is_same_v<T, std::string> ? value.is_string()
                                                   : value.is_number_integer();
  if (!ok) return Fail(ErrorCode::kInvalidArgument, "'" + std::string(key) + "' must be " + type);
  return value.get<T>();
}

http::Response CreateUser(security::TokenAuthority& tokens, const http::Request& request) {
  auto body = ObjectBody(request, R"({"name":"ana","admin":false})");
  if (!body) return ErrorOf(body.error());
  auto name = Field<std::string>(*body, "name", "", "a string");
  auto admin = Field<bool>(*body, "admin", false, "true or false");
  if (!name) return ErrorOf(name.error());
  if (!admin) return ErrorOf(admin.error());
  auto user = tokens.CreateUser(CallerOf(request), *name, *admin);
  return user ? JsonResponse(201, UserJson(*user)) : ErrorOf(user.error());
}

Result<security::TokenRequest> TokenRequestOf(const http::Request& request) {
  AIMASS_ASSIGN_OR_RETURN(
      json body, ObjectBody(request, R"({"label":"ci","scopes":"read","expires_in_days":30})"));
  security::TokenRequest wanted;
  AIMASS_ASSIGN_OR_RETURN(wanted.user, Field<std::string>(body, "user", "", "a user name"));
  AIMASS_ASSIGN_OR_RETURN(wanted.label, Field<std::string>(body, "label", "", "a string"));
  AIMASS_ASSIGN_OR_RETURN(
      wanted.scopes, Field<std::string>(body, "scopes", wanted.scopes, "text like \"read,write\""));
  AIMASS_ASSIGN_OR_RETURN(wanted.endpoint,
                          Field<std::string>(body, "endpoint", "", "an endpoint name"));
  AIMASS_ASSIGN_OR_RETURN(wanted.expires_in_days,
                          Field<int64_t>(body, "expires_in_days", wanted.expires_in_days,
                                         "a whole number of days (0: never)"));
  return wanted;
}

http::Response CreateToken(security::TokenAuthority& tokens, const http::Request& request) {
  auto wanted = TokenRequestOf(request);
  if (!wanted) return ErrorOf(wanted.error());
  auto issued = tokens.CreateToken(CallerOf(request), *wanted);
  if (!issued) return ErrorOf(issued.error());
  json answer = TokenJson(issued->token);
  answer["token"] = issued->secret;  // the only time it is shown
  return JsonResponse(201, answer);
}

http::Response ListTokens(security::TokenAuthority& tokens, const http::Request& request) {
  auto listed = tokens.ListTokens(CallerOf(request), request.Query("user"));
  if (!listed) return ErrorOf(listed.error());
  json list = json::array();
  for (const auto& token : *listed) list.push_back(TokenJson(token));
  return JsonResponse(200, {{"tokens", list}});
}

}  // namespace

void AddUserRoutes(http::Router& router, security::TokenAuthority& tokens,
                   store::MetadataStore& store) {
  router.Add({"POST", "/api/v1/users", Access::kAdmin, BodyMode::kBuffered,
              [&tokens](http::Request& request) { return CreateUser(tokens, request); }});
  router.Add(
      {"GET", "/api/v1/users", Access::kAdmin, BodyMode::kBuffered, [&store](http::Request&) {
         auto users = store.ListUsers();
         if (!users) return ErrorOf(users.error());
         json list = json::array();
         for (const auto& user : *users) list.push_back(UserJson(user));
         return JsonResponse(200, {{"users", list}});
       }});
  router.Add({"POST", "/api/v1/tokens", Access::kUser, BodyMode::kBuffered,
              [&tokens](http::Request& request) { return CreateToken(tokens, request); }});
  router.Add({"GET", "/api/v1/tokens", Access::kUser, BodyMode::kBuffered,
              [&tokens](http::Request& request) { return ListTokens(tokens, request); }});
  router.Add({"DELETE", "/api/v1/tokens/{id}", Access::kUser, BodyMode::kBuffered,
              [&tokens](http::Request& request) {
                auto id = ParseCount(request.params.at("id"), "a token id", 0);
                if (!id) return ErrorOf(id.error());
                auto revoked = tokens.RevokeToken(CallerOf(request), *id);
                return revoked ? NoContent() : ErrorOf(revoked.error());
              }});
}

void AddRouteTableRoute(http::Router& router) {
  constexpr const char* kPattern = "/api/v1/routes";
  json table = json::array();
  for (const http::Route* route : router.routes()) {
    table.push_back({{"method", route->method},
                     {"pattern", route->pattern},
                     {"permission", http::RequiredPermission(*route)}});
  }
  table.push_back({{"method", "GET"}, {"pattern", kPattern}, {"permission", "admin"}});
  router.Add({"GET", kPattern, Access::kAdmin, BodyMode::kBuffered, [table](http::Request&) {
                return JsonResponse(200, {{"routes", table}});
              }});
}

}  // namespace aimass::api
