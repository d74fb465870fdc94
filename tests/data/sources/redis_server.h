// A redis-server of a test's own (Debian's redis-server) on a free loopback port, without
// persistence, stopped with the object. For the redis source's tests and benchmarks.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "data/sources/postgres_server.h"  // FreeLoopbackPort
#include "data/sources/redis_connection.h"

namespace aimass::data::sources {

// Not thread-safe.
class RedisTestServer {
 public:
  // An error says why the server did not answer within 10 s.
  // With a `password`, clients must AUTH (requirepass).
  static Result<std::unique_ptr<RedisTestServer>> Start(const std::string& password = "") {
    const std::string binary = "/usr/bin/redis-server";
    std::unique_ptr<RedisTestServer> server(new RedisTestServer());
    server->port_ = FreeLoopbackPort();
    std::string port = std::to_string(server->port_);
    server->pid_ = fork();
    if (server->pid_ == 0) {
      int null_fd = open("/dev/null", O_WRONLY);  // its start-up banner is noise in test logs
      dup2(null_fd, STDOUT_FILENO);
      dup2(null_fd, STDERR_FILENO);
      std::vector<const char*> argv = {binary.c_str(), "--port",     port.c_str(), "--bind",
                                       "127.0.0.1",    "--save",     "",           "--appendonly",
                                       "no",           "--loglevel", "warning"};
      if (!password.empty()) {
        argv.push_back("--requirepass");
        argv.push_back(password.c_str());
      }
      argv.push_back(nullptr);
      execv(binary.c_str(), const_cast<char* const*>(argv.data()));
      _exit(127);
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      server->password_ = password;
      auto connection = server->Connect();
      if (connection) return server;
      int status = 0;
      if (waitpid(server->pid_, &status, WNOHANG) == server->pid_) {
        server->pid_ = -1;
        return Fail(ErrorCode::kUnavailable, binary + " exited at once (status " +
                                                 std::to_string(status) +
                                                 "): run scripts/setup (package redis-server)");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return Fail(ErrorCode::kUnavailable, binary + " did not answer on " + server->address());
  }

  ~RedisTestServer() { Stop(); }

  // Kills the server (a test of a server that went away).
  void Stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

  // Runs one command; fails the caller's expectations through the Result.
  Result<RedisReply> Command(const std::vector<std::string>& args) const {
    AIMASS_ASSIGN_OR_RETURN(RedisConnection connection, Connect());
    return connection.Command(args);
  }

  // XADDs `count` entries {"n": i, "text": "entry i"} (i from `first`), pipelined.
  Status AddEntries(const std::string& stream, int count, int first = 0) const {
    AIMASS_ASSIGN_OR_RETURN(RedisConnection connection, Connect());
    for (int done = 0; done < count;) {
      int chunk = std::min(count - done, 1000);
      for (int i = done; i < done + chunk; ++i) {
        connection.Append({"XADD", stream, "*", "n", std::to_string(first + i), "text",
                           "entry " + std::to_string(first + i)});
      }
      for (int i = 0; i < chunk; ++i) {
        AIMASS_ASSIGN_OR_RETURN(RedisReply reply, connection.Reply());
        if (reply->type == REDIS_REPLY_ERROR) return Fail(ErrorCode::kInternal, reply->str);
      }
      done += chunk;
    }
    return Ok();
  }

 private:
  RedisTestServer() = default;
  Result<RedisConnection> Connect() const {
    return RedisConnection::Open(
        address(), password_.empty() ? std::nullopt : std::optional(password_), 10'000);
  }

  uint16_t port_ = 0;
  pid_t pid_ = -1;
  std::string password_;
};

}  // namespace aimass::data::sources
