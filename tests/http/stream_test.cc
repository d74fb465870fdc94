// Response::stream: chunked bodies written from their own thread.
#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "http/server.h"
#include "http/test_client.h"
#include "http/test_server.h"

namespace aimass::http {
namespace {

using testing::Eventually;
using testing::TestClient;
using testing::TestServer;

struct StreamLog {
  std::atomic<int> writes = 0;
  std::atomic<bool> saw_false = false;
  std::atomic<bool> returned = false;
};

Router StreamRouter(StreamLog* log) {
  Router router;
  router.Add({"GET", "/events", Access::kPublic, BodyMode::kBuffered, [](Request&) {
                Response response;
                response.content_type = "text/event-stream";
                response.headers.emplace_back("Cache-Control", "no-cache");
                response.stream = [](const ChunkWriter& write) -> Status {
                  for (int i = 0; i < 5; ++i) {
                    if (!write("event: job\ndata: " + std::to_string(i) + "\n\n")) break;
                    std::this_thread::sleep_for(std::chrono::milliseconds(5));
                  }
                  return Ok();
                };
                return response;
              }});
  router.Add({"GET", "/forever", Access::kPublic, BodyMode::kBuffered, [log](Request&) {
                Response response;
                response.content_type = "text/plain";
                response.stream = [log](const ChunkWriter& write) -> Status {
                  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(20);
                  while (std::chrono::steady_clock::now() < end) {
                    if (!write("tick\n")) {
                      log->saw_false = true;
                      break;
                    }
                    ++log->writes;
                    std::this_thread::sleep_for(std::chrono::milliseconds(10));
                  }
                  log->returned = true;
                  return Ok();
                };
                return response;
              }});
  router.Add({"GET", "/fails", Access::kPublic, BodyMode::kBuffered, [](Request&) {
                Response response;
                response.stream = [](const ChunkWriter& write) -> Status {
                  write("partial");
                  return Fail(ErrorCode::kInternal, "the export broke");
                };
                return response;
              }});
  return router;
}

TEST(StreamTest, ChunksArriveAndTheConnectionCloses) {
  StreamLog log;
  TestServer server(StreamRouter(&log));
  TestClient client(server.port());
  auto response = client.Call("GET", "/events", "", {{"X-Request-Id", "sse-1"}});
  ASSERT_TRUE(response) << response.error().message();
  EXPECT_EQ(response->result_int(), 200);
  EXPECT_TRUE(response->chunked());
  EXPECT_EQ((*response)[bhttp::field::content_type], "text/event-stream");
  EXPECT_EQ((*response)["Cache-Control"], "no-cache");
  EXPECT_EQ((*response)["X-Request-Id"], "sse-1");
  EXPECT_EQ((*response)[bhttp::field::server], "aimass");
  std::string expected;
  for (int i = 0; i < 5; ++i) expected += "event: job\ndata: " + std::to_string(i) + "\n\n";
  EXPECT_EQ(response->body(), expected);
  EXPECT_TRUE(client.ClosedByPeer());
}

TEST(StreamTest, ChunksArriveOneByOne) {
  StreamLog log;
  TestServer server(StreamRouter(&log));
  TestClient client(server.port());
  ASSERT_FALSE(client.Write("GET /forever HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto head = client.ReadUntil("\r\n\r\n");
  ASSERT_TRUE(head);
  EXPECT_NE(head->find("Transfer-Encoding: chunked"), std::string::npos) << *head;
  auto first = client.ReadUntil("tick\n");
  ASSERT_TRUE(first);
  EXPECT_FALSE(log.returned);  // still streaming while the client reads
  client.Close();
  EXPECT_TRUE(Eventually([&] { return log.returned.load(); }));
}

TEST(StreamTest, WriteReturnsFalseOnceTheClientIsGone) {
  StreamLog log;
  TestServer server(StreamRouter(&log));
  {
    TestClient client(server.port());
    ASSERT_FALSE(client.Write("GET /forever HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_TRUE(client.ReadUntil("tick\n"));
    ASSERT_TRUE(client.ReadUntil("tick\n"));
    client.Close();
  }
  EXPECT_TRUE(Eventually([&] { return log.returned.load(); }, std::chrono::seconds(5)));
  EXPECT_TRUE(log.saw_false);
}

TEST(StreamTest, AFailedStreamEndsWithoutTheLastChunk) {
  StreamLog log;
  TestServer server(StreamRouter(&log));
  TestClient client(server.port());
  auto response = client.Call("GET", "/fails");
  ASSERT_FALSE(response);  // the client sees a truncated body, not a complete one
  EXPECT_EQ(response.error(), bhttp::error::partial_message);
}

TEST(StreamTest, StopEndsStreams) {
  StreamLog log;
  TestServer server(StreamRouter(&log));
  TestClient client(server.port());
  ASSERT_FALSE(client.Write("GET /forever HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(client.ReadUntil("tick\n"));
  auto start = std::chrono::steady_clock::now();
  server.server().Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_TRUE(log.returned);
  EXPECT_TRUE(log.saw_false);
  EXPECT_TRUE(client.ClosedByPeer());
}

}  // namespace
}  // namespace aimass::http
