// API tokens: created at random, shown once, stored only as SHA-256 hashes.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "store/metadata_store.h"

namespace aimass::security {

// Issues and checks bearer tokens. Tokens carry 256 random bits, so a plain SHA-256 is a
// safe stored form (no password stretching needed). A token found valid is trusted for
// kCacheMillis without asking the store again (every request carries one; the store's
// lookup also records the token's last use, a write): a token revoked elsewhere stops
// working within that time, one replaced here at once. Thread-safe.
class TokenAuthority {
 public:
  TokenAuthority(store::MetadataStore& store, const Clock& clock) : store_(store), clock_(clock) {}

  // On a fresh data directory: creates the user "admin" and returns its one-time token.
  // nullopt when an admin already exists (its token was shown on the first start).
  Result<std::optional<std::string>> BootstrapAdmin();
  // Replaces the admin's tokens (the old ones stop working) with a new one, for someone
  // who lost it and has access to the data directory.
  Result<std::string> ReplaceAdminToken();
  // The user a token belongs to; kUnauthenticated for a missing, unknown or revoked token.
  Result<store::UserRecord> Authenticate(std::string_view token);

  static constexpr std::string_view kAdminUser = "admin";
  static constexpr int64_t kCacheMillis = 5000;
  static constexpr size_t kCacheSize = 10000;  // tokens; the cache empties when full

 private:
  Result<std::string> IssueToken(int64_t user_id, const std::string& label);

  struct Known {
    store::UserRecord user;
    int64_t checked_at = 0;
  };

  store::MetadataStore& store_;
  const Clock& clock_;
  std::mutex mu_;
  std::map<std::string, Known, std::less<>> known_;  // by token hash
};

}  // namespace aimass::security
