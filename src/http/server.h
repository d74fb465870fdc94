// The HTTP/1.1 server: Boost.Beast on a pool of io threads, routing, bearer-token auth,
// body limits, uploads to temp files, streamed responses, graceful stop.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "http/request.h"
#include "http/response.h"
#include "http/router.h"

namespace aimass::http {

// Checks a bearer token. Called on io threads, possibly concurrently: must be thread-safe.
// An error with kUnauthenticated becomes 401; other codes map as usual (kInternal: 500).
using Authenticator = std::function<Result<Principal>(std::string_view bearer_token)>;

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0 = pick a free port
  int io_threads = 4;
  // Threads that run handlers of routes that are not Route::quick, so that a slow one (a
  // password check, a model import) never holds up the other connections of an io thread.
  int handler_threads = 8;
  size_t max_header_bytes = 16 * 1024;      // over: 431
  uint64_t max_body_bytes = 64 << 20;       // BodyMode::kBuffered bodies; over: 413
  uint64_t max_upload_bytes = 64ull << 30;  // BodyMode::kFile bodies; over: 413
  // Reading one request's body; over: 408. Uploads (kFile) get this much time per read
  // that makes progress, so a large upload that is still moving is never cut off.
  std::chrono::seconds request_timeout{300};
  std::chrono::seconds idle_timeout{30};  // waiting for the next request's header
  std::filesystem::path upload_dir;       // where kFile bodies go (created if missing)
  // Invalid tokens and failed logins one client address may send per minute before its
  // requests with a token, and its logins, get 429 for the rest of that minute; 0: no limit.
  int auth_failure_limit = 20;
  // One line per answered request (access_log.h) at spdlog's info level; false: none.
  bool access_log = true;
  // HTTPS: a PEM certificate chain and its PEM private key, both or neither (plain HTTP).
  // With them every listener speaks only TLS 1.2+ and responses carry HSTS.
  std::filesystem::path tls_cert_file;
  std::filesystem::path tls_key_file;
  // A TLS client must finish its handshake within this, or the connection is closed.
  std::chrono::seconds handshake_timeout{10};
  // A second listener for the management routes (IsManagementRoute); without a port, none
  // and every route is on the main listener. With one, the management routes are only there
  // (the main listener answers 404 for them) and only they are there.
  std::string management_host = "127.0.0.1";
  std::optional<uint16_t> management_port;  // 0 = pick a free port
};

// Checks that the TLS files come as a pair (both or neither); the error names the missing
// flag (--tls-cert or --tls-key). Start checks the files themselves.
Status CheckTlsFlags(std::string_view cert_file, std::string_view key_file);

// Routes that move to the management listener when there is one: the admin routes
// (Access::kAdmin: users, key rotation, the route table) and GET /metrics.
bool IsManagementRoute(const Route& route);

struct ServerContext;

// Serves a Router. Start, Stop, Wait, port and stopping are thread-safe: Stop may be called
// from a signal-handling thread (one that waits in sigwait or an asio::signal_set, not from
// inside a signal handler), or from a handler (it then returns without waiting).
class Server {
 public:
  Server(ServerOptions options, Router router, Authenticator authenticator);
  ~Server();  // Stop()s and waits
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts the io threads. An error value when the address is in use,
  // the host is not an address, upload_dir cannot be created, or the TLS files cannot be
  // read or do not match; or when already started.
  Status Start();
  // The bound port (after Start; useful with port 0).
  uint16_t port() const;
  // The management listener's bound port (after Start); 0 when there is none.
  uint16_t management_port() const;
  // Whether the listeners speak HTTPS.
  bool tls() const;
  // Graceful stop: stops accepting, closes idle keep-alive connections, lets in-flight
  // requests finish (up to 10 s, then closes them), makes stream writers return false.
  // Blocks until done unless called on an io or stream thread. Idempotent.
  void Stop();
  // Blocks until the server has stopped.
  void Wait();
  bool stopping() const;

 private:
  void RunStop();

  std::unique_ptr<ServerContext> context_;
};

}  // namespace aimass::http
