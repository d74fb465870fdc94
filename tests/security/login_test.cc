#include "security/login.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "common/hash.h"
#include "security/passwords.h"
#include "store/sqlite_store.h"

namespace aimass::security {
namespace {
namespace fs = std::filesystem;

constexpr std::string_view kPassword = "correct horse battery";

class LoginTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("aimass-login-" + RandomHex(6));
    fs::create_directories(dir_);
    store_ = std::move(*store::SqliteStore::Open(dir_ / "aimass.db"));
    tokens_ = std::make_unique<TokenAuthority>(*store_, clock_);
    login_ = std::make_unique<LoginService>(*store_, *tokens_, clock_);
    ASSERT_TRUE(tokens_->BootstrapAdmin());
    admin_ = {1, "admin", true, {.admin = true}};
    ASSERT_TRUE(tokens_->CreateUser(admin_, "ana", false));
    ASSERT_TRUE(login_->SetPassword(admin_, "ana", kPassword, ""));
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
  ManualClock clock_;
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<TokenAuthority> tokens_;
  std::unique_ptr<LoginService> login_;
  Caller admin_;
};

TEST_F(LoginTest, APasswordOpensAShortSessionThatIsAToken) {
  auto session = login_->Login("ana", kPassword);
  ASSERT_TRUE(session) << session.error().message;
  EXPECT_FALSE(session->is_admin);
  auto grant = tokens_->Authenticate(session->secret);
  ASSERT_TRUE(grant);
  EXPECT_EQ(grant->user.name, "ana");
  EXPECT_EQ(grant->token.scopes, "read,write");
  EXPECT_EQ(grant->token.label, "web session");
  clock_.Advance(LoginOptions{}.session_millis);
  EXPECT_FALSE(tokens_->Authenticate(session->secret)) << "the session expired";
  // The stored hash is argon2id, never the password.
  auto credentials = store_->UserCredentials("ana");
  EXPECT_TRUE((*credentials)->password_hash.starts_with("$argon2id$"));
}

TEST_F(LoginTest, EveryFailureGetsTheSameAnswer) {
  const std::string wrong = login_->Login("ana", "not the password").error().message;
  EXPECT_EQ(login_->Login("nobody", kPassword).error().message, wrong);
  EXPECT_EQ(login_->Login("../etc", kPassword).error().message, wrong);
  EXPECT_EQ(login_->Login("admin", kPassword).error().message, wrong) << "no password set";
  EXPECT_EQ(login_->Login("ana", "").error().code, ErrorCode::kUnauthenticated);
}

TEST_F(LoginTest, RepeatedFailuresLockTheUserForAWhile) {
  for (int i = 0; i < LoginOptions{}.max_failures; ++i) {
    EXPECT_FALSE(login_->Login("ana", "guess " + std::to_string(i)));
  }
  EXPECT_FALSE(login_->Login("ana", kPassword)) << "locked, even with the right password";
  clock_.Advance(LoginOptions{}.lock_millis);
  EXPECT_TRUE(login_->Login("ana", kPassword));
}

TEST_F(LoginTest, PasswordsAreSetByAdminsOrByTheirOwnerWhoKnowsTheOldOne) {
  const Caller ana{2, "ana", false, {.read = true, .write = true}};
  EXPECT_EQ(login_->SetPassword(ana, "admin", "a new password!", "").error().code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(login_->SetPassword(ana, "ana", "a new password!", "wrong").error().code,
            ErrorCode::kPermissionDenied);
  ASSERT_TRUE(login_->SetPassword(ana, "ana", "a new password!", kPassword));
  EXPECT_FALSE(login_->Login("ana", kPassword));
  EXPECT_TRUE(login_->Login("ana", "a new password!"));
  EXPECT_EQ(login_->SetPassword(admin_, "ana", "short", "").error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(login_->SetPassword(admin_, "nobody", "long enough password", "").error().code,
            ErrorCode::kNotFound);
}

}  // namespace
}  // namespace aimass::security
