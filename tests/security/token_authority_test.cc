#include "security/token_authority.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "common/hash.h"
#include "store/sqlite_store.h"

namespace aimass::security {
namespace {
namespace fs = std::filesystem;

TEST(TokenAuthorityTest, BootstrapOnceThenReplace) {
  fs::path dir = fs::temp_directory_path() / ("aimass-sec-" + RandomHex(6));
  fs::create_directories(dir);
  auto store = std::move(*store::SqliteStore::Open(dir / "aimass.db"));
  ManualClock clock;
  TokenAuthority tokens(*store, clock);

  auto first = tokens.BootstrapAdmin();
  ASSERT_TRUE(first && *first);
  EXPECT_TRUE((*first)->starts_with("aim_"));
  EXPECT_FALSE(*tokens.BootstrapAdmin());  // shown once only

  auto user = tokens.Authenticate(**first);
  ASSERT_TRUE(user);
  EXPECT_EQ(user->user.name, "admin");
  EXPECT_TRUE(user->user.is_admin);
  EXPECT_EQ(user->token.scopes, "admin");
  EXPECT_EQ(tokens.Authenticate("").error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(tokens.Authenticate("aim_wrong").error().code, ErrorCode::kUnauthenticated);

  auto replaced = tokens.ReplaceAdminToken();
  ASSERT_TRUE(replaced);
  EXPECT_TRUE(tokens.Authenticate(*replaced));
  EXPECT_FALSE(tokens.Authenticate(**first));  // the lost one stops working
  fs::remove_all(dir);
}

// A valid token is trusted for kCacheMillis without the store (whose lookup also writes its
// last use); a token revoked behind the authority's back stops working after that time.
TEST(TokenAuthorityTest, ValidTokensAreCachedBriefly) {
  fs::path dir = fs::temp_directory_path() / ("aimass-sec-" + RandomHex(6));
  fs::create_directories(dir);
  auto store = std::move(*store::SqliteStore::Open(dir / "aimass.db"));
  ManualClock clock;
  TokenAuthority tokens(*store, clock);
  auto token = tokens.BootstrapAdmin();
  ASSERT_TRUE(token && *token);
  ASSERT_TRUE(tokens.Authenticate(**token));
  auto admin = store->FindUser("admin");
  ASSERT_TRUE(admin && *admin);
  ASSERT_TRUE(store->RevokeTokens((*admin)->id, ""));  // elsewhere, e.g. another replica
  clock.Advance(TokenAuthority::kCacheMillis - 1);
  EXPECT_TRUE(tokens.Authenticate(**token)) << "still cached";
  clock.Advance(1);
  EXPECT_EQ(tokens.Authenticate(**token).error().code, ErrorCode::kUnauthenticated);
  fs::remove_all(dir);
}

class TokenAuthorityUsersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("aimass-sec-" + RandomHex(6));
    fs::create_directories(dir_);
    store_ = std::move(*store::SqliteStore::Open(dir_ / "aimass.db"));
    tokens_ = std::make_unique<TokenAuthority>(*store_, clock_);
    auto admin = tokens_->BootstrapAdmin();
    ASSERT_TRUE(admin && *admin);
    auto grant = tokens_->Authenticate(**admin);
    ASSERT_TRUE(grant);
    admin_ = CallerOf(*grant);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static Caller CallerOf(const store::TokenGrant& grant) {
    return Caller{grant.user.id, grant.user.name, grant.user.is_admin,
                  Scopes::Parse(grant.token.scopes).value_or(Scopes{})};
  }
  // A token for `user` made by the admin, and the caller it authenticates as.
  Caller TokenFor(const std::string& user, const std::string& scopes, std::string* secret) {
    TokenRequest request;
    request.user = user;
    request.scopes = scopes;
    auto issued = tokens_->CreateToken(admin_, request);
    EXPECT_TRUE(issued) << issued.error().message;
    *secret = issued->secret;
    return CallerOf(*tokens_->Authenticate(issued->secret));
  }

  fs::path dir_;
  ManualClock clock_;
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<TokenAuthority> tokens_;
  Caller admin_;
};

TEST_F(TokenAuthorityUsersTest, OnlyAdminsMakeUsersWithValidNames) {
  ASSERT_TRUE(tokens_->CreateUser(admin_, "bob", false));
  EXPECT_EQ(tokens_->CreateUser(admin_, "bob", false).error().code, ErrorCode::kConflict);
  for (const char* bad : {"", "../x", "a b", "x/y", ".."}) {
    EXPECT_EQ(tokens_->CreateUser(admin_, bad, false).error().code, ErrorCode::kInvalidArgument)
        << bad;
  }
  std::string secret;
  Caller bob = TokenFor("bob", "read,write", &secret);
  EXPECT_EQ(tokens_->CreateUser(bob, "eve", false).error().code, ErrorCode::kPermissionDenied);
}

TEST_F(TokenAuthorityUsersTest, NoTokenMakesAMorePowerfulOne) {
  ASSERT_TRUE(tokens_->CreateUser(admin_, "bob", false));
  std::string secret;
  Caller reader = TokenFor("bob", "read", &secret);
  TokenRequest request;
  request.scopes = "read,write";
  EXPECT_EQ(tokens_->CreateToken(reader, request).error().code, ErrorCode::kPermissionDenied);
  request.scopes = "read";
  EXPECT_TRUE(tokens_->CreateToken(reader, request));
  request.user = "admin";  // another user's token
  EXPECT_EQ(tokens_->CreateToken(reader, request).error().code, ErrorCode::kPermissionDenied);

  Caller writer = TokenFor("bob", "read,write", &secret);
  request = {};
  request.scopes = "admin";
  EXPECT_EQ(tokens_->CreateToken(writer, request).error().code, ErrorCode::kPermissionDenied);
  request.user = "bob";  // even an admin cannot give a non-admin the admin scope
  EXPECT_EQ(tokens_->CreateToken(admin_, request).error().code, ErrorCode::kInvalidArgument);
  request.scopes = "read";
  request.endpoint = "web";  // an endpoint limit goes with predict only
  EXPECT_EQ(tokens_->CreateToken(admin_, request).error().code, ErrorCode::kInvalidArgument);
  request.scopes = "predict";
  auto predict = tokens_->CreateToken(admin_, request);
  ASSERT_TRUE(predict) << predict.error().message;
  EXPECT_EQ(tokens_->Authenticate(predict->secret)->token.endpoint, "web");
  request.scopes = "fly";
  EXPECT_EQ(tokens_->CreateToken(admin_, request).error().code, ErrorCode::kInvalidArgument);
}

TEST_F(TokenAuthorityUsersTest, TokensExpireAndRevokeAtOnceAndListOnlyTheirOwn) {
  ASSERT_TRUE(tokens_->CreateUser(admin_, "bob", false));
  std::string secret;
  Caller bob = TokenFor("bob", "read,write", &secret);
  TokenRequest request;
  request.scopes = "read";
  request.expires_in_days = 1;
  auto daily = tokens_->CreateToken(bob, request);
  ASSERT_TRUE(daily);
  ASSERT_TRUE(tokens_->Authenticate(daily->secret));
  clock_.Advance(24LL * 3600 * 1000);
  EXPECT_EQ(tokens_->Authenticate(daily->secret).error().code, ErrorCode::kUnauthenticated)
      << "expired, also while cached";
  // Unknown, expired and revoked tokens get the same answer.
  EXPECT_EQ(tokens_->Authenticate(daily->secret).error().message,
            tokens_->Authenticate("aim_unknown").error().message);

  auto listed = tokens_->ListTokens(bob, "");
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->size(), 2u);
  EXPECT_EQ(tokens_->ListTokens(bob, "admin").error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(tokens_->ListTokens(admin_, "")->size(), 3u);  // everyone's, to an admin

  const int64_t admins_token = tokens_->ListTokens(admin_, "admin")->front().id;
  EXPECT_EQ(tokens_->RevokeToken(bob, admins_token).error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(tokens_->Authenticate(secret));  // cached now
  ASSERT_TRUE(tokens_->RevokeToken(bob, listed->back().id));  // bob's first token: `secret`
  EXPECT_EQ(tokens_->Authenticate(secret).error().code, ErrorCode::kUnauthenticated)
      << "revoked here: at once, not after the cache time";
}

}  // namespace
}  // namespace aimass::security
