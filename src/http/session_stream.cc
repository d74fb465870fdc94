// Streamed responses (server-sent events, exports): the io thread hands the socket to a
// dedicated thread, which writes chunks synchronously and then closes the connection.
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <cerrno>
#include <thread>

#include "http/access_log.h"
#include "http/response_head.h"
#include "http/session.h"

namespace aimass::http {

void Session::StartStream(Response response) {
  state_ = State::kStreaming;
  DisarmTimer();
  timer_.cancel();
  context_.StreamStarted();
  ServerContext* context = &context_;
  std::thread([self = shared_from_this(), context, response = std::move(response)]() mutable {
    tls_on_server_thread = true;
    {
      std::shared_ptr<Session> session = std::move(self);
      session->RunStream(std::move(response));
    }  // the session may end here, before the server is told this thread is done
    context->StreamEnded();
  }).detach();
}

bool Session::ClientGone() {
  char byte;
  ssize_t n = ::recv(socket_.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n == 0) return true;  // orderly shutdown by the client
  return n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
}

void Session::RunStream(Response response) {
  const std::string head = ResponseHead(response, {.request_id = request_.request_id,
                                                  .tls = tls_ != nullptr,
                                                  .keep_alive = false,
                                                  .chunked = true});
  beast::error_code ec;
  WithStream([&](auto& stream) { net::write(stream, net::buffer(head), ec); });
  bool open = !ec;
  uint64_t bytes = 0;
  ChunkWriter write = [&](std::string_view chunk) {
    if (!open || context_.stopping || ClientGone()) return open = false;
    if (chunk.empty()) return true;  // an empty chunk would end the stream
    WithStream([&](auto& stream) {
      net::write(stream, bhttp::make_chunk(net::const_buffer(chunk.data(), chunk.size())), ec);
    });
    if (ec) return open = false;
    bytes += chunk.size();
    return true;
  };

  Status status = Ok();
  try {
    status = response.stream(write);
  } catch (const std::exception& e) {
    status = Fail(ErrorCode::kInternal, std::string("the stream threw: ") + e.what());
  } catch (...) {
    status = Fail(ErrorCode::kInternal, "the stream threw a non-exception");
  }
  if (!status) {
    // No last chunk: the client sees a stream that ended early, not a complete one.
    spdlog::error("{} {} {}: {}", request_.request_id, request_.method, request_.path,
                  status.error().message);
  } else if (open) {
    WithStream([&](auto& stream) { net::write(stream, bhttp::make_chunk_last(), ec); });
  }
  if (context_.options.access_log) {
    LogAccess(request_, response.status, bytes, Clock::now() - start_);
  }

  std::lock_guard lock(stream_mu_);
  stream_closed_ = true;
  beast::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

}  // namespace aimass::http
