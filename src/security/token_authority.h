// Users and their API tokens: created at random, shown once, stored only as SHA-256 hashes,
// with scopes, an optional endpoint limit, an expiry, revocation and last use.
#pragma once

#include <array>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/scopes.h"
#include "common/status.h"
#include "store/metadata_store.h"

namespace aimass::security {

// Who asks for a new token or user: the caller's grant as the server authenticated it.
struct Caller {
  int64_t user_id = 0;
  std::string user_name;
  bool is_admin = false;
  Scopes scopes;
};

// What a new token may do.
struct TokenRequest {
  std::string user;  // whose token; "" for the caller's own (only admins name another user)
  std::string label;
  std::string scopes = "read,write";
  std::string endpoint;          // with scopes "predict" only: the one endpoint it may predict on
  int64_t expires_in_days = 90;  // 0: never expires
};

struct IssuedToken {
  std::string secret;  // shown once, never stored
  store::TokenRecord token;
};

// Issues and checks bearer tokens. Tokens carry 256 random bits, so a plain SHA-256 is a
// safe stored form (no password stretching needed). A token found valid is trusted for
// kCacheMillis without asking the store again (every request carries one; the store's
// lookup also records the token's last use, a write): a token revoked elsewhere stops
// working within that time, one revoked or replaced here at once. Thread-safe.
class TokenAuthority {
 public:
  TokenAuthority(store::MetadataStore& store, const Clock& clock);

  // On a fresh data directory: creates the user "admin" and returns its one-time token.
  // nullopt when an admin already exists (its token was shown on the first start).
  Result<std::optional<std::string>> BootstrapAdmin();
  // Replaces the admin's tokens (the old ones stop working) with a new one, for someone
  // who lost it and has access to the data directory.
  Result<std::string> ReplaceAdminToken();
  // The grant of a token; kUnauthenticated for a missing, unknown, expired or revoked one,
  // with the same message for each, so that a guesser learns nothing.
  Result<store::TokenGrant> Authenticate(std::string_view token);

  // Users are made by admins only (no sign-up, no default password).
  Result<store::UserRecord> CreateUser(const Caller& caller, const std::string& name,
                                       bool is_admin);
  // A new token. Nobody gets more than their own token holds (a read token cannot make a
  // write token), the admin scope only for admin users, and only admins make tokens for
  // another user.
  Result<IssuedToken> CreateToken(const Caller& caller, const TokenRequest& request);
  // The caller's tokens (an admin's: everyone's, or `user`'s when named).
  Result<std::vector<store::TokenRecord>> ListTokens(const Caller& caller, const std::string& user);
  // Revokes one of the caller's tokens (an admin: anyone's); it stops working at once here.
  Status RevokeToken(const Caller& caller, int64_t token_id);

  // Stores `token` (setting its id) and returns its secret, unchecked: for callers that
  // decided what the token may do themselves (a login session).
  Result<std::string> Issue(store::TokenRecord& token) { return IssueToken(token); }

  static constexpr std::string_view kAdminUser = "admin";
  static constexpr int64_t kCacheMillis = 5000;
  static constexpr size_t kCacheSize = 10000;  // tokens; the cache empties when full
  static constexpr int64_t kMaxDays = 3650;

 private:
  // Stores `token` (setting its id) and returns its secret.
  Result<std::string> IssueToken(store::TokenRecord& token);
  Result<store::UserRecord> UserNamed(const std::string& name);
  void ForgetCached();
  // The cache's key of a token: SipHash-2-4 (128 bits) under a key drawn at start.
  using CacheKey = std::array<unsigned char, 16>;
  CacheKey CacheKeyOf(std::string_view token) const;

  struct Known {
    store::TokenGrant grant;
    int64_t checked_at = 0;
  };

  store::MetadataStore& store_;
  const Clock& clock_;
  std::mutex mu_;
  std::array<unsigned char, 16> cache_key_;  // the SipHash key of CacheKeyOf, drawn at start
  std::map<CacheKey, Known> known_;  // by CacheKeyOf(token)
};

// User names: 1 to 64 of A-Z a-z 0-9 _ . - (they appear in URLs, the ledger and logs).
Status CheckUserName(std::string_view name);

}  // namespace aimass::security
