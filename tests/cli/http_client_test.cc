#include "cli/http_client.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "cli/api_client.h"
#include "cli/fake_server.h"
#include "cli/job_waiter.h"

namespace aimass::cli {
namespace {

using testutil::ErrorReply;
using testutil::FakeReply;
using testutil::FakeRequest;
using testutil::FakeServer;

ServerUrl UrlOf(const FakeServer& server, std::string prefix = "") {
  return ServerUrl{"127.0.0.1", server.port(), std::move(prefix)};
}

TEST(HttpClientTest, GetSendsHeadersAndReturnsStatusAndBody) {
  FakeServer server([](const FakeRequest&) { return FakeReply{200, "text/plain", "hello"}; });
  HttpClient client(UrlOf(server, "/pre"), {{"Authorization", "Bearer t"}});
  auto response = client.Get("/api/v1/version");
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "hello");
  EXPECT_EQ(response->content_type, "text/plain");
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].target, "/pre/api/v1/version");
  EXPECT_EQ(requests[0].headers["authorization"], "Bearer t");
}

TEST(HttpClientTest, ReadsChunkedAnswersAndErrorStatusesAsValues) {
  FakeServer server([](const FakeRequest& r) {
    if (r.method == "DELETE") return FakeReply{204, "application/json", ""};
    FakeReply reply{404, "application/json", std::string(100000, 'x')};
    reply.chunked = true;
    return reply;
  });
  HttpClient client(UrlOf(server), {});
  auto response = client.Get("/missing");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 404);
  EXPECT_EQ(response->body.size(), 100000u);
  auto deleted = client.Delete("/x");
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->status, 204);
}

TEST(HttpClientTest, PostFileStreamsTheExactBytesWithContentLength) {
  char pattern[] = "/tmp/aimass_cli_upload_XXXXXX";
  int fd = ::mkstemp(pattern);
  ASSERT_GE(fd, 0);
  ::close(fd);
  std::string contents(1'500'000, '\0');
  std::mt19937 random(42);
  for (char& c : contents) c = static_cast<char>(random());
  std::ofstream(pattern, std::ios::binary) << contents;

  FakeServer server([](const FakeRequest&) { return FakeReply{202, "application/json", "{}"}; });
  HttpClient client(UrlOf(server), {});
  std::vector<std::pair<uint64_t, uint64_t>> calls;
  auto response = client.PostFile("/api/v1/datasets?name=a", pattern, "application/octet-stream",
                                  [&](uint64_t done, uint64_t total) {
                                    calls.push_back({done, total});
                                  });
  std::filesystem::remove(pattern);
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 202);
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].headers["content-length"], "1500000");
  EXPECT_EQ(requests[0].headers.count("transfer-encoding"), 0u);
  EXPECT_EQ(requests[0].headers["content-type"], "application/octet-stream");
  EXPECT_TRUE(requests[0].body == contents) << "the uploaded bytes differ";
  ASSERT_GT(calls.size(), 3u);  // sent in chunks, with progress after each
  EXPECT_EQ(calls.back(), (std::pair<uint64_t, uint64_t>{1'500'000, 1'500'000}));
  for (size_t i = 1; i < calls.size(); ++i) EXPECT_GT(calls[i].first, calls[i - 1].first);
}

TEST(HttpClientTest, PostFileOfAnEmptyFileSendsAnEmptyBody) {
  char pattern[] = "/tmp/aimass_cli_empty_XXXXXX";
  int fd = ::mkstemp(pattern);
  ASSERT_GE(fd, 0);
  ::close(fd);
  FakeServer server([](const FakeRequest&) { return FakeReply{202, "application/json", "{}"}; });
  HttpClient client(UrlOf(server), {});
  auto response = client.PostFile("/up", pattern, "application/octet-stream", {});
  std::filesystem::remove(pattern);
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(server.requests().at(0).headers["content-length"], "0");
}

TEST(HttpClientTest, DownloadStreamsTheBodyToTheSink) {
  std::string data(700'000, 'd');
  FakeServer server([&](const FakeRequest&) { return FakeReply{200, "text/csv", data}; });
  HttpClient client(UrlOf(server), {});
  std::string received;
  uint64_t last_done = 0, last_total = 0;
  auto response = client.Download(
      "/export",
      [&](std::string_view chunk) {
        received += chunk;
        return true;
      },
      [&](uint64_t done, uint64_t total) {
        last_done = done;
        last_total = total;
      });
  ASSERT_TRUE(response);
  EXPECT_TRUE(response->body.empty());
  EXPECT_EQ(received, data);
  EXPECT_EQ(last_done, data.size());
  EXPECT_EQ(last_total, data.size());
}

TEST(HttpClientTest, ReadEventsDeliversEachEventAsItArrives) {
  FakeServer server([](const FakeRequest&) {
    FakeReply reply{200, "text/event-stream", ""};
    reply.parts = {"event: job\ndata: first\n\n", "event: job\ndata: second\n\n"};
    reply.part_delay = std::chrono::milliseconds(1500);
    return reply;
  });
  HttpClient client(UrlOf(server), {});
  std::vector<std::string> seen;
  auto start = std::chrono::steady_clock::now();
  auto response = client.ReadEvents("/events", [&](const SseEvent& event) {
    seen.push_back(event.data);
    return false;  // stop after the first: it must not wait for the second
  });
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(seen, std::vector<std::string>{"first"});
  EXPECT_LT(elapsed, std::chrono::milliseconds(1000));
}

TEST(HttpClientTest, ReadEventsReadsAStreamThatEndsWithTheConnection) {
  FakeServer server([](const FakeRequest&) {
    FakeReply reply{200, "text/event-stream", ""};
    reply.parts = {"data: a\n\n", "data: b\n", "\n"};
    return reply;
  });
  HttpClient client(UrlOf(server), {});
  std::vector<std::string> seen;
  auto response = client.ReadEvents("/events", [&](const SseEvent& event) {
    seen.push_back(event.data);
    return true;
  });
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b"}));
}

TEST(HttpClientTest, ConnectionRefusedNamesTheUrlAndSuggestsServe) {
  uint16_t port;
  {
    FakeServer server([](const FakeRequest&) { return FakeReply{}; });
    port = server.port();
  }  // closed: nothing listens there now
  HttpClient client(ServerUrl{"127.0.0.1", port, ""}, {});
  auto response = client.Get("/api/v1/whoami");
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(response.error().message.find("http://127.0.0.1:" + std::to_string(port)),
            std::string::npos);
  EXPECT_NE(response.error().message.find("aimass serve"), std::string::npos)
      << response.error().message;
}

TEST(HttpClientTest, SilentServerHitsTheTimeout) {
  FakeServer server([](const FakeRequest&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    return FakeReply{};
  });
  HttpClientOptions options;
  options.io_timeout = std::chrono::milliseconds(100);
  HttpClient client(UrlOf(server), {}, options);
  auto response = client.Get("/slow");
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kDeadlineExceeded);
  EXPECT_NE(response.error().message.find("no answer from http://127.0.0.1"), std::string::npos)
      << response.error().message;
}

TEST(ApiClientTest, ErrorJsonBecomesTheServersMessage) {
  FakeServer server([](const FakeRequest&) {
    return ErrorReply(404, "not_found",
                      "dataset 'x' does not exist; list datasets with GET /api/v1/datasets");
  });
  ApiClient api(UrlOf(server), "t");
  auto answer = api.Get("/datasets/x");
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(answer.error().message,
            "dataset 'x' does not exist; list datasets with GET /api/v1/datasets");
  EXPECT_EQ(server.requests().at(0).target, "/api/v1/datasets/x");
  EXPECT_EQ(server.requests().at(0).headers["authorization"], "Bearer t");
}

TEST(ApiClientTest, NonJsonErrorsStillSaySomethingUseful) {
  FakeServer server([](const FakeRequest& r) {
    if (r.target.ends_with("/whoami")) return FakeReply{401, "text/plain", ""};
    return FakeReply{502, "text/html", "<html>bad gateway</html>"};
  });
  ApiClient api(UrlOf(server), "t");
  auto whoami = api.Get("/whoami");
  ASSERT_FALSE(whoami);
  EXPECT_EQ(whoami.error().code, ErrorCode::kUnauthenticated);
  EXPECT_NE(whoami.error().message.find("aimass login"), std::string::npos);
  auto other = api.Get("/jobs");
  ASSERT_FALSE(other);
  EXPECT_NE(other.error().message.find("HTTP 502: <html>bad gateway</html>"), std::string::npos)
      << other.error().message;
}

std::string JobJson(const std::string& state, int progress, const std::string& message = "") {
  return R"({"id":7,"kind":"dataset.import","state":")" + state + R"(","progress":)" +
         std::to_string(progress) + R"(,"message":")" + message + R"("})";
}

TEST(WaitForJobTest, FollowsTheEventStream) {
  FakeServer server([](const FakeRequest& r) {
    EXPECT_EQ(r.target, "/api/v1/jobs/7/events");
    FakeReply reply{200, "text/event-stream",
                    "event: job\ndata: " + JobJson("queued", 0) + "\n\n: ping\n\n" +
                        "event: job\ndata: " + JobJson("running", 50, "parsing") + "\n\n" +
                        "event: job\ndata: " + JobJson("succeeded", 100) + "\n\n"};
    reply.chunked = true;
    return reply;
  });
  ApiClient api(UrlOf(server), "t");
  std::ostringstream out;
  ProgressBar bar(out, /*is_terminal=*/true);
  auto job = WaitForJob(api, 7, bar);
  ASSERT_TRUE(job) << job.error().message;
  EXPECT_EQ(job->value("state", ""), "succeeded");
  EXPECT_EQ(server.requests().size(), 1u);  // no polling needed
  EXPECT_NE(out.str().find(RenderProgressBar(50, "parsing")), std::string::npos);
  EXPECT_NE(out.str().find(RenderProgressBar(100, "succeeded")), std::string::npos);
}

TEST(WaitForJobTest, PollsWhenTheStreamFailsOrEndsEarly) {
  for (bool stream_ends_early : {false, true}) {
    int polls = 0;
    FakeServer server([&](const FakeRequest& r) {
      if (r.target.ends_with("/events")) {
        if (!stream_ends_early) return ErrorReply(500, "internal", "no streams today");
        return FakeReply{200, "text/event-stream",
                         "event: job\ndata: " + JobJson("running", 10) + "\n\n"};
      }
      EXPECT_EQ(r.target, "/api/v1/jobs/7");
      ++polls;
      return FakeReply{200, "application/json",
                       polls < 3 ? JobJson("running", 30 * polls) : JobJson("failed", 60)};
    });
    ApiClient api(UrlOf(server), "t");
    std::ostringstream out;
    ProgressBar bar(out, /*is_terminal=*/false);
    std::vector<std::chrono::milliseconds> sleeps;
    WaitOptions options{std::chrono::milliseconds(300),
                        [&](std::chrono::milliseconds d) { sleeps.push_back(d); }, {}};
    auto job = WaitForJob(api, 7, bar, options);
    ASSERT_TRUE(job) << job.error().message;
    EXPECT_EQ(job->value("state", ""), "failed");
    EXPECT_EQ(polls, 3);
    EXPECT_EQ(sleeps, std::vector<std::chrono::milliseconds>(2, std::chrono::milliseconds(300)));
  }
}

TEST(WaitForJobTest, UnknownJobIsAnError) {
  FakeServer server(
      [](const FakeRequest&) { return ErrorReply(404, "not_found", "job 7 does not exist"); });
  ApiClient api(UrlOf(server), "t");
  std::ostringstream out;
  ProgressBar bar(out, false);
  auto job = WaitForJob(api, 7, bar);
  ASSERT_FALSE(job);
  EXPECT_EQ(job.error().message, "job 7 does not exist");
}

}  // namespace
}  // namespace aimass::cli
