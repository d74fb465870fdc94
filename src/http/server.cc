#include "http/server.h"

#include <spdlog/spdlog.h>

#include <future>

#include "http/server_context.h"
#include "http/session.h"

namespace aimass::http {

namespace {

constexpr auto kGracePeriod = std::chrono::seconds(10);
constexpr auto kForceClosePeriod = std::chrono::seconds(5);

// Accepts on `acceptor` forever; its connections use `router`.
void Accept(ServerContext* context, tcp::acceptor* acceptor, const Router* router) {
  acceptor->async_accept(context->NextIoContext(), [context, acceptor, router](beast::error_code ec,
                                                                               tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor->is_open()) return;
    if (ec) {
      spdlog::warn("accepting a connection failed: {}", ec.message());
    } else if (!context->stopping) {
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      std::make_shared<Session>(*context, std::move(socket), *router)->Start();
    }
    Accept(context, acceptor, router);
  });
}

void RunIoThread(net::io_context* ioc) {
  tls_on_server_thread = true;
  while (true) {
    try {
      ioc->run();
      return;
    } catch (const std::exception& e) {
      spdlog::error("an io thread caught an exception and goes on: {}", e.what());
    }
  }
}

Result<tcp::endpoint> Resolve(net::io_context& ioc, const std::string& host, uint16_t port) {
  beast::error_code ec;
  auto address = net::ip::make_address(host, ec);
  if (!ec) return tcp::endpoint(address, port);
  tcp::resolver resolver(ioc);
  auto results = resolver.resolve(host, std::to_string(port), ec);
  if (ec || results.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "cannot resolve host '" + host + "' (" + ec.message() +
                                                 "); pass an address such as 127.0.0.1 or 0.0.0.0");
  }
  return results.begin()->endpoint();
}

// Opens, binds and listens; `flag` names the option to change in the error.
Status Listen(ServerContext& c, std::optional<tcp::acceptor>& acceptor, const std::string& host,
              uint16_t port, std::string_view flag) {
  AIMASS_ASSIGN_OR_RETURN(tcp::endpoint endpoint, Resolve(*c.iocs[0], host, port));
  acceptor.emplace(*c.iocs[0]);
  beast::error_code ec;
  std::string step = "open";
  acceptor->open(endpoint.protocol(), ec);
  if (!ec) acceptor->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) step = "bind", acceptor->bind(endpoint, ec);
  if (!ec) step = "listen", acceptor->listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    acceptor.reset();
    return Fail(ErrorCode::kUnavailable,
                "cannot " + step + " " + host + ":" + std::to_string(port) + ": " + ec.message() +
                    "; stop the process that uses this port or choose another " +
                    std::string(flag));
  }
  return Ok();
}

}  // namespace

bool IsManagementRoute(const Route& route) {
  return route.access == Access::kAdmin || route.pattern == "/metrics";
}

Server::Server(ServerOptions options, Router router, Authenticator authenticator) {
  if (options.upload_dir.empty()) {
    options.upload_dir = std::filesystem::temp_directory_path() / "aimass-uploads";
  }
  // Two listeners: each gets a router of its own routes only, so the other listener's
  // routes answer 404 (or 405) exactly as if they did not exist.
  Router management;
  if (options.management_port) {
    Router main;
    for (const Route* route : router.routes()) {
      (IsManagementRoute(*route) ? management : main).Add(*route);
    }
    // The web console stays with the main listener.
    if (router.fallback()) main.SetFallback(*router.fallback());
    router = std::move(main);
  }
  context_ = std::make_unique<ServerContext>(std::move(options), std::move(router),
                                             std::move(management), std::move(authenticator));
}

Server::~Server() {
  Stop();
  Wait();
  if (context_->stopper.joinable()) context_->stopper.join();
}

Status Server::Start() {
  ServerContext& c = *context_;
  std::lock_guard lock(c.state_mu);
  if (c.started || c.stop_requested) {
    return Fail(ErrorCode::kConflict, "the server was already started; make a new Server");
  }
  std::error_code fs_error;
  std::filesystem::create_directories(c.options.upload_dir, fs_error);
  if (fs_error) {
    return Fail(ErrorCode::kInternal, "cannot create the upload directory " +
                                          c.options.upload_dir.string() + ": " +
                                          fs_error.message() + "; choose a writable --upload-dir");
  }
  if (!c.options.tls_cert_file.empty() || !c.options.tls_key_file.empty()) {
    AIMASS_ASSIGN_OR_RETURN(c.tls,
                            MakeServerTlsContext(c.options.tls_cert_file, c.options.tls_key_file));
  }
  AIMASS_RETURN_IF_ERROR(Listen(c, c.acceptor, c.options.host, c.options.port, "--listen"));
  c.port = c.acceptor->local_endpoint().port();
  if (c.options.management_port) {
    if (auto listening = Listen(c, c.management_acceptor, c.options.management_host,
                                *c.options.management_port, "--management-listen");
        !listening) {
      c.acceptor.reset();
      return listening;
    }
    c.management_port = c.management_acceptor->local_endpoint().port();
  }
  for (auto& ioc : c.iocs) c.work.push_back(net::make_work_guard(*ioc));
  Accept(&c, &*c.acceptor, &c.router);
  if (c.management_acceptor) Accept(&c, &*c.management_acceptor, &c.management_router);
  for (auto& ioc : c.iocs) c.io_threads.emplace_back(RunIoThread, ioc.get());
  c.started = true;
  const char* scheme = c.tls ? "https" : "http";
  spdlog::info("listening on {}://{}:{}", scheme, c.options.host, c.port.load());
  if (c.management_acceptor) {
    spdlog::info("management routes on {}://{}:{}", scheme, c.options.management_host,
                 c.management_port.load());
  }
  return Ok();
}

uint16_t Server::port() const { return context_->port; }

uint16_t Server::management_port() const { return context_->management_port; }

bool Server::tls() const { return context_->tls != nullptr; }

bool Server::stopping() const { return context_->stopping; }

void Server::Stop() {
  ServerContext& c = *context_;
  {
    std::lock_guard lock(c.state_mu);
    if (!c.stop_requested) {
      c.stop_requested = true;
      c.stopping = true;
      c.stopper = std::thread([this] { RunStop(); });
    }
  }
  // On an io or stream thread, waiting would wait for this very thread.
  if (!tls_on_server_thread) Wait();
}

void Server::Wait() {
  ServerContext& c = *context_;
  std::unique_lock lock(c.state_mu);
  c.state_cv.wait(lock, [&c] { return c.stopped; });
}

void Server::RunStop() {
  ServerContext& c = *context_;
  bool started;
  {
    std::lock_guard lock(c.state_mu);
    started = c.started;
  }
  if (started) {
    // Closed on their io thread, and waited for, so no connection is accepted after Stop.
    for (auto* acceptor : {&c.acceptor, &c.management_acceptor}) {
      if (!*acceptor) continue;
      std::promise<void> closed;
      net::post((*acceptor)->get_executor(), [acceptor, &closed] {
        beast::error_code ignored;
        (*acceptor)->close(ignored);
        closed.set_value();
      });
      closed.get_future().wait();
    }
    for (auto& session : c.LiveSessions()) session->PostStop();
    if (!c.WaitForNoSessions(kGracePeriod)) {
      auto live = c.LiveSessions();
      spdlog::warn("{} connection(s) still busy {} s after stop began; closing them", live.size(),
                   kGracePeriod.count());
      for (auto& session : live) session->PostForceClose();
    }
    c.work.clear();
    if (!c.WaitForNoSessions(kForceClosePeriod)) {
      spdlog::error("connections still open after closing them; stopping the io threads");
    }
    for (auto& ioc : c.iocs) ioc->stop();
    for (auto& thread : c.io_threads) thread.join();
    // A stream thread still holds its connection; wait for its function to return.
    std::unique_lock lock(c.mu);
    while (!c.cv.wait_for(lock, kGracePeriod, [&c] { return c.streams == 0; })) {
      spdlog::warn("waiting for {} stream(s) to return after stop", c.streams);
    }
  }
  std::lock_guard lock(c.state_mu);
  c.stopped = true;
  c.state_cv.notify_all();
  spdlog::info("the server stopped");
}

}  // namespace aimass::http
