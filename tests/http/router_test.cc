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

}  // namespace
}  // namespace aimass::http
