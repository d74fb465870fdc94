#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>

namespace aimass::data::testing {

// A one-request HTTP server on 127.0.0.1, port 0, for tests of outbound requests: keeps what
// it received and answers `status` with `body`.
class OneRequestServer {
 public:
  explicit OneRequestServer(int status, std::string body = "")
      : status_(status), body_(std::move(body)) {
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    EXPECT_EQ(listen(listener_, 1), 0);
    socklen_t size = sizeof address;
    getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &size);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~OneRequestServer() {
    Request();
    close(listener_);
  }

  int port() const { return port_; }
  // Waits for the request; "" when none came.
  std::string Request() {
    if (thread_.joinable()) {
      shutdown(listener_, SHUT_RDWR);
      thread_.join();
    }
    return request_;
  }
  // A header's value in the request, "" when absent.
  std::string Header(const std::string& name) {
    const std::string text = Request();
    const size_t at = text.find("\r\n" + name + ": ");
    if (at == std::string::npos) return "";
    const size_t start = at + name.size() + 4;
    return text.substr(start, text.find("\r\n", start) - start);
  }
  std::string Body() {
    const std::string text = Request();
    const size_t at = text.find("\r\n\r\n");
    return at == std::string::npos ? "" : text.substr(at + 4);
  }

 private:
  void Serve() {
    const int connection = accept(listener_, nullptr, nullptr);
    if (connection < 0) return;
    char buffer[4096];
    while (true) {
      const ssize_t n = read(connection, buffer, sizeof buffer);
      if (n <= 0) break;
      request_.append(buffer, static_cast<size_t>(n));
      const size_t end = request_.find("\r\n\r\n");
      if (end == std::string::npos) continue;
      const size_t length_at = request_.find("Content-Length: ");
      const size_t length =
          length_at == std::string::npos ? 0 : std::stoul(request_.substr(length_at + 16));
      if (request_.size() >= end + 4 + length) break;
    }
    const std::string answer = "HTTP/1.1 " + std::to_string(status_) +
                               (status_ == 200 ? " OK" : " Internal Server Error") +
                               "\r\nContent-Length: " + std::to_string(body_.size()) +
                               "\r\nConnection: close\r\n\r\n" + body_;
    (void)!write(connection, answer.data(), answer.size());
    close(connection);
  }

  int status_;
  std::string body_;
  int listener_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::string request_;
};

}  // namespace aimass::data::testing
