// /api/v1/users and /api/v1/tokens: admins make users; everyone makes, lists and revokes
// their own API tokens (secrets shown once). GET /api/v1/routes lists who may call what.
#include "api/json_views.h"
#include "api/routes.h"
#include "common/time_format.h"
#include "http/response.h"
#include "http/session_cookie.h"
#include "security/passwords.h"

namespace aimass::api {
using http::Access;
using http::BodyMode;
using http::JsonResponse;
using nlohmann::json;

namespace {

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
          {"expires_at", TimeOrNull(token.expires_at)},
          {"last_used_at", TimeOrNull(token.last_used_at)},
          {"revoked", token.revoked}};
}

security::Caller CallerOf(const http::Request& request) {
  const http::Principal& p = request.principal;
  return {p.user_id, p.user_name, p.is_admin, p.scopes};
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

http::Response CreateUser(const AccountServices& accounts, const http::Request& request) {
  auto body = ObjectBody(request, R"({"name":"ana","admin":false,"password":"..."})");
  if (!body) return ErrorOf(body.error());
  auto name = Field<std::string>(*body, "name", "", "a string");
  auto admin = Field<bool>(*body, "admin", false, "true or false");
  auto password = Field<std::string>(*body, "password", "", "a string");
  if (!name) return ErrorOf(name.error());
  if (!admin) return ErrorOf(admin.error());
  if (!password) return ErrorOf(password.error());
  // A weak password is refused before the user exists, so nothing is half made.
  if (!password->empty()) {
    if (auto strong = security::CheckPasswordStrength(*password); !strong) {
      return ErrorOf(strong.error());
    }
  }
  auto user = accounts.tokens.CreateUser(CallerOf(request), *name, *admin);
  if (!user) return ErrorOf(user.error());
  if (!password->empty()) {
    auto set = accounts.login.SetPassword(CallerOf(request), *name, *password, "");
    if (!set) return ErrorOf(set.error());
  }
  return JsonResponse(201, UserJson(*user));
}

http::Response Login(security::LoginService& login, const http::Request& request) {
  auto body = ObjectBody(request, R"({"user":"ana","password":"..."})");
  if (!body) return ErrorOf(body.error());
  auto user = Field<std::string>(*body, "user", "", "a string");
  auto password = Field<std::string>(*body, "password", "", "a string");
  if (!user) return ErrorOf(user.error());
  if (!password) return ErrorOf(password.error());
  auto session = login.Login(*user, *password);
  if (!session) return ErrorOf(session.error());
  const int64_t seconds = (*session->token.expires_at - session->token.created_at) / 1000;
  http::Response response =
      JsonResponse(200, {{"user", session->token.user_name},
                         {"admin", session->is_admin},
                         {"csrf_token", http::CsrfTokenFor(session->secret)},
                         {"expires_at", TimeOrNull(session->token.expires_at)}});
  response.headers.emplace_back("Set-Cookie", http::SetSessionCookie(session->secret, seconds));
  return response;
}

http::Response SetPassword(security::LoginService& login, const http::Request& request) {
  auto body = ObjectBody(request, R"({"password":"...","current_password":"..."})");
  if (!body) return ErrorOf(body.error());
  auto password = Field<std::string>(*body, "password", "", "a string");
  auto current = Field<std::string>(*body, "current_password", "", "a string");
  if (!password) return ErrorOf(password.error());
  if (!current) return ErrorOf(current.error());
  auto set = login.SetPassword(CallerOf(request), request.params.at("name"), *password, *current);
  return set ? NoContent() : ErrorOf(set.error());
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

void AddUserRoutes(http::Router& router, const AccountServices& accounts) {
  security::TokenAuthority& tokens = accounts.tokens;
  security::LoginService& login = accounts.login;
  store::MetadataStore& store = accounts.store;
  router.Add({"POST", "/api/v1/users", Access::kAdmin, BodyMode::kBuffered,
              [accounts](http::Request& request) { return CreateUser(accounts, request); }});
  router.Add({"PUT", "/api/v1/users/{name}/password", Access::kUser, BodyMode::kBuffered,
              [&login](http::Request& request) { return SetPassword(login, request); }});
  router.Add({"POST", "/api/v1/login", Access::kPublic, BodyMode::kBuffered,
              [&login](http::Request& request) { return Login(login, request); }});
  router.Add({"POST", "/api/v1/logout", Access::kUser, BodyMode::kBuffered,
              [&tokens](http::Request& request) {
                auto revoked = tokens.RevokeToken(CallerOf(request), request.principal.token_id);
                if (!revoked) return ErrorOf(revoked.error());
                http::Response response = NoContent();
                response.headers.emplace_back("Set-Cookie", http::ClearSessionCookie());
                return response;
              }});
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
