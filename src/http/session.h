// Internal: one client connection, from accept to close. Reads a request header, routes
// and authenticates it, reads its body (into memory or a temp file) within the limits,
// calls the handler, writes the response, and repeats while the connection is kept alive.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>

#include "http/asio.h"
#include "http/request.h"
#include "http/response.h"
#include "http/router.h"
#include "http/server_context.h"
#include "http/tls.h"

namespace aimass::http {

// All methods run on the connection's io thread, except RunStream (on the stream thread,
// after the io thread handed the socket over) and the Post* entry points (any thread).
// When the server has a TLS context the connection is HTTPS: a handshake first, then the
// same cycle over the TLS stream (chosen once per connection, so plain HTTP pays a branch
// per operation and no virtual call or allocation).
class Session : public std::enable_shared_from_this<Session> {
 public:
  // `router` is the listener's: the main one, or the management one.
  Session(ServerContext& context, tcp::socket socket, const Router& router);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void Start();
  // The server is stopping: close if idle, else close after the current response.
  void PostStop();
  // The grace period is over: close now (for a stream: shut the socket down under it).
  void PostForceClose();

 private:
  enum class State { kIdle, kReading, kHandling, kWriting, kStreaming, kClosing, kClosed };
  using Clock = std::chrono::steady_clock;

  // Unregisters from the context when the session is gone. The first member, so that it
  // runs after the socket and timer (which need the io_context) are destroyed.
  struct Registration {
    ServerContext* context = nullptr;
    Session* session = nullptr;
    ~Registration();
  };

  // session.cc: the request cycle.
  // Calls f(stream) with the TLS stream or the plain socket.
  template <typename F>
  void WithStream(F&& f) {
    if (tls_) {
      f(*tls_);
    } else {
      f(socket_);
    }
  }
  void Handshake();
  void OnHandshake(beast::error_code ec);
  void ReadHeader();
  void OnHeader(beast::error_code ec);
  std::optional<Response> Admit();  // the error response, or nullopt to go on
  std::optional<Response> Authenticate();
  // 429 with Retry-After while the client's address has sent too many bad credentials.
  std::optional<Response> LockedOut();
  // The client's IP address as text ("" when the socket has none); asked once a connection.
  const std::string& RemoteAddress();
  void BeginBody();
  void Dispatch();
  // Runs the route's handler (on the io thread for a quick route, else on a handler
  // thread), turning an exception into a 500.
  Response RunHandler();
  // Back on the io thread: sends the handler's answer.
  void Answer(Response response);
  void Reject(Response response);  // answer and close if a body is left unread
  void Send(Response response);
  void OnWritten(beast::error_code ec, size_t bytes);
  void Linger();
  void Close();
  void OnServerStop();
  void OnForceClose();

  // session_body.cc: reading the body.
  void ReadBody();
  void OnBody(beast::error_code ec);
  Response TooLarge() const;
  bool OpenUploadFile(std::string* error);
  bool AppendToUploadFile(const char* data, size_t size, std::string* error);
  void DiscardUpload();

  // session_timer.cc: one deadline at a time; on expiry the pending operation is cancelled
  // and timed_out_ is set for its completion handler to see.
  void ArmTimer(std::chrono::steady_clock::duration timeout);
  void ExtendTimer(std::chrono::steady_clock::duration timeout);  // cheap: no re-wait
  void DisarmTimer();
  void WaitTimer();
  void OnTimeout();

  // session_stream.cc: a streamed response on its own thread.
  void StartStream(Response response);
  void RunStream(Response response);
  bool ClientGone();

  Registration registration_;
  ServerContext& context_;
  const Router& router_;
  tcp::socket socket_;
  // Over socket_ (declared after it, so destroyed first); null on a plain HTTP connection.
  std::unique_ptr<ssl::stream<tcp::socket&>> tls_;
  std::optional<std::string> remote_address_;  // RemoteAddress()
  net::steady_timer timer_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::buffer_body>> parser_;
  static constexpr size_t kKeptBodyBytes = 64 * 1024;
  std::string response_head_;  // the answer being written
  std::string response_body_;

  State state_ = State::kIdle;
  Request request_;
  const Route* route_ = nullptr;
  bool close_after_ = false;  // no keep-alive after this response
  bool body_unread_ = false;  // body bytes may still be on the wire
  int status_ = 0;
  Clock::time_point start_;

  uint64_t body_limit_ = 0;
  uint64_t body_used_ = 0;
  size_t read_capacity_ = 0;
  std::unique_ptr<char[]> chunk_;  // kFile read buffer
  int upload_fd_ = -1;
  std::filesystem::path upload_path_;
  uint64_t linger_bytes_ = 0;

  Clock::time_point deadline_;
  bool timer_armed_ = false;
  bool timer_waiting_ = false;
  bool timed_out_ = false;
  uint64_t timer_generation_ = 0;

  std::mutex stream_mu_;        // the stream thread closes the socket; a force close shuts it down
  bool stream_closed_ = false;  // guarded by stream_mu_
};

}  // namespace aimass::http
