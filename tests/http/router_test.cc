#include "http/router.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace aimass::http {
namespace {

Handler Named(std::string name) {
  return [name](Request&) { return JsonResponse(200, {{"route", name}}); };
}

Router MakeRouter() {
  Router router;
  router.Add({"GET", "/api/v1/datasets", Access::kUser, BodyMode::kBuffered, Named("list")});
  router.Add({"POST", "/api/v1/datasets", Access::kUser, BodyMode::kFile, Named("upload")});
  router.Add({"GET", "/api/v1/datasets/{name}", Access::kUser, BodyMode::kBuffered,
              Named("get")});
  router.Add({"GET", "/api/v1/datasets/{name}/versions/{v}", Access::kUser,
              BodyMode::kBuffered, Named("version")});
  router.Add({"GET", "/api/v1/datasets/special", Access::kUser, BodyMode::kBuffered,
              Named("special")});
  router.Add({"GET", "/ui/{path...}", Access::kPublic, BodyMode::kBuffered, Named("ui")});
  return router;
}

std::string RouteName(const RouteMatch& match) {
  Request request;
  return nlohmann::json::parse(match.route->handler(request).body)["route"];
}

TEST(RouterTest, MatchesLiteralsAndParams) {
  Router router = MakeRouter();
  auto list = router.Find("GET", "/api/v1/datasets");
  ASSERT_TRUE(list);
  EXPECT_EQ(RouteName(*list), "list");
  EXPECT_TRUE(list->params.empty());

  auto version = router.Find("GET", "/api/v1/datasets/credit%20data/versions/latest");
  ASSERT_TRUE(version);
  EXPECT_EQ(RouteName(*version), "version");
  EXPECT_EQ(version->params["name"], "credit data");
  EXPECT_EQ(version->params["v"], "latest");
}

TEST(RouterTest, AnEncodedSlashStaysInsideItsSegment) {
  Router router = MakeRouter();  // a RouteMatch points into its Router
  auto match = router.Find("GET", "/api/v1/datasets/a%2Fb");
  ASSERT_TRUE(match);
  EXPECT_EQ(RouteName(*match), "get");
  EXPECT_EQ(match->params["name"], "a/b");
}

TEST(RouterTest, LiteralWinsOverParamAndTrailingSlashIsIgnored) {
  Router router = MakeRouter();
  auto special = router.Find("GET", "/api/v1/datasets/special/");
  ASSERT_TRUE(special);
  EXPECT_EQ(RouteName(*special), "special");
}

TEST(RouterTest, RestParamTakesTheRestOfThePath) {
  auto match = MakeRouter().Find("GET", "/ui/assets/app.js");
  ASSERT_TRUE(match);
  EXPECT_EQ(match->params["path"], "assets/app.js");
}

TEST(RouterTest, UnknownPathIs404Json) {
  auto match = MakeRouter().Find("GET", "/api/v1/nothing");
  ASSERT_FALSE(match);
  EXPECT_EQ(match.error().status, 404);
  auto body = nlohmann::json::parse(match.error().body);
  EXPECT_EQ(body["error"]["code"], "not_found");
  EXPECT_NE(body["error"]["message"].get<std::string>().find("/api/v1/nothing"),
            std::string::npos);
}

TEST(RouterTest, OtherMethodIs405WithAllow) {
  auto match = MakeRouter().Find("DELETE", "/api/v1/datasets");
  ASSERT_FALSE(match);
  EXPECT_EQ(match.error().status, 405);
  auto body = nlohmann::json::parse(match.error().body);
  EXPECT_EQ(body["error"]["code"], "method_not_allowed");
  ASSERT_EQ(match.error().headers.size(), 1u);
  EXPECT_EQ(match.error().headers[0].first, "Allow");
  EXPECT_EQ(match.error().headers[0].second, "GET, POST");
}

TEST(RouterTest, MalformedEscapeIs400) {
  auto match = MakeRouter().Find("GET", "/api/v1/datasets/%zz");
  ASSERT_FALSE(match);
  EXPECT_EQ(match.error().status, 400);
}

TEST(ErrorResponseTest, ShapesErrorsAsJson) {
  Response response = ErrorResponse(Error{ErrorCode::kConflict, "in use by job 7"});
  EXPECT_EQ(response.status, 409);
  EXPECT_EQ(response.content_type, "application/json");
  auto body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["error"]["code"], "conflict");
  EXPECT_EQ(body["error"]["message"], "in use by job 7");
}

// Each kind of token against each kind of route: the permission comes from the route
// table, so no handler can forget to check it.
TEST(RouterTest, PermissionsFollowTheRouteTableAndTheTokensScopes) {
  const Route read{"GET", "/api/v1/models", Access::kUser, BodyMode::kBuffered, nullptr};
  const Route write{"POST", "/api/v1/models", Access::kUser, BodyMode::kBuffered, nullptr};
  const Route predict{"POST", "/api/v1/endpoints/{name}/predict", Access::kPredict,
                      BodyMode::kBuffered, nullptr};
  const Route admin{"POST", "/api/v1/users", Access::kAdmin, BodyMode::kBuffered, nullptr};
  const Route open{"GET", "/v2/health/live", Access::kPublic, BodyMode::kBuffered, nullptr};
  EXPECT_EQ(RequiredPermission(read), "read");
  EXPECT_EQ(RequiredPermission(write), "write");
  EXPECT_EQ(RequiredPermission(predict), "predict");
  EXPECT_EQ(RequiredPermission(admin), "admin");
  EXPECT_EQ(RequiredPermission(open), "none");

  const Principal reader{1, "ana", false, {.read = true}, ""};
  const Principal writer{1, "ana", false, {.read = true, .write = true}, ""};
  const Principal app{1, "ana", false, {.predict = true}, "web"};
  const Principal any_app{1, "ana", false, {.predict = true}, ""};
  const Principal root{2, "root", true, {.admin = true}, ""};
  const Principal admin_user_with_write_token{2, "root", true, {.write = true}, ""};
  const std::map<std::string, std::string> web = {{"name", "web"}};
  const std::map<std::string, std::string> other = {{"name", "other"}};

  struct Case {
    const Route& route;
    const Principal& who;
    const std::map<std::string, std::string>& params;
    bool allowed;
  };
  const std::vector<Case> cases = {
      {read, reader, {}, true},         {write, reader, {}, false},
      {predict, reader, web, false},    {admin, reader, {}, false},
      {read, writer, {}, true},         {write, writer, {}, true},
      {predict, writer, other, true},   {admin, writer, {}, false},
      {predict, app, web, true},        {predict, app, other, false},
      {read, app, {}, false},           {write, app, {}, false},
      {predict, any_app, other, true},  {read, any_app, {}, false},
      {read, root, {}, true},           {write, root, {}, true},
      {predict, root, other, true},     {admin, root, {}, true},
      {admin, admin_user_with_write_token, {}, false},
      {open, reader, {}, true},
  };
  for (const auto& c : cases) {
    auto checked = CheckPermission(c.route, c.who, c.params);
    EXPECT_EQ(static_cast<bool>(checked), c.allowed)
        << c.route.method << " " << c.route.pattern << " by " << c.who.scopes.ToString() << " "
        << c.who.endpoint;
    if (!checked) {
      EXPECT_EQ(checked.error().code, ErrorCode::kPermissionDenied);
    }
  }
}

TEST(RouterTest, ListsEveryRoute) {
  Router router = MakeRouter();
  EXPECT_GE(router.routes().size(), 4u);
  EXPECT_EQ(router.routes().front()->pattern, "/api/v1/datasets");
}

TEST(RouterTest, TheFallbackAnswersUnknownGetsOutsideTheApi) {
  Router router = MakeRouter();
  router.SetFallback({"GET", "/{console}", Access::kPublic, BodyMode::kBuffered, Named("console")});
  auto page = router.Find("GET", "/models/credit%20risk");
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(RouteName(*page), "console");
  EXPECT_EQ(page->params.at("path"), "/models/credit risk");
  ASSERT_TRUE(router.Find("GET", "/").has_value());
  // Routes still win, and the API's unknown paths stay JSON 404s.
  EXPECT_EQ(RouteName(*router.Find("GET", "/api/v1/datasets")), "list");
  for (const char* api : {"/api/v1/nothing", "/api", "/v2/models/x/bogus", "/v2", "/metrics"}) {
    auto missing = router.Find("GET", api);
    ASSERT_FALSE(missing.has_value()) << api;
    EXPECT_EQ(missing.error().status, 404) << api;
  }
  // Other methods never reach it.
  auto post = router.Find("POST", "/models/credit");
  ASSERT_FALSE(post.has_value());
  EXPECT_EQ(post.error().status, 404);
}

}  // namespace
}  // namespace aimass::http
