// A tiny HTTP server for CLI tests: listens on 127.0.0.1 port 0, answers each request
// with a handler, one connection at a time, and records what it received.
#pragma once

#include <atomic>
#include <cctype>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cli/asio.h"

namespace aimass::cli::testutil {

struct FakeRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
};

struct FakeReply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  bool chunked = false;  // send with Transfer-Encoding: chunked instead of Content-Length
  // When set, the body is these parts written one by one, `part_delay` apart, with no
  // length (the body ends when the connection closes), as a live event stream arrives.
  std::vector<std::string> parts = {};
  std::chrono::milliseconds part_delay{0};
};

// Thread-safe: the handler runs on the server's thread; requests() may be read anywhere.
class FakeServer {
 public:
  using Handler = std::function<FakeReply(const FakeRequest&)>;

  explicit FakeServer(Handler handler)
      : handler_(std::move(handler)),
        acceptor_(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { Serve(); });
  }

  ~FakeServer() {
    stopping_ = true;
    // Wake the blocking accept() with a connection of our own.
    boost::system::error_code ignored;
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::socket wake(ioc);
    wake.connect({boost::asio::ip::make_address("127.0.0.1"), port_}, ignored);
    thread_.join();
  }

  uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  std::vector<FakeRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  void Serve() {
    namespace http = boost::beast::http;
    while (!stopping_) {
      boost::asio::ip::tcp::socket socket(ioc_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stopping_) continue;
      boost::beast::flat_buffer buffer;
      http::request_parser<http::string_body> parser;
      parser.body_limit(1ull << 32);
      http::read(socket, buffer, parser, ec);
      if (ec) continue;
      const auto& message = parser.get();
      FakeRequest request;
      request.method = std::string(message.method_string());
      request.target = std::string(message.target());
      for (const auto& field : message) {
        std::string name(field.name_string());
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        request.headers[name] = std::string(field.value());
      }
      request.body = message.body();
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(request);
      }
      FakeReply reply = handler_(request);
      if (!reply.parts.empty()) {
        std::string head = "HTTP/1.1 " + std::to_string(reply.status) +
                           " OK\r\nContent-Type: " + reply.content_type +
                           "\r\nConnection: close\r\n\r\n";
        boost::asio::write(socket, boost::asio::buffer(head), ec);
        for (size_t i = 0; i < reply.parts.size() && !ec; ++i) {
          if (i > 0) std::this_thread::sleep_for(reply.part_delay);
          boost::asio::write(socket, boost::asio::buffer(reply.parts[i]), ec);
        }
        socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
        continue;
      }
      http::response<http::string_body> response{static_cast<http::status>(reply.status), 11};
      response.set(http::field::content_type, reply.content_type);
      response.body() = reply.body;
      if (reply.chunked) {
        response.chunked(true);
      } else {
        response.prepare_payload();
      }
      http::write(socket, response, ec);
      socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
    }
  }

  Handler handler_;
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_ = false;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<FakeRequest> requests_;
};

// {"error":{"code":...,"message":...}} as the server writes it.
inline FakeReply ErrorReply(int status, const std::string& code, const std::string& message) {
  return FakeReply{status, "application/json",
                   "{\"error\":{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}}"};
}

}  // namespace aimass::cli::testutil
