// Internal: the state one Server shares with its connections (Session) and threads.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "http/asio.h"
#include "http/auth_failures.h"
#include "http/router.h"
#include "http/server.h"
#include "http/tls.h"

namespace aimass::http {

class Session;

// True on the server's io threads and stream threads (Stop must not block there).
inline thread_local bool tls_on_server_thread = false;

// Everything here outlives every Session: the Server waits for all of them before it is
// destroyed. Fields are immutable after Start unless guarded as marked. Member order
// matters: the io_context is destroyed before the registry its sessions unregister from.
struct ServerContext {
  // `r` serves the main listener, `m` the management listener (if options ask for one).
  ServerContext(ServerOptions o, Router r, Router m, Authenticator a)
      : options(std::move(o)),
        router(std::move(r)),
        management_router(std::move(m)),
        authenticator(std::move(a)),
        auth_failures(options.auth_failure_limit),
        iocs(static_cast<size_t>(std::max(1, options.io_threads))),
        handler_pool(static_cast<size_t>(std::max(1, options.handler_threads))) {
    for (auto& ioc : iocs) ioc = std::make_unique<net::io_context>(1);
  }

  // The io_context for the next connection: round robin, so that connections spread over
  // the io threads.
  net::io_context& NextIoContext() { return *iocs[next_ioc++ % iocs.size()]; }

  // Live connections (guarded by mu); cv signals when one ends.
  void AddSession(const std::shared_ptr<Session>& session);
  void RemoveSession(Session* session);
  std::vector<std::shared_ptr<Session>> LiveSessions();
  // False if connections are still open after `timeout`.
  bool WaitForNoSessions(std::chrono::milliseconds timeout);
  void StreamStarted();
  void StreamEnded();

  const ServerOptions options;
  const Router router;
  const Router management_router;
  const Authenticator authenticator;
  AuthFailureLimiter auth_failures;
  std::atomic<bool> stopping{false};
  std::atomic<uint16_t> port{0};
  std::atomic<uint16_t> management_port{0};
  std::atomic<uint64_t> next_upload{0};

  std::mutex mu;
  std::condition_variable cv;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;  // guarded by mu
  int streams = 0;                                                // guarded by mu

  std::mutex state_mu;
  std::condition_variable state_cv;
  bool started = false;         // guarded by state_mu
  bool stop_requested = false;  // guarded by state_mu
  bool stopped = false;         // guarded by state_mu
  std::thread stopper;
  std::vector<std::thread> io_threads;

  // Set by Start (before any connection) when the options name a certificate; then every
  // connection is TLS. Shared read-only by all connections.
  std::unique_ptr<ssl::context> tls;
  // One io_context per io thread, each run by its thread alone: a connection's handlers all
  // run on one thread, in order, so a connection needs no strand, and no thread hands a
  // connection's next step to another (on a small machine those hand-offs, and the strands'
  // locks, cost more than the HTTP parsing). The acceptors live on the first.
  std::vector<std::unique_ptr<net::io_context>> iocs;
  std::atomic<uint64_t> next_ioc{0};
  std::optional<tcp::acceptor> acceptor;
  std::optional<tcp::acceptor> management_acceptor;
  std::vector<net::executor_work_guard<net::io_context::executor_type>> work;
  // Runs the handlers of routes that are not quick (Session::Dispatch).
  net::thread_pool handler_pool;
};

}  // namespace aimass::http
