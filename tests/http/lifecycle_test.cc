// Start, Stop and Wait: graceful stop with requests in flight, idle connections, threads.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "http/server.h"
#include "http/test_client.h"
#include "http/test_server.h"

namespace aimass::http {
namespace {

using testing::Eventually;
using testing::TestClient;
using testing::TestServer;

struct Flags {
  std::atomic<bool> started = false;
  std::atomic<bool> finished = false;
  Server* server = nullptr;
};

Router SlowRouter(Flags* flags) {
  Router router;
  router.Add({"GET", "/slow", Access::kPublic, BodyMode::kBuffered, [flags](Request&) {
                flags->started = true;
                std::this_thread::sleep_for(std::chrono::milliseconds(500));
                flags->finished = true;
                return JsonResponse(200, {{"done", true}});
              }});
  router.Add({"POST", "/echo", Access::kPublic, BodyMode::kBuffered, [](Request& request) {
                return JsonResponse(200, {{"body", request.body}});
              }});
  router.Add(Quick({"GET", "/fast", Access::kPublic, BodyMode::kBuffered, [](Request&) {
                      return JsonResponse(200, {{"done", true}});
                    }}));
  router.Add({"POST", "/shutdown", Access::kPublic, BodyMode::kBuffered, [flags](Request&) {
                flags->server->Stop();  // from an io thread: must not wait for itself
                return JsonResponse(202, {{"stopping", true}});
              }});
  return router;
}

TEST(LifecycleTest, StopLetsAnInFlightRequestFinish) {
  Flags flags;
  TestServer server(SlowRouter(&flags));
  std::optional<std::expected<testing::ClientResponse, beast::error_code>> result;
  std::thread caller([&] {
    TestClient client(server.port());
    result = client.Call("GET", "/slow");
  });
  ASSERT_TRUE(Eventually([&] { return flags.started.load(); }));
  server.server().Stop();
  EXPECT_TRUE(flags.finished);
  caller.join();
  ASSERT_TRUE(result && *result) << (result ? result->error().message() : "no result");
  EXPECT_EQ((*result)->result_int(), 200);
  EXPECT_FALSE((*result)->keep_alive());  // the server is going away
  EXPECT_TRUE(server.server().stopping());
}

TEST(LifecycleTest, ASlowHandlerHoldsUpNoOtherConnection) {
  Flags flags;
  TestServer server(SlowRouter(&flags));
  std::thread caller([&] {
    TestClient client(server.port());
    auto slow = client.Call("GET", "/slow");
    EXPECT_TRUE(slow && slow->result_int() == 200);
  });
  ASSERT_TRUE(Eventually([&] { return flags.started.load(); }));
  // Connections go round the io threads: some of these share the slow one's thread. Quick
  // handlers run there, the others on the handler threads; none waits for /slow.
  for (int i = 0; i < 4; ++i) {
    TestClient client(server.port());
    auto fast = client.Call("GET", "/fast");
    ASSERT_TRUE(fast) << fast.error().message();
    EXPECT_EQ(fast->result_int(), 200);
    auto echo = client.Call("POST", "/echo", "x");
    ASSERT_TRUE(echo) << echo.error().message();
    EXPECT_EQ(echo->result_int(), 200);
  }
  EXPECT_FALSE(flags.finished) << "the other requests waited for /slow";
  caller.join();
}

TEST(LifecycleTest, StopWaitsForARequestWhoseBodyIsStillArriving) {
  Flags flags;
  TestServer server(SlowRouter(&flags));
  TestClient client(server.port());
  ASSERT_FALSE(client.Write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello"));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the header is in
  std::thread stopper([&] { server.server().Stop(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(server.server().stopping() && flags.finished);
  ASSERT_FALSE(client.Write("world"));
  auto response = client.Read();
  stopper.join();
  ASSERT_TRUE(response) << response.error().message();
  EXPECT_EQ(response->result_int(), 200);
  EXPECT_NE(response->body().find("helloworld"), std::string::npos);
  EXPECT_FALSE(response->keep_alive());
}

TEST(LifecycleTest, StopClosesIdleKeepAliveConnectionsAtOnce) {
  Flags flags;
  TestServer server(SlowRouter(&flags));
  TestClient idle(server.port());
  ASSERT_TRUE(idle.Call("GET", "/fast"));
  TestClient never_sent(server.port());
  auto start = std::chrono::steady_clock::now();
  server.server().Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_TRUE(idle.ClosedByPeer());
  EXPECT_TRUE(never_sent.ClosedByPeer());
  TestClient late(server.port());
  EXPECT_TRUE(late.connect_error());  // no longer listening
}

TEST(LifecycleTest, WaitReturnsWhenAnotherThreadStops) {
  Flags flags;
  TestServer server(SlowRouter(&flags));
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    server.server().Stop();
  });
  server.server().Wait();
  EXPECT_TRUE(server.server().stopping());
  stopper.join();
}

TEST(LifecycleTest, AHandlerMayStopTheServer) {
  Flags flags;
  TestServer server(SlowRouter(&flags));
  flags.server = &server.server();
  TestClient client(server.port());
  auto response = client.Call("POST", "/shutdown");
  ASSERT_TRUE(response) << response.error().message();
  EXPECT_EQ(response->result_int(), 202);
  server.server().Wait();
}

TEST(LifecycleTest, StopBeforeStartAndTwiceIsFine) {
  Flags flags;
  Server server(ServerOptions{}, SlowRouter(&flags), testing::TestAuthenticator());
  server.Stop();
  server.Stop();
  server.Wait();
  EXPECT_FALSE(server.Start());
}

TEST(LifecycleTest, ManyConnectionsAtOnce) {
  Flags flags;
  TestServer server(SlowRouter(&flags));
  std::vector<std::thread> threads;
  std::atomic<int> ok = 0;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      TestClient client(server.port());
      for (int i = 0; i < 50; ++i) {
        auto response = client.Call("GET", "/fast");
        if (response && response->result_int() == 200) ++ok;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok, 400);
}

}  // namespace
}  // namespace aimass::http
