#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sodium.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <thread>

#include "steps_fixture.h"

namespace aimass::pipelines {
namespace {

using nlohmann::json;

constexpr const char* kSecret = "0123456789abcdef0123456789abcdef";

// A one-request HTTP server on 127.0.0.1, port 0: keeps what it received and answers
// `status`.
class Receiver {
 public:
  explicit Receiver(int status) : status_(status) {
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
  ~Receiver() {
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
                               "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    (void)!write(connection, answer.data(), answer.size());
    close(connection);
  }

  int status_;
  int listener_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::string request_;
};

// The signature a receiver checks, by libsodium's one-shot HMAC (keys of 32 bytes).
std::string HmacHex(const std::string& key, const std::string& message) {
  EXPECT_EQ(key.size(), crypto_auth_hmacsha256_KEYBYTES);
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256(mac, reinterpret_cast<const unsigned char*>(message.data()),
                         message.size(), reinterpret_cast<const unsigned char*>(key.data()));
  std::string hex(2 * sizeof mac + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), mac, sizeof mac);
  hex.pop_back();
  return hex;
}

class NotifyStepTest : public testing::StepsTest {
 protected:
  void AllowLoopback() { ASSERT_TRUE(store_->AddImportHost("127.0.0.1", clock_.NowMillis())); }
};

TEST_F(NotifyStepTest, PostsASignedMessage) {
  AllowLoopback();
  ASSERT_EQ(setenv("AIMASS_TEST_WEBHOOK_SECRET", kSecret, 1), 0);
  Receiver receiver(200);
  const std::string url = "http://127.0.0.1:" + std::to_string(receiver.port()) + "/hook?x=1";
  auto out = RunInline("notify", Input({{"url", url},
                                        {"secret_env", "AIMASS_TEST_WEBHOOK_SECRET"},
                                        {"message", "credit@4 is the new champion"},
                                        {"data", {{"auc", 0.91}}}}));
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ((*out)["status"], 200);
  EXPECT_TRUE(receiver.Request().starts_with("POST /hook?x=1 HTTP/1.1\r\n")) << receiver.Request();
  const std::string timestamp = receiver.Header("X-Aimass-Timestamp");
  EXPECT_EQ(timestamp, std::to_string(clock_.NowMillis() / 1000));
  const std::string body = receiver.Body();
  EXPECT_EQ(receiver.Header("X-Aimass-Signature"),
            "sha256=" + HmacHex(kSecret, timestamp + "." + body));
  EXPECT_NE(receiver.Header("X-Aimass-Signature"),
            "sha256=" + HmacHex(std::string(32, 'x'), timestamp + "." + body));
  const json sent = json::parse(body);
  EXPECT_EQ(sent["pipeline"], "nightly");
  EXPECT_EQ(sent["run"], 7);
  EXPECT_EQ(sent["step"], "s");
  EXPECT_EQ(sent["message"], "credit@4 is the new champion");
  EXPECT_EQ(sent["data"], json({{"auc", 0.91}}));
  EXPECT_TRUE(sent["sent_at"].is_string());
  EXPECT_EQ(receiver.Header("Content-Type"), "application/json");
}

TEST_F(NotifyStepTest, AnErrorAnswerFailsTheStep) {
  AllowLoopback();
  Receiver receiver(500);
  auto out = RunInline(
      "notify", Input({{"url", "http://127.0.0.1:" + std::to_string(receiver.port()) + "/"}}));
  ASSERT_FALSE(out);
  EXPECT_NE(out.error().message.find("answered 500"), std::string::npos) << out.error().message;
  EXPECT_TRUE(receiver.Header("X-Aimass-Signature").empty());
}

TEST_F(NotifyStepTest, HostsOffTheAllowListAreRefused) {
  Receiver receiver(200);
  const std::string port = std::to_string(receiver.port());
  auto none = RunInline("notify", Input({{"url", "http://127.0.0.1:" + port + "/"}}));
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::kPermissionDenied);
  ASSERT_TRUE(store_->AddImportHost("hooks.example.com", clock_.NowMillis()));
  auto other = RunInline("notify", Input({{"url", "http://127.0.0.1:" + port + "/"}}));
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, ErrorCode::kPermissionDenied);
  EXPECT_NE(other.error().message.find("allow-list"), std::string::npos) << other.error().message;
  // A listed name that resolves to loopback is refused too: only the IP literal allows that.
  ASSERT_TRUE(store_->AddImportHost("localhost", clock_.NowMillis()));
  auto local = RunInline("notify", Input({{"url", "http://localhost:" + port + "/"}}));
  ASSERT_FALSE(local);
  EXPECT_EQ(local.error().code, ErrorCode::kPermissionDenied) << local.error().message;
  EXPECT_TRUE(receiver.Request().empty());
}

TEST_F(NotifyStepTest, AMissingSecretIsAnError) {
  AllowLoopback();
  unsetenv("AIMASS_TEST_NO_SUCH_SECRET");
  auto out = RunInline("notify", Input({{"url", "http://127.0.0.1:9/"},
                                        {"secret_env", "AIMASS_TEST_NO_SUCH_SECRET"}}));
  ASSERT_FALSE(out);
  EXPECT_NE(out.error().message.find("AIMASS_TEST_NO_SUCH_SECRET"), std::string::npos);
}

TEST_F(NotifyStepTest, LiteralsAreChecked) {
  StepType& notify = Step("notify");
  auto scheme = notify.CheckLiterals({{"url", "ftp://example.com/x"}});
  ASSERT_FALSE(scheme);
  EXPECT_NE(scheme.error().message.find("'url'"), std::string::npos);
  auto env = notify.CheckLiterals({{"url", "https://example.com/"}, {"secret_env", "A-B"}});
  ASSERT_FALSE(env);
  EXPECT_NE(env.error().message.find("'secret_env'"), std::string::npos);
  EXPECT_TRUE(notify.CheckLiterals({{"url", "https://example.com/"}, {"secret_env", "HOOK_KEY"}}));
}

}  // namespace
}  // namespace aimass::pipelines
