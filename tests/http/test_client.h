// A tiny synchronous HTTP client for the http tests: raw writes, Beast-parsed responses,
// and a time limit on every operation so a broken server fails a test instead of hanging it.
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/asio.h"

namespace aimass::http::testing {

using ClientResponse = bhttp::response<bhttp::string_body>;

// One connection to 127.0.0.1:port. Not thread-safe.
class TestClient {
 public:
  explicit TestClient(uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(20))
      : socket_(ioc_), timeout_(timeout) {
    beast::error_code ec;
    socket_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
    connect_error_ = ec;
  }

  beast::error_code connect_error() const { return connect_error_; }

  beast::error_code Write(std::string_view bytes) {
    return Run([&](auto handler) {
      net::async_write(socket_, net::const_buffer(bytes.data(), bytes.size()), handler);
    });
  }

  // Reads one full response (1xx responses included, as Beast parses them).
  std::expected<ClientResponse, beast::error_code> Read() {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(std::numeric_limits<uint64_t>::max());
    beast::error_code ec = Run([&](auto handler) {
      bhttp::async_read(socket_, buffer_, parser, handler);
    });
    if (ec) return std::unexpected(ec);
    return parser.release();
  }

  // Sends a request built from the arguments and reads the response.
  std::expected<ClientResponse, beast::error_code> Call(
      std::string_view method, std::string_view target, std::string body = "",
      std::vector<std::pair<std::string, std::string>> headers = {}) {
    bhttp::request<bhttp::string_body> request;
    request.method_string(beast::string_view(method.data(), method.size()));
    request.target(beast::string_view(target.data(), target.size()));
    request.version(11);
    request.set(bhttp::field::host, "127.0.0.1");
    for (auto& [name, value] : headers) request.set(name, value);
    request.body() = std::move(body);
    request.prepare_payload();
    beast::error_code ec = Run([&](auto handler) {
      bhttp::async_write(socket_, request, handler);
    });
    if (ec) return std::unexpected(ec);
    return Read();
  }

  // Reads raw bytes up to and including `delimiter`; later reads get what came after it.
  std::expected<std::string, beast::error_code> ReadUntil(std::string_view delimiter) {
    while (true) {
      std::string data = beast::buffers_to_string(buffer_.data());
      if (size_t at = data.find(delimiter); at != std::string::npos) {
        buffer_.consume(at + delimiter.size());
        return data.substr(0, at + delimiter.size());
      }
      if (beast::error_code ec = Fill()) return std::unexpected(ec);
    }
  }

  // Reads whatever raw bytes come next (at least one).
  std::expected<std::string, beast::error_code> ReadSome() {
    if (buffer_.size() > 0) {
      std::string data = beast::buffers_to_string(buffer_.data());
      buffer_.consume(buffer_.size());
      return data;
    }
    if (beast::error_code ec = Fill()) return std::unexpected(ec);
    return ReadSome();
  }

  // True when the server closes the connection (EOF or reset) within the time limit.
  bool ClosedByPeer() {
    while (true) {
      auto data = ReadSome();
      if (!data) return data.error() != net::error::timed_out;
    }
  }

  void Close() {
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

 private:
  // Reads at least one more byte into buffer_.
  beast::error_code Fill() {
    size_t got = 0;
    auto space = buffer_.prepare(64 * 1024);
    beast::error_code ec = Run([&](auto handler) {
      socket_.async_read_some(space, [&got, handler](beast::error_code e, size_t n) {
        got = n;
        handler(e, n);
      });
    });
    buffer_.commit(got);
    return ec;
  }

  // Starts one async operation and runs it to completion or the time limit.
  template <typename Start>
  beast::error_code Run(Start start) {
    std::optional<beast::error_code> result;
    start([&result](beast::error_code ec, size_t) { result = ec; });
    ioc_.restart();
    ioc_.run_for(timeout_);
    if (!result) {
      beast::error_code ignored;
      socket_.cancel(ignored);
      ioc_.restart();
      ioc_.run();
      return net::error::timed_out;
    }
    return *result;
  }

  net::io_context ioc_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
  std::chrono::milliseconds timeout_;
  beast::error_code connect_error_;
};

}  // namespace aimass::http::testing
