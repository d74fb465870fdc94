// BodyMode::kFile: bodies streamed to a temp file, and what happens when they are cut off.
#include <algorithm>
#include <atomic>
#include <cstring>
#include <fstream>
#include <mutex>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "http/server.h"
#include "http/test_client.h"
#include "http/test_server.h"

namespace aimass::http {
namespace {

using testing::Eventually;
using testing::TestClient;
using testing::TestServer;
namespace fs = std::filesystem;

constexpr uint64_t kFnvOffset = 14695981039346656037ull;

uint64_t Fnv1a(uint64_t hash, std::string_view data) {
  for (unsigned char c : data) hash = (hash ^ c) * 1099511628211ull;
  return hash;
}

uint64_t HashFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string buffer(1 << 20, '\0');
  uint64_t hash = kFnvOffset;
  while (in.read(buffer.data(), buffer.size()) || in.gcount() > 0) {
    hash = Fnv1a(hash, std::string_view(buffer.data(), in.gcount()));
  }
  return hash;
}

// The n-th MiB of a deterministic test body.
std::string Piece(uint64_t n, size_t size = 1 << 20) {
  std::string piece(size, '\0');
  uint64_t x = n * 0x9E3779B97F4A7C15ull + 1;
  for (size_t i = 0; i < size; i += sizeof(x)) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    std::memcpy(piece.data() + i, &x, std::min(sizeof(x), size - i));
  }
  return piece;
}

struct UploadLog {
  std::mutex mu;
  int calls = 0;
  fs::path seen_file;
  std::string keep_to;  // when set, the handler moves the file here
};

Router UploadRouter(UploadLog* log) {
  Router router;
  router.Add({"POST", "/upload", Access::kUser, BodyMode::kFile, [log](Request& request) {
                std::lock_guard lock(log->mu);
                ++log->calls;
                log->seen_file = request.body_file;
                nlohmann::json answer = {
                    {"size", request.body_size},
                    {"file_size", fs::file_size(request.body_file)},
                    {"hash", std::to_string(HashFile(request.body_file))},
                    {"body_empty", request.body.empty()},
                    {"name", request.Query("name")}};
                if (!log->keep_to.empty()) fs::rename(request.body_file, log->keep_to);
                return JsonResponse(202, answer);
              }});
  return router;
}

std::string UploadHeader(uint64_t length) {
  return "POST /upload?name=big HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer user-token\r\n"
         "Content-Length: " + std::to_string(length) + "\r\n\r\n";
}

TEST(UploadTest, FiftyMegabytesAreStreamedToATempFile) {
  UploadLog log;
  TestServer server(UploadRouter(&log));
  TestClient client(server.port());
  constexpr uint64_t kPieces = 50;
  ASSERT_FALSE(client.Write(UploadHeader(kPieces << 20)));
  uint64_t hash = kFnvOffset;
  for (uint64_t i = 0; i < kPieces; ++i) {
    std::string piece = Piece(i);
    hash = Fnv1a(hash, piece);
    ASSERT_FALSE(client.Write(piece));
  }
  auto response = client.Read();
  ASSERT_TRUE(response) << response.error().message();
  ASSERT_EQ(response->result_int(), 202) << response->body();
  auto body = nlohmann::json::parse(response->body());
  EXPECT_EQ(body["size"], kPieces << 20);
  EXPECT_EQ(body["file_size"], kPieces << 20);
  EXPECT_EQ(body["hash"], std::to_string(hash));
  EXPECT_EQ(body["body_empty"], true);
  EXPECT_EQ(body["name"], "big");
  {
    std::lock_guard lock(log.mu);
    EXPECT_EQ(log.seen_file.parent_path(), server.upload_dir());
  }
  // Deleted once the handler returned, since it left the file in place.
  EXPECT_EQ(server.UploadFileCount(), 0u);
  EXPECT_TRUE(response->keep_alive());
}

TEST(UploadTest, HandlerMayKeepTheFileByMovingIt) {
  UploadLog log;
  TestServer server(UploadRouter(&log));
  log.keep_to = (server.dir() / "kept").string();
  TestClient client(server.port());
  auto response = client.Call("POST", "/upload", Piece(7, 12345),
                              {{"Authorization", "Bearer user-token"},
                               {"Expect", "100-continue"}});
  // Beast's client reads the interim 100 as a message of its own.
  if (response && response->result_int() == 100) response = client.Read();
  ASSERT_TRUE(response) << response.error().message();
  EXPECT_EQ(response->result_int(), 202);
  EXPECT_EQ(fs::file_size(log.keep_to), 12345u);
  EXPECT_EQ(server.UploadFileCount(), 0u);
}

TEST(UploadTest, CutOffUploadNeverReachesTheHandlerAndLeavesNoFile) {
  UploadLog log;
  TestServer server(UploadRouter(&log));
  {
    TestClient client(server.port());
    ASSERT_FALSE(client.Write(UploadHeader(10 << 20)));
    for (int i = 0; i < 5; ++i) ASSERT_FALSE(client.Write(Piece(i)));
    ASSERT_TRUE(Eventually([&] { return server.UploadFileCount() == 1; }))
        << "the upload never started";
    client.Close();
  }
  EXPECT_TRUE(Eventually([&] { return server.UploadFileCount() == 0; }))
      << "the temp file of a cut-off upload is still there";
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::lock_guard lock(log.mu);
  EXPECT_EQ(log.calls, 0);
}

TEST(UploadTest, UploadOverItsLimitIs413BeforeAnyFileIsMade) {
  UploadLog log;
  ServerOptions options;
  options.max_upload_bytes = 1 << 20;
  options.max_body_bytes = 10;  // not the limit for kFile routes
  TestServer server(UploadRouter(&log), options);
  TestClient client(server.port());
  ASSERT_FALSE(client.Write(UploadHeader(2 << 20)));
  auto response = client.Read();
  ASSERT_TRUE(response) << response.error().message();
  EXPECT_EQ(response->result_int(), 413);
  EXPECT_NE(response->body().find("--max-upload-bytes"), std::string::npos);
  EXPECT_EQ(server.UploadFileCount(), 0u);

  TestClient small(server.port());
  auto ok = small.Call("POST", "/upload", std::string(1000, 'a'),
                       {{"Authorization", "Bearer user-token"}});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->result_int(), 202);
}

TEST(UploadTest, UnauthenticatedUploadMakesNoFile) {
  UploadLog log;
  TestServer server(UploadRouter(&log));
  TestClient client(server.port());
  auto response = client.Call("POST", "/upload", std::string(5000, 'a'));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 401);
  EXPECT_EQ(server.UploadFileCount(), 0u);
  std::lock_guard lock(log.mu);
  EXPECT_EQ(log.calls, 0);
}

}  // namespace
}  // namespace aimass::http
