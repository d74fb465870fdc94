// A Server on a free port with a temp upload directory and a fixed token table, for tests.
#pragma once

#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "http/server.h"

namespace aimass::http::testing {

// "user-token" is alice (id 1, read and write), "admin-token" is root (id 2, admin);
// "read-token" is alice with the read scope only, "predict-token" alice limited to predicting
// on endpoint "web"; "broken-token" makes the authenticator fail internally; anything else is
// refused.
inline Authenticator TestAuthenticator() {
  return [](std::string_view token) -> Result<Principal> {
    if (token == "user-token") return Principal{1, "alice", false, {.read = true, .write = true}, ""};
    if (token == "admin-token") return Principal{2, "root", true, {.admin = true}, ""};
    if (token == "read-token") return Principal{1, "alice", false, {.read = true}, ""};
    if (token == "predict-token") return Principal{1, "alice", false, {.predict = true}, "web"};
    if (token == "broken-token") return Fail(ErrorCode::kInternal, "the token store is down");
    return Fail(ErrorCode::kUnauthenticated, "the token is not valid; log in again");
  };
}

inline std::filesystem::path MakeTempDir() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "aimass-http-test-XXXXXX").string();
  char* made = ::mkdtemp(pattern.data());
  EXPECT_NE(made, nullptr);
  return pattern;
}

// Owns a started Server and its temp directory; stops and cleans up when destroyed.
class TestServer {
 public:
  explicit TestServer(Router router, ServerOptions options = {}) : dir_(MakeTempDir()) {
    options.host = "127.0.0.1";
    options.port = 0;
    options.io_threads = 2;
    options.upload_dir = dir_ / "uploads";
    upload_dir_ = options.upload_dir;
    server_ = std::make_unique<Server>(std::move(options), std::move(router), TestAuthenticator());
    Status started = server_->Start();
    EXPECT_TRUE(started) << (started ? "" : started.error().message);
  }
  ~TestServer() {
    server_->Stop();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  Server& server() { return *server_; }
  uint16_t port() const { return server_->port(); }
  const std::filesystem::path& upload_dir() const { return upload_dir_; }
  const std::filesystem::path& dir() const { return dir_; }

  size_t UploadFileCount() const {
    size_t n = 0;
    for (const auto& entry : std::filesystem::directory_iterator(upload_dir_)) {
      (void)entry;
      ++n;
    }
    return n;
  }

 private:
  std::filesystem::path dir_;
  std::filesystem::path upload_dir_;
  std::unique_ptr<Server> server_;
};

// Polls `condition` every 10 ms for up to `timeout`; true once it holds.
template <typename Condition>
bool Eventually(Condition condition, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

}  // namespace aimass::http::testing
