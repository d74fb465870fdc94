#include "http/session.h"

#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <limits>

#include "common/actor.h"
#include "common/hash.h"
#include "http/access_log.h"
#include "http/request_id.h"
#include "http/response_head.h"
#include "http/session_cookie.h"
#include "http/url.h"

namespace aimass::http {

namespace {

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr uint64_t kLingerBytes = 4 << 20;

bool IsHttpError(const beast::error_code& ec) {
  return &ec.category() == &bhttp::make_error_code(bhttp::error::bad_target).category();
}

bool IsDisconnect(const beast::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
         ec == net::error::eof || ec == net::error::connection_reset ||
         ec == net::error::operation_aborted || ec == net::error::broken_pipe;
}

}  // namespace

Session::Registration::~Registration() {
  if (context != nullptr) context->RemoveSession(session);
}

Session::Session(ServerContext& context, tcp::socket socket, const Router& router)
    : context_(context),
      router_(router),
      socket_(std::move(socket)),
      timer_(socket_.get_executor()) {
  if (context_.tls) tls_ = std::make_unique<ssl::stream<tcp::socket&>>(socket_, *context_.tls);
}

Session::~Session() { DiscardUpload(); }

void Session::Start() {
  context_.AddSession(shared_from_this());
  registration_.context = &context_;  // fields, not a temporary whose destructor would run
  registration_.session = this;
  net::dispatch(socket_.get_executor(), [self = shared_from_this()] {
    if (self->tls_) return self->Handshake();
    self->ReadHeader();
  });
}

// The handshake has its own deadline, so a client that connects and sends nothing (or
// too little) cannot hold the connection. Handshake failures are the client's: a plain
// HTTP request on this port, an old protocol version, a certificate it does not trust.
void Session::Handshake() {
  if (context_.stopping) return Close();
  ArmTimer(context_.options.handshake_timeout);
  tls_->async_handshake(
      ssl::stream_base::server,
      [self = shared_from_this()](beast::error_code ec) { self->OnHandshake(ec); });
}

void Session::OnHandshake(beast::error_code ec) {
  if (state_ == State::kClosed) return;
  DisarmTimer();
  if (ec) {
    spdlog::debug("TLS handshake with {} failed: {}", RemoteAddress(),
                  timed_out_ ? "timed out" : ec.message());
    return Close();
  }
  ReadHeader();
}

void Session::PostStop() {
  net::post(socket_.get_executor(), [self = shared_from_this()] { self->OnServerStop(); });
}

void Session::PostForceClose() {
  net::post(socket_.get_executor(), [self = shared_from_this()] { self->OnForceClose(); });
}

void Session::ReadHeader() {
  if (context_.stopping) return Close();
  state_ = State::kIdle;
  request_.Clear();
  route_ = nullptr;
  close_after_ = false;
  body_unread_ = false;
  body_used_ = 0;
  status_ = 0;
  parser_.emplace();
  parser_->header_limit(static_cast<uint32_t>(
      std::min<size_t>(context_.options.max_header_bytes, std::numeric_limits<uint32_t>::max())));
  // Limits are checked per route once the header is in; until then, none.
  parser_->body_limit(std::numeric_limits<uint64_t>::max());
  ArmTimer(context_.options.idle_timeout);
  WithStream([this](auto& stream) {
    bhttp::async_read_header(
        stream, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  });
}

void Session::OnHeader(beast::error_code ec) {
  if (state_ == State::kClosed) return;
  start_ = Clock::now();
  if (ec) {
    request_.request_id = RequestIdFor("");
    close_after_ = true;  // the parser cannot go on after an error
    if (ec == bhttp::error::header_limit) {
      return Reject(ErrorResponse(
          431, "request_header_fields_too_large",
          "the request header is over the limit of " +
              std::to_string(context_.options.max_header_bytes) +
              " bytes; send fewer or shorter header fields, or raise --max-header-bytes"));
    }
    if (timed_out_) {
      if (buffer_.size() == 0) return Close();  // an idle keep-alive connection
      return Reject(ErrorResponse(408, "request_timeout",
                                  "the request header did not arrive within " +
                                      std::to_string(context_.options.idle_timeout.count()) +
                                      " s; send the whole header at once"));
    }
    if (IsDisconnect(ec) || !IsHttpError(ec)) return Close();
    return Reject(
        ErrorResponse(Error{ErrorCode::kInvalidArgument, "malformed HTTP request (" + ec.message() +
                                                             "); send a valid HTTP/1.1 request"}));
  }

  state_ = State::kReading;
  auto& header = parser_->get();
  request_.method = ToStd(header.method_string());
  request_.target = ToStd(header.target());
  for (const auto& field : header) {
    request_.headers.emplace_back(ToStd(field.name_string()), ToStd(field.value()));
  }
  request_.request_id = RequestIdFor(ToStd(header["X-Request-Id"]));
  close_after_ = !parser_->keep_alive();
  body_unread_ = !parser_->is_done();

  if (std::optional<Response> error = Admit()) return Reject(std::move(*error));
  if (!body_unread_) return Dispatch();
  BeginBody();
}

std::optional<Response> Session::Admit() {
  if (request_.target.empty() || request_.target.front() != '/') {
    return ErrorResponse(Error{ErrorCode::kInvalidArgument,
                               "request target '" + request_.target +
                                   "' is not a path; send a target like /api/v1/version"});
  }
  TargetParts parts = SplitTarget(request_.target);
  auto path = PercentDecode(parts.path, false);
  if (!path || !ParseQuery(parts.query, request_.query)) {
    return ErrorResponse(Error{
        ErrorCode::kInvalidArgument,
        "request target '" + request_.target + "' has a malformed %-escape; encode '%' as %25"});
  }
  request_.path = std::move(*path);

  auto match = router_.Find(request_.method, parts.path);
  if (!match) return std::move(match.error());
  route_ = match->route;
  request_.params = std::move(match->params);

  if (route_->access != Access::kPublic) {
    if (std::optional<Response> error = Authenticate()) return error;
  } else if (request_.method == "POST") {
    // A public POST may check credentials itself (a password login): an address that sent
    // too many bad ones waits, as for tokens.
    if (std::optional<Response> refused = LockedOut()) return refused;
  }

  body_limit_ = route_->body == BodyMode::kFile ? context_.options.max_upload_bytes
                                                : context_.options.max_body_bytes;
  if (auto length = parser_->content_length(); length && *length > body_limit_) {
    return TooLarge();
  }
  return std::nullopt;
}

std::optional<Response> Session::Authenticate() {
  std::string authorization = request_.Header("Authorization");
  std::string_view value = authorization;
  constexpr std::string_view kBearer = "bearer ";
  bool is_bearer =
      value.size() > kBearer.size() && EqualsIgnoreCase(value.substr(0, kBearer.size()), kBearer);
  // Without a bearer token, the web console's session cookie (which needs a CSRF token on
  // every request that changes something).
  const std::string cookie_secret = is_bearer ? "" : SessionCookieValue(request_.Header("Cookie"));
  Response unauthenticated;
  if (!is_bearer && cookie_secret.empty()) {
    unauthenticated = ErrorResponse(Error{
        ErrorCode::kUnauthenticated,
        request_.method + " " + request_.path +
            " needs a token: send 'Authorization: Bearer <token>' (get one with 'aimass login')"});
    unauthenticated.headers.emplace_back("WWW-Authenticate", "Bearer");
    return unauthenticated;
  }
  if (is_bearer) {
    value.remove_prefix(kBearer.size());
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  } else {
    value = cookie_secret;
  }

  if (std::optional<Response> refused = LockedOut()) return refused;
  const std::string& address = RemoteAddress();
  const auto now = AuthFailureLimiter::Clock::now();

  Result<Principal> principal = Fail(ErrorCode::kInternal, "");
  if (!context_.authenticator) {
    principal = Fail(ErrorCode::kInternal, "the server has no authenticator configured");
  } else {
    try {
      principal = context_.authenticator(value);
    } catch (const std::exception& e) {
      principal = Fail(ErrorCode::kInternal, std::string("checking the token failed: ") + e.what());
    }
  }
  if (!principal) {
    Response response = ErrorResponse(principal.error());
    if (response.status == 401) {
      context_.auth_failures.RecordFailure(address, now);
      response.headers.emplace_back("WWW-Authenticate", "Bearer error=\"invalid_token\"");
    }
    return response;
  }
  request_.principal = std::move(*principal);
  const bool safe_method = request_.method == "GET" || request_.method == "HEAD";
  if (!is_bearer && !safe_method &&
      !ConstantTimeEquals(request_.Header(kCsrfHeader), CsrfTokenFor(cookie_secret))) {
    return ErrorResponse(Error{ErrorCode::kPermissionDenied,
                               request_.method + " " + request_.path +
                                   " with a session cookie needs the session's CSRF token in "
                                   "the X-CSRF-Token header (the login answer's csrf_token)"});
  }
  if (auto allowed = CheckPermission(*route_, request_.principal, request_.params); !allowed) {
    return ErrorResponse(allowed.error());
  }
  return std::nullopt;
}

std::optional<Response> Session::LockedOut() {
  const std::string& address = RemoteAddress();
  const auto now = AuthFailureLimiter::Clock::now();
  const int64_t wait = context_.auth_failures.RetryAfterSeconds(address, now);
  if (wait <= 0) return std::nullopt;
  Response refused = ErrorResponse(429, "too_many_requests",
                                   "too many invalid tokens or passwords from " + address +
                                       "; wait " + std::to_string(wait) + " s before trying again");
  refused.headers.emplace_back("Retry-After", std::to_string(wait));
  return refused;
}

const std::string& Session::RemoteAddress() {
  if (!remote_address_) {
    beast::error_code ec;
    auto endpoint = socket_.remote_endpoint(ec);
    remote_address_ = ec ? std::string() : endpoint.address().to_string();
  }
  return *remote_address_;
}

void Session::BeginBody() {
  parser_->body_limit(body_limit_);
  if (route_->body == BodyMode::kFile) {
    std::string error;
    if (!OpenUploadFile(&error)) return Reject(ErrorResponse(Error{ErrorCode::kInternal, error}));
  }
  ArmTimer(context_.options.request_timeout);
  if (EqualsIgnoreCase(ToStd(parser_->get()[bhttp::field::expect]), "100-continue")) {
    WithStream([this](auto& stream) {
      net::async_write(stream, net::buffer(kContinue.data(), kContinue.size()),
                       [self = shared_from_this()](beast::error_code ec, size_t) {
                         if (ec) return self->Close();
                         self->ReadBody();
                       });
    });
    return;
  }
  ReadBody();
}

void Session::Dispatch() {
  DisarmTimer();
  state_ = State::kHandling;
  request_.body_size = body_used_;
  if (route_->body == BodyMode::kFile && upload_fd_ >= 0) {
    ::close(upload_fd_);
    upload_fd_ = -1;
    request_.body_file = upload_path_;
  }
  if (route_->quick) return Answer(RunHandler());
  net::post(context_.handler_pool, [self = shared_from_this()] {
    tls_on_server_thread = true;
    Response response = self->RunHandler();
    net::post(self->socket_.get_executor(), [self, response = std::move(response)]() mutable {
      self->Answer(std::move(response));
    });
  });
}

Response Session::RunHandler() {
  try {
    ActorScope actor(request_.principal.user_name.empty() ? "anonymous"
                                                          : request_.principal.user_name);
    return route_->handler(request_);
  } catch (const std::exception& e) {
    spdlog::error("{} {} {}: the handler threw: {}", request_.request_id, request_.method,
                  request_.path, e.what());
    return ErrorResponse(Error{
        ErrorCode::kInternal, "the server failed on " + request_.method + " " + request_.path +
                                  " (" + e.what() + "); this is a bug, report it with request id " +
                                  request_.request_id});
  } catch (...) {
    spdlog::error("{} {} {}: the handler threw a non-exception", request_.request_id,
                  request_.method, request_.path);
    return ErrorResponse(Error{ErrorCode::kInternal,
                               "the server failed on " + request_.method + " " + request_.path +
                                   "; this is a bug, report it with request id " +
                                   request_.request_id});
  }
}

void Session::Answer(Response response) {
  DiscardUpload();  // whatever the handler left in place
  if (route_->access == Access::kPublic && response.status == 401) {
    // A public route that answers 401 checked credentials and found them wrong.
    context_.auth_failures.RecordFailure(RemoteAddress(), AuthFailureLimiter::Clock::now());
  }
  if (response.stream) return StartStream(std::move(response));
  Send(std::move(response));
}

void Session::Reject(Response response) {
  if (body_unread_) close_after_ = true;
  DiscardUpload();
  Send(std::move(response));
}

void Session::Send(Response response) {
  state_ = State::kWriting;
  if (context_.stopping) close_after_ = true;
  status_ = response.status;
  response_head_ = ResponseHead(response, {.request_id = request_.request_id,
                                           .tls = tls_ != nullptr,
                                           .keep_alive = !close_after_});
  response_body_ = HasNoBody(response.status) ? std::string() : std::move(response.body);
  ArmTimer(context_.options.request_timeout);
  WithStream([this](auto& stream) {
    const std::array<net::const_buffer, 2> buffers{net::buffer(response_head_),
                                                   net::buffer(response_body_)};
    net::async_write(stream, buffers,
                     [self = shared_from_this()](beast::error_code ec, size_t bytes) {
                       self->OnWritten(ec, bytes);
                     });
  });
}

void Session::OnWritten(beast::error_code ec, size_t bytes) {
  DisarmTimer();
  // An idle connection keeps no large answer.
  if (response_body_.capacity() > kKeptBodyBytes) response_body_ = std::string();
  if (context_.options.access_log) LogAccess(request_, status_, bytes, Clock::now() - start_);
  if (ec) return Close();
  if (close_after_) return body_unread_ ? Linger() : Close();
  ReadHeader();
}

// Closing a socket with unread input makes the kernel send RST, which can destroy the
// response before the client reads it. So: stop sending, read and drop what still comes
// for a moment, then close (nginx's lingering close). Over TLS the records are dropped
// undecrypted, from the socket under the TLS stream.
void Session::Linger() {
  state_ = State::kClosing;
  beast::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_send, ignored);
  if (linger_bytes_ == 0) ArmTimer(kLingerTime);
  buffer_.consume(buffer_.size());
  socket_.async_read_some(buffer_.prepare(64 * 1024),
                          [self = shared_from_this()](beast::error_code ec, size_t n) {
                            self->linger_bytes_ += n;
                            if (ec || self->linger_bytes_ > kLingerBytes) return self->Close();
                            self->Linger();
                          });
}

void Session::Close() {
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  DiscardUpload();
  timer_armed_ = false;
  timer_.cancel();
  beast::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

void Session::OnServerStop() {
  switch (state_) {
    case State::kIdle:
    case State::kClosing:
      return Close();
    case State::kReading:
    case State::kHandling:
    case State::kWriting:
      close_after_ = true;
      return;
    case State::kStreaming:  // its writer sees context_.stopping and returns false
    case State::kClosed:
      return;
  }
}

void Session::OnForceClose() {
  // A handler thread still uses the request (and its upload): close when it answers.
  if (state_ == State::kHandling) {
    close_after_ = true;
    return;
  }
  if (state_ != State::kStreaming) return Close();
  std::lock_guard lock(stream_mu_);
  if (!stream_closed_) ::shutdown(socket_.native_handle(), SHUT_RDWR);
}

}  // namespace aimass::http
