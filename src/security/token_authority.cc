#include "security/token_authority.h"

#include "common/hash.h"

namespace aimass::security {
namespace {

constexpr std::string_view kTokenPrefix = "aim_";

}  // namespace

Result<std::string> TokenAuthority::IssueToken(int64_t user_id, const std::string& label) {
  std::string token = std::string(kTokenPrefix) + RandomHex(32);
  AIMASS_RETURN_IF_ERROR(store_.AddToken(user_id, Sha256Hex(token), label));
  return token;
}

Result<std::optional<std::string>> TokenAuthority::BootstrapAdmin() {
  AIMASS_ASSIGN_OR_RETURN(auto existing, store_.FindUser(std::string(kAdminUser)));
  if (existing) return std::optional<std::string>();
  AIMASS_ASSIGN_OR_RETURN(auto admin, store_.CreateUser(std::string(kAdminUser), true));
  AIMASS_ASSIGN_OR_RETURN(std::string token, IssueToken(admin.id, "admin"));
  return std::optional<std::string>(std::move(token));
}

Result<std::string> TokenAuthority::ReplaceAdminToken() {
  AIMASS_ASSIGN_OR_RETURN(auto existing, store_.FindUser(std::string(kAdminUser)));
  store::UserRecord admin;
  if (existing) {
    admin = *existing;
  } else {
    AIMASS_ASSIGN_OR_RETURN(admin, store_.CreateUser(std::string(kAdminUser), true));
  }
  AIMASS_RETURN_IF_ERROR(store_.RevokeTokens(admin.id, "admin"));
  {
    std::lock_guard lock(mu_);
    known_.clear();  // the old tokens stop working now, not in kCacheMillis
  }
  return IssueToken(admin.id, "admin");
}

Result<store::UserRecord> TokenAuthority::Authenticate(std::string_view token) {
  if (token.empty()) {
    return Fail(ErrorCode::kUnauthenticated,
                "this route needs an API token: send the header 'Authorization: Bearer "
                "<token>' (the admin token is printed on the first start; a new one comes "
                "from `aimass admin new-token --data-dir DIR`)");
  }
  // Only the hash is looked up, so the comparison never touches the secret itself.
  const std::string hash = Sha256Hex(token);
  const int64_t now = clock_.NowMillis();
  {
    std::lock_guard lock(mu_);
    if (auto it = known_.find(hash); it != known_.end() &&
                                     now - it->second.checked_at < kCacheMillis &&
                                     now >= it->second.checked_at) {
      return it->second.user;
    }
  }
  AIMASS_ASSIGN_OR_RETURN(auto user, store_.UserForToken(hash, now));
  if (user) {
    std::lock_guard lock(mu_);
    if (known_.size() >= kCacheSize) known_.clear();
    known_[hash] = {*user, now};
  }
  if (!user) {
    return Fail(ErrorCode::kUnauthenticated,
                "the API token is not valid (unknown or revoked); log in again with "
                "`aimass login --server URL --token TOKEN`");
  }
  return *user;
}

}  // namespace aimass::security
