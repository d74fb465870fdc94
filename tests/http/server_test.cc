// Routing, auth, request ids, errors and keep-alive through a real server on port 0.
#include "http/server.h"

#include <atomic>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include "http/test_client.h"
#include "http/test_server.h"

namespace aimass::http {
namespace {

using testing::TestClient;
using testing::TestServer;

Router MakeRouter(std::atomic<int>* calls = nullptr) {
  Router router;
  router.Add({"GET", "/v2/health/live", Access::kPublic, BodyMode::kBuffered,
              [](Request&) { return JsonResponse(200, {{"live", true}}); }});
  router.Add({"GET", "/api/v1/datasets/{name}/versions/{v}", Access::kUser, BodyMode::kBuffered,
              [calls](Request& request) {
                if (calls != nullptr) ++*calls;
                return JsonResponse(200, {{"name", request.params["name"]},
                                          {"v", request.params["v"]},
                                          {"offset", request.Query("offset", "0")},
                                          {"path", request.path},
                                          {"user", request.principal.user_name}});
              }});
  router.Add({"GET", "/api/v1/whoami", Access::kUser, BodyMode::kBuffered,
              [](Request& request) {
                return JsonResponse(200, {{"user", request.principal.user_name},
                                          {"is_admin", request.principal.is_admin}});
              }});
  router.Add({"POST", "/api/v1/users", Access::kAdmin, BodyMode::kBuffered,
              [](Request&) { return JsonResponse(201, {{"created", true}}); }});
  router.Add({"GET", "/boom", Access::kPublic, BodyMode::kBuffered,
              [](Request&) -> Response { throw std::runtime_error("kaput"); }});
  router.Add({"GET", "/echo-header", Access::kPublic, BodyMode::kBuffered,
              [](Request& request) {
                Response response;
                response.content_type = "text/plain";
                response.body = request.Header("x-custom");
                response.headers.emplace_back("X-Extra", "yes");
                return response;
              }});
  return router;
}

nlohmann::json Json(const testing::ClientResponse& response) {
  return nlohmann::json::parse(response.body());
}

std::string ErrorCodeOf(const testing::ClientResponse& response) {
  return Json(response)["error"]["code"];
}

const std::vector<std::pair<std::string, std::string>> kUser = {
    {"Authorization", "Bearer user-token"}};

TEST(ServerTest, RoutesWithDecodedParamsAndQuery) {
  TestServer server(MakeRouter());
  TestClient client(server.port());
  auto response = client.Call("GET", "/api/v1/datasets/credit%20data/versions/2?offset=10", "",
                              kUser);
  ASSERT_TRUE(response) << response.error().message();
  EXPECT_EQ(response->result_int(), 200);
  auto body = Json(*response);
  EXPECT_EQ(body["name"], "credit data");
  EXPECT_EQ(body["v"], "2");
  EXPECT_EQ(body["offset"], "10");
  EXPECT_EQ(body["path"], "/api/v1/datasets/credit data/versions/2");
  EXPECT_EQ(body["user"], "alice");
  EXPECT_EQ((*response)[bhttp::field::server], "aimass");
  EXPECT_EQ((*response)[bhttp::field::content_type], "application/json");
}

TEST(ServerTest, UnknownPathIs404AndWrongMethodIs405) {
  TestServer server(MakeRouter());
  TestClient client(server.port());
  auto missing = client.Call("GET", "/api/v1/nope");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->result_int(), 404);
  EXPECT_EQ(ErrorCodeOf(*missing), "not_found");

  auto wrong = client.Call("DELETE", "/v2/health/live");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->result_int(), 405);
  EXPECT_EQ(ErrorCodeOf(*wrong), "method_not_allowed");
  EXPECT_EQ((*wrong)[bhttp::field::allow], "GET");
}

TEST(ServerTest, PublicRouteNeedsNoToken) {
  TestServer server(MakeRouter());
  TestClient client(server.port());
  auto response = client.Call("GET", "/v2/health/live");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 200);
  EXPECT_EQ(Json(*response)["live"], true);
}

TEST(ServerTest, MissingOrInvalidTokenIs401WithoutCallingTheHandler) {
  std::atomic<int> calls = 0;
  TestServer server(MakeRouter(&calls));
  TestClient client(server.port());
  auto missing = client.Call("GET", "/api/v1/datasets/a/versions/1");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->result_int(), 401);
  EXPECT_EQ(ErrorCodeOf(*missing), "unauthenticated");
  EXPECT_EQ((*missing)[bhttp::field::www_authenticate], "Bearer");
  EXPECT_NE(Json(*missing)["error"]["message"].get<std::string>().find("Authorization: Bearer"),
            std::string::npos);

  auto invalid = client.Call("GET", "/api/v1/datasets/a/versions/1", "",
                             {{"Authorization", "Bearer stolen"}});
  ASSERT_TRUE(invalid);
  EXPECT_EQ(invalid->result_int(), 401);
  EXPECT_NE((*invalid)[bhttp::field::www_authenticate].find("Bearer"), std::string::npos);

  auto basic = client.Call("GET", "/api/v1/whoami", "", {{"Authorization", "Basic dXNlcg=="}});
  ASSERT_TRUE(basic);
  EXPECT_EQ(basic->result_int(), 401);
  EXPECT_EQ(calls, 0);
}

TEST(ServerTest, AuthenticatorFailureKeepsItsCode) {
  TestServer server(MakeRouter());
  TestClient client(server.port());
  auto response = client.Call("GET", "/api/v1/whoami", "",
                              {{"Authorization", "Bearer broken-token"}});
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 500);
  EXPECT_EQ(ErrorCodeOf(*response), "internal");
}

TEST(ServerTest, AdminRouteRefusesUsersWith403) {
  TestServer server(MakeRouter());
  TestClient client(server.port());
  auto user = client.Call("POST", "/api/v1/users", "{}", kUser);
  ASSERT_TRUE(user);
  EXPECT_EQ(user->result_int(), 403);
  EXPECT_EQ(ErrorCodeOf(*user), "permission_denied");

  // The refused body was left unread, so that connection was closed: use a new one.
  TestClient admin_client(server.port());
  auto admin = admin_client.Call("POST", "/api/v1/users", "{}",
                                 {{"authorization", "bearer admin-token"}});
  ASSERT_TRUE(admin);
  EXPECT_EQ(admin->result_int(), 201);
}

TEST(ServerTest, EchoesASaneRequestIdAndGeneratesOtherwise) {
  TestServer server(MakeRouter());
  TestClient client(server.port());
  auto echoed = client.Call("GET", "/v2/health/live", "", {{"X-Request-Id", "trace-42"}});
  ASSERT_TRUE(echoed);
  EXPECT_EQ((*echoed)["X-Request-Id"], "trace-42");

  auto generated = client.Call("GET", "/v2/health/live");
  ASSERT_TRUE(generated);
  EXPECT_EQ((*generated)["X-Request-Id"].size(), 16u);

  auto replaced = client.Call("GET", "/v2/health/live", "", {{"X-Request-Id", "bad id with spaces"}});
  ASSERT_TRUE(replaced);
  EXPECT_EQ((*replaced)["X-Request-Id"].size(), 16u);

  auto on_error = client.Call("GET", "/nope", "", {{"X-Request-Id", "err-1"}});
  ASSERT_TRUE(on_error);
  EXPECT_EQ((*on_error)["X-Request-Id"], "err-1");
}

TEST(ServerTest, EveryResponseCarriesSecurityHeadersAndCorsStaysClosed) {
  TestServer server(MakeRouter());
  TestClient client(server.port());
  const std::vector<std::pair<std::string, std::string>> from_elsewhere = {
      {"Origin", "https://evil.example"}};
  for (const auto& [method, target] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/v2/health/live"},  // public, 200
           {"GET", "/nope"},            // 404
           {"POST", "/api/v1/users"},   // 401: no token
           {"OPTIONS", "/api/v1/users"}}) {
    auto answer = client.Call(method, target, "", from_elsewhere);
    ASSERT_TRUE(answer) << method << " " << target;
    const auto& headers = *answer;
    EXPECT_EQ(headers["X-Content-Type-Options"], "nosniff") << target;
    EXPECT_EQ(headers["X-Frame-Options"], "DENY") << target;
    EXPECT_EQ(headers["Content-Security-Policy"], "default-src 'none'; frame-ancestors 'none'");
    EXPECT_EQ(headers["Referrer-Policy"], "no-referrer");
    EXPECT_EQ(headers["Cache-Control"], "no-store");
    EXPECT_EQ(headers.count("Access-Control-Allow-Origin"), 0u) << method << " " << target;
    EXPECT_EQ(headers.count("Access-Control-Allow-Credentials"), 0u);
    if (method == "OPTIONS") {
      EXPECT_EQ(headers.result_int(), 405);  // no preflight is answered
    }
  }
}

TEST(ServerTest, HandlerExceptionIs500AndTheServerGoesOn) {
  TestServer server(MakeRouter());
  TestClient client(server.port());
  auto boom = client.Call("GET", "/boom", "", {{"X-Request-Id", "boom-1"}});
  ASSERT_TRUE(boom);
  EXPECT_EQ(boom->result_int(), 500);
  EXPECT_EQ(ErrorCodeOf(*boom), "internal");
  EXPECT_NE(Json(*boom)["error"]["message"].get<std::string>().find("boom-1"), std::string::npos);
  auto after = client.Call("GET", "/v2/health/live");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->result_int(), 200);
}

TEST(ServerTest, KeepsTheConnectionAliveAcrossRequests) {
  TestServer server(MakeRouter());
  TestClient client(server.port());
  for (int i = 0; i < 5; ++i) {
    auto response = client.Call("GET", "/echo-header", "", {{"X-Custom", std::to_string(i)}});
    ASSERT_TRUE(response) << "request " << i << ": " << response.error().message();
    EXPECT_EQ(response->body(), std::to_string(i));
    EXPECT_EQ((*response)["X-Extra"], "yes");
    EXPECT_EQ((*response)[bhttp::field::content_type], "text/plain");
    EXPECT_TRUE(response->keep_alive());
  }
}

TEST(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  TestServer server(MakeRouter());
  TestClient client(server.port());
  std::string two =
      "GET /echo-header HTTP/1.1\r\nHost: x\r\nX-Custom: one\r\n\r\n"
      "GET /echo-header HTTP/1.1\r\nHost: x\r\nX-Custom: two\r\n\r\n";
  ASSERT_FALSE(client.Write(two));
  auto first = client.Read();
  auto second = client.Read();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->body(), "one");
  EXPECT_EQ(second->body(), "two");
}

TEST(ServerTest, ConnectionCloseIsHonoured) {
  TestServer server(MakeRouter());
  TestClient client(server.port());
  auto response = client.Call("GET", "/v2/health/live", "", {{"Connection", "close"}});
  ASSERT_TRUE(response);
  EXPECT_FALSE(response->keep_alive());
  EXPECT_TRUE(client.ClosedByPeer());
}

TEST(ServerTest, MalformedRequestIs400AndCloses) {
  TestServer server(MakeRouter());
  TestClient client(server.port());
  ASSERT_FALSE(client.Write("THIS IS NOT HTTP\r\n\r\n"));
  auto response = client.Read();
  ASSERT_TRUE(response) << response.error().message();
  EXPECT_EQ(response->result_int(), 400);
  EXPECT_EQ(ErrorCodeOf(*response), "invalid_argument");
  EXPECT_TRUE(client.ClosedByPeer());
}

TEST(ServerTest, BadEscapeInTargetIs400) {
  TestServer server(MakeRouter());
  TestClient client(server.port());
  auto response = client.Call("GET", "/v2/health/live?x=%zz");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 400);
}

TEST(ServerTest, HeaderOverTheLimitIs431) {
  ServerOptions options;
  options.max_header_bytes = 4096;
  TestServer server(MakeRouter(), options);
  TestClient client(server.port());
  auto response = client.Call("GET", "/v2/health/live", "", {{"X-Big", std::string(8000, 'a')}});
  ASSERT_TRUE(response) << response.error().message();
  EXPECT_EQ(response->result_int(), 431);
  EXPECT_EQ(ErrorCodeOf(*response), "request_header_fields_too_large");
}

TEST(ServerTest, IdleKeepAliveConnectionIsClosedAfterIdleTimeout) {
  ServerOptions options;
  options.idle_timeout = std::chrono::seconds(1);
  TestServer server(MakeRouter(), options);
  TestClient client(server.port());
  ASSERT_TRUE(client.Call("GET", "/v2/health/live"));
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(client.ClosedByPeer());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(ServerTest, HalfSentHeaderGets408) {
  ServerOptions options;
  options.idle_timeout = std::chrono::seconds(1);
  TestServer server(MakeRouter(), options);
  TestClient client(server.port());
  ASSERT_FALSE(client.Write("GET /v2/health/live HTTP/1.1\r\nHost: x\r\n"));
  auto response = client.Read();
  ASSERT_TRUE(response) << response.error().message();
  EXPECT_EQ(response->result_int(), 408);
}

TEST(ServerTest, StartFailsWhenThePortIsTaken) {
  TestServer first(MakeRouter());
  ServerOptions options;
  options.port = first.port();
  options.upload_dir = first.dir() / "second";
  Server second(options, MakeRouter(), testing::TestAuthenticator());
  Status started = second.Start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(started.error().message.find(std::to_string(first.port())), std::string::npos);
}

}  // namespace
}  // namespace aimass::http

namespace aimass::http {
namespace {

// Swaps spdlog's default logger for one that writes into a string, for one test.
class CapturedLog {
 public:
  CapturedLog()
      : saved_(spdlog::default_logger()),
        sink_(std::make_shared<spdlog::sinks::ostream_sink_mt>(text_)) {
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("captured", sink_));
    spdlog::set_level(spdlog::level::info);
  }
  ~CapturedLog() { spdlog::set_default_logger(saved_); }
  std::string text() {
    sink_->flush();
    return text_.str();
  }

 private:
  std::shared_ptr<spdlog::logger> saved_;
  std::ostringstream text_;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink_;
};

TEST(ServerTest, TheAccessLogHasALinePerAnswerUnlessItIsOff) {
  for (const bool on : {true, false}) {
    CapturedLog log;
    {
      ServerOptions options;
      options.access_log = on;
      TestServer server(MakeRouter(), options);
      TestClient client(server.port());
      auto response = client.Call("GET", "/api/v1/whoami", "", kUser);
      ASSERT_TRUE(response);
      EXPECT_EQ(response->result_int(), 200);
    }  // stopped: every answer has been logged
    const bool logged = log.text().find("alice GET /api/v1/whoami 200") != std::string::npos;
    EXPECT_EQ(logged, on) << log.text();
  }
}

}  // namespace
}  // namespace aimass::http
