#include <gtest/gtest.h>
#include <sodium.h>

#include <cstdlib>
#include <thread>

#include "data/one_request_server.h"
#include "steps_fixture.h"

namespace aimass::pipelines {
namespace {

using nlohmann::json;

constexpr const char* kSecret = "0123456789abcdef0123456789abcdef";

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
  ASSERT_EQ(setenv("AIMASS_WEBHOOK_TEST_SECRET", kSecret, 1), 0);
  data::testing::OneRequestServer receiver(200);
  const std::string url = "http://127.0.0.1:" + std::to_string(receiver.port()) + "/hook?x=1";
  auto out = RunInline("notify", Input({{"url", url},
                                        {"secret_env", "AIMASS_WEBHOOK_TEST_SECRET"},
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
  data::testing::OneRequestServer receiver(500);
  auto out = RunInline(
      "notify", Input({{"url", "http://127.0.0.1:" + std::to_string(receiver.port()) + "/"}}));
  ASSERT_FALSE(out);
  EXPECT_NE(out.error().message.find("answered 500"), std::string::npos) << out.error().message;
  EXPECT_TRUE(receiver.Header("X-Aimass-Signature").empty());
}

TEST_F(NotifyStepTest, HostsOffTheAllowListAreRefused) {
  data::testing::OneRequestServer receiver(200);
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
  unsetenv("AIMASS_WEBHOOK_NO_SUCH_SECRET");
  auto out = RunInline("notify", Input({{"url", "http://127.0.0.1:9/"},
                                        {"secret_env", "AIMASS_WEBHOOK_NO_SUCH_SECRET"}}));
  ASSERT_FALSE(out);
  EXPECT_NE(out.error().message.find("AIMASS_WEBHOOK_NO_SUCH_SECRET"), std::string::npos);
}

TEST_F(NotifyStepTest, LiteralsAreChecked) {
  StepType& notify = Step("notify");
  auto scheme = notify.CheckLiterals({{"url", "ftp://example.com/x"}});
  ASSERT_FALSE(scheme);
  EXPECT_NE(scheme.error().message.find("'url'"), std::string::npos);
  auto env = notify.CheckLiterals({{"url", "https://example.com/"}, {"secret_env", "A-B"}});
  ASSERT_FALSE(env);
  EXPECT_NE(env.error().message.find("'secret_env'"), std::string::npos);
  EXPECT_FALSE(notify.CheckLiterals({{"url", "https://example.com/"}, {"secret_env", "HOOK_KEY"}}));
  EXPECT_TRUE(notify.CheckLiterals(
      {{"url", "https://example.com/"}, {"secret_env", "AIMASS_WEBHOOK_HOOK_KEY"}}));
}

}  // namespace
}  // namespace aimass::pipelines
