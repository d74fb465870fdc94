// Buffered bodies, their limits, chunked bodies and Expect: 100-continue.
#include <atomic>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "http/server.h"
#include "http/test_client.h"
#include "http/test_server.h"

namespace aimass::http {
namespace {

using testing::TestClient;
using testing::TestServer;

Router EchoRouter(std::atomic<int>* calls) {
  Router router;
  router.Add({"POST", "/echo", Access::kPublic, BodyMode::kBuffered, [calls](Request& request) {
                ++*calls;
                Response response;
                response.content_type = "application/octet-stream";
                response.headers.emplace_back("X-Body-Size", std::to_string(request.body_size));
                response.body = std::move(request.body);
                return response;
              }});
  router.Add({"POST", "/private", Access::kUser, BodyMode::kBuffered, [calls](Request&) {
                ++*calls;
                return JsonResponse(200, {{"ok", true}});
              }});
  return router;
}

ServerOptions SmallLimits() {
  ServerOptions options;
  options.max_body_bytes = 1000;
  return options;
}

std::string ErrorOf(const testing::ClientResponse& response, const char* field) {
  return nlohmann::json::parse(response.body())["error"][field];
}

TEST(BodyTest, BufferedBodyReachesTheHandler) {
  std::atomic<int> calls = 0;
  TestServer server(EchoRouter(&calls));
  TestClient client(server.port());
  std::string body(300000, 'x');
  for (size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>('a' + i % 26);
  auto response = client.Call("POST", "/echo", body);
  ASSERT_TRUE(response) << response.error().message();
  EXPECT_EQ(response->result_int(), 200);
  EXPECT_EQ(response->body(), body);
  EXPECT_EQ((*response)["X-Body-Size"], "300000");
  // The connection stays usable.
  auto again = client.Call("POST", "/echo", "small");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->body(), "small");
}

TEST(BodyTest, ChunkedBodyIsReassembled) {
  std::atomic<int> calls = 0;
  TestServer server(EchoRouter(&calls));
  TestClient client(server.port());
  ASSERT_FALSE(client.Write(
      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\n\r\n"));
  auto response = client.Read();
  ASSERT_TRUE(response) << response.error().message();
  EXPECT_EQ(response->body(), "hello world");
}

TEST(BodyTest, ContentLengthOverTheLimitIs413WithoutReadingTheBody) {
  std::atomic<int> calls = 0;
  TestServer server(EchoRouter(&calls), SmallLimits());
  TestClient client(server.port());
  // Only the header is sent: the answer must not wait for the body.
  ASSERT_FALSE(client.Write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 70000000\r\n\r\n"));
  auto response = client.Read();
  ASSERT_TRUE(response) << response.error().message();
  EXPECT_EQ(response->result_int(), 413);
  EXPECT_EQ(ErrorOf(*response, "code"), "payload_too_large");
  std::string message = ErrorOf(*response, "message");
  EXPECT_NE(message.find("70000000"), std::string::npos) << message;
  EXPECT_NE(message.find("1000"), std::string::npos) << message;
  EXPECT_NE(message.find("--max-body-bytes"), std::string::npos) << message;
  EXPECT_FALSE(response->keep_alive());
  EXPECT_TRUE(client.ClosedByPeer());
  EXPECT_EQ(calls, 0);
}

TEST(BodyTest, ChunkedBodyCrossingTheLimitIs413) {
  std::atomic<int> calls = 0;
  TestServer server(EchoRouter(&calls), SmallLimits());
  TestClient client(server.port());
  std::string chunk(600, 'z');
  ASSERT_FALSE(client.Write("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                            "258\r\n" + chunk + "\r\n258\r\n" + chunk + "\r\n"));
  auto response = client.Read();
  ASSERT_TRUE(response) << response.error().message();
  EXPECT_EQ(response->result_int(), 413);
  EXPECT_EQ(calls, 0);
}

TEST(BodyTest, BodyAtTheLimitIsAccepted) {
  std::atomic<int> calls = 0;
  TestServer server(EchoRouter(&calls), SmallLimits());
  TestClient client(server.port());
  auto response = client.Call("POST", "/echo", std::string(1000, 'k'));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 200);
  EXPECT_EQ(response->body().size(), 1000u);
}

TEST(BodyTest, ExpectContinueGets100BeforeTheBody) {
  std::atomic<int> calls = 0;
  TestServer server(EchoRouter(&calls));
  TestClient client(server.port());
  ASSERT_FALSE(client.Write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                            "Expect: 100-continue\r\n\r\n"));
  auto interim = client.ReadUntil("\r\n\r\n");
  ASSERT_TRUE(interim) << interim.error().message();
  EXPECT_EQ(*interim, "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_FALSE(client.Write("hello"));
  auto response = client.Read();
  ASSERT_TRUE(response) << response.error().message();
  EXPECT_EQ(response->result_int(), 200);
  EXPECT_EQ(response->body(), "hello");
}

TEST(BodyTest, ExpectContinueIsNotSentWhenAuthOrLimitsFail) {
  std::atomic<int> calls = 0;
  TestServer server(EchoRouter(&calls), SmallLimits());
  {
    TestClient client(server.port());
    ASSERT_FALSE(client.Write("POST /private HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                              "Expect: 100-continue\r\n\r\n"));
    auto response = client.Read();
    ASSERT_TRUE(response) << response.error().message();
    EXPECT_EQ(response->result_int(), 401);  // final answer, no 100 first
  }
  {
    TestClient client(server.port());
    ASSERT_FALSE(client.Write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n"
                              "Expect: 100-continue\r\n\r\n"));
    auto response = client.Read();
    ASSERT_TRUE(response) << response.error().message();
    EXPECT_EQ(response->result_int(), 413);
  }
  EXPECT_EQ(calls, 0);
}

TEST(BodyTest, StalledBodyGets408) {
  std::atomic<int> calls = 0;
  ServerOptions options;
  options.request_timeout = std::chrono::seconds(1);
  TestServer server(EchoRouter(&calls), options);
  TestClient client(server.port());
  ASSERT_FALSE(client.Write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc"));
  auto response = client.Read();
  ASSERT_TRUE(response) << response.error().message();
  EXPECT_EQ(response->result_int(), 408);
  EXPECT_EQ(ErrorOf(*response, "code"), "request_timeout");
  EXPECT_EQ(calls, 0);
}

}  // namespace
}  // namespace aimass::http
