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
  EXPECT_EQ(user->name, "admin");
  EXPECT_TRUE(user->is_admin);
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

}  // namespace
}  // namespace aimass::security
