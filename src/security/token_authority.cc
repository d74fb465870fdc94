#include "security/token_authority.h"

#include <sodium.h>

#include "common/hash.h"
#include "security/secret_file.h"

namespace aimass::security {
namespace {

constexpr std::string_view kTokenPrefix = "aim_";
constexpr int64_t kDayMillis = 24LL * 3600 * 1000;

std::unexpected<Error> Unauthenticated() {
  return Fail(ErrorCode::kUnauthenticated,
              "the API token is not valid (unknown, expired or revoked); ask for a new one "
              "(`aimass tokens create`) and log in again with `aimass login --server URL "
              "--token TOKEN`");
}

// The scopes of `wanted` that `held` does not allow.
std::string Escalation(const Scopes& held, const Scopes& wanted) {
  std::string extra;
  auto add = [&](bool asked, bool allowed, const char* name) {
    if (asked && !allowed) extra += (extra.empty() ? "" : ",") + std::string(name);
  };
  add(wanted.read, held.CanRead(), "read");
  add(wanted.write, held.CanWrite(), "write");
  add(wanted.predict, held.CanPredict(), "predict");
  add(wanted.admin, held.CanAdminister(), "admin");
  return extra;
}

}  // namespace

Status CheckUserName(std::string_view name) {
  bool ok = !name.empty() && name.size() <= 64;
  for (char c : name) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '_' || c == '.' || c == '-');
  }
  if (ok && name != "." && name != "..") return Ok();
  return Fail(ErrorCode::kInvalidArgument, "user name '" + std::string(name.substr(0, 80)) +
                                               "' is not valid: use 1 to 64 of A-Z a-z 0-9 _ . -");
}

Result<std::string> TokenAuthority::IssueToken(store::TokenRecord& token) {
  std::string secret = std::string(kTokenPrefix) + RandomHex(32);
  AIMASS_ASSIGN_OR_RETURN(token.id, store_.AddToken(token, Sha256Hex(secret), clock_.NowMillis()));
  return secret;
}

TokenAuthority::TokenAuthority(store::MetadataStore& store, const Clock& clock)
    : store_(store), clock_(clock) {
  static_assert(crypto_shorthash_siphashx24_KEYBYTES == 16 &&
                crypto_shorthash_siphashx24_BYTES == 16);
  EnsureSodium();
  randombytes_buf(cache_key_.data(), cache_key_.size());
}

TokenAuthority::CacheKey TokenAuthority::CacheKeyOf(std::string_view token) const {
  CacheKey key;
  crypto_shorthash_siphashx24(key.data(), reinterpret_cast<const unsigned char*>(token.data()),
                              token.size(), cache_key_.data());
  return key;
}

void TokenAuthority::ForgetCached() {
  std::lock_guard lock(mu_);
  known_.clear();
}

Result<std::optional<std::string>> TokenAuthority::BootstrapAdmin() {
  AIMASS_ASSIGN_OR_RETURN(auto existing, store_.FindUser(std::string(kAdminUser)));
  if (existing) return std::optional<std::string>();
  AIMASS_ASSIGN_OR_RETURN(auto admin, store_.CreateUser(std::string(kAdminUser), true));
  store::TokenRecord token;
  token.user_id = admin.id;
  token.label = "admin";
  token.scopes = "admin";
  AIMASS_ASSIGN_OR_RETURN(std::string secret, IssueToken(token));
  return std::optional<std::string>(std::move(secret));
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
  ForgetCached();  // the old tokens stop working now, not in kCacheMillis
  store::TokenRecord token;
  token.user_id = admin.id;
  token.label = "admin";
  token.scopes = "admin";
  return IssueToken(token);
}

Result<store::TokenGrant> TokenAuthority::Authenticate(std::string_view token) {
  if (token.empty()) {
    return Fail(ErrorCode::kUnauthenticated,
                "this route needs an API token: send the header 'Authorization: Bearer "
                "<token>' (the admin token is printed on the first start; a new one comes "
                "from `aimass admin new-token --data-dir DIR`)");
  }
  // Only hashes are looked up, so no comparison ever touches the secret itself: the cache
  // by a keyed SipHash (a tenth of SHA-256's time), the store by SHA-256.
  const CacheKey key = CacheKeyOf(token);
  const int64_t now = clock_.NowMillis();
  {
    std::lock_guard lock(mu_);
    if (auto it = known_.find(key); it != known_.end() &&
                                    now - it->second.checked_at < kCacheMillis &&
                                    now >= it->second.checked_at) {
      const auto& expires = it->second.grant.token.expires_at;
      if (!expires || now < *expires) return it->second.grant;
    }
  }
  AIMASS_ASSIGN_OR_RETURN(auto grant, store_.GrantForToken(Sha256Hex(token), now));
  if (!grant) return Unauthenticated();
  std::lock_guard lock(mu_);
  if (known_.size() >= kCacheSize) known_.clear();
  known_[key] = {*grant, now};
  return *grant;
}

Result<store::UserRecord> TokenAuthority::UserNamed(const std::string& name) {
  AIMASS_RETURN_IF_ERROR(CheckUserName(name));
  AIMASS_ASSIGN_OR_RETURN(auto user, store_.FindUser(name));
  if (!user) {
    return Fail(ErrorCode::kNotFound,
                "no user named '" + name + "'; an admin makes one with `aimass users create`");
  }
  return *user;
}

Result<store::UserRecord> TokenAuthority::CreateUser(const Caller& caller, const std::string& name,
                                                     bool is_admin) {
  if (!caller.is_admin || !caller.scopes.CanAdminister()) {
    return Fail(ErrorCode::kPermissionDenied, "only an admin's token makes users");
  }
  AIMASS_RETURN_IF_ERROR(CheckUserName(name));
  return store_.CreateUser(name, is_admin);
}

Result<IssuedToken> TokenAuthority::CreateToken(const Caller& caller, const TokenRequest& request) {
  AIMASS_ASSIGN_OR_RETURN(Scopes wanted, Scopes::Parse(request.scopes));
  store::UserRecord owner{caller.user_id, caller.user_name, caller.is_admin, 0};
  if (!request.user.empty() && request.user != caller.user_name) {
    if (!caller.is_admin || !caller.scopes.CanAdminister()) {
      return Fail(ErrorCode::kPermissionDenied,
                  "only an admin makes tokens for another user ('" + request.user + "')");
    }
    AIMASS_ASSIGN_OR_RETURN(owner, UserNamed(request.user));
  } else if (const std::string extra = Escalation(caller.scopes, wanted); !extra.empty()) {
    return Fail(ErrorCode::kPermissionDenied,
                "a token cannot make a token that may do more than itself: yours lacks " + extra);
  }
  if (wanted.admin && !owner.is_admin) {
    return Fail(ErrorCode::kInvalidArgument,
                "user '" + owner.name +
                    "' is not an admin, so no token of theirs gets the admin "
                    "scope");
  }
  if (!request.endpoint.empty() && (wanted.read || wanted.write || wanted.admin)) {
    return Fail(ErrorCode::kInvalidArgument,
                "a token limited to endpoint '" + request.endpoint +
                    "' has only the predict scope; ask for scopes \"predict\"");
  }
  if (request.expires_in_days < 0 || request.expires_in_days > kMaxDays) {
    return Fail(ErrorCode::kInvalidArgument,
                "expires_in_days must be 0 (never) to " + std::to_string(kMaxDays));
  }
  if (request.label.size() > 200) {
    return Fail(ErrorCode::kInvalidArgument, "a token's label has at most 200 characters");
  }
  store::TokenRecord token;
  token.user_id = owner.id;
  token.user_name = owner.name;
  token.label = request.label;
  token.scopes = wanted.ToString();
  token.endpoint = request.endpoint;
  token.created_at = clock_.NowMillis();
  if (request.expires_in_days > 0) {
    token.expires_at = token.created_at + request.expires_in_days * kDayMillis;
  }
  AIMASS_ASSIGN_OR_RETURN(std::string secret, IssueToken(token));
  return IssuedToken{secret, token};
}

Result<std::vector<store::TokenRecord>> TokenAuthority::ListTokens(const Caller& caller,
                                                                   const std::string& user) {
  const bool admin = caller.is_admin && caller.scopes.CanAdminister();
  if (!user.empty() && user != caller.user_name) {
    if (!admin) {
      return Fail(ErrorCode::kPermissionDenied, "only an admin lists another user's tokens");
    }
    AIMASS_ASSIGN_OR_RETURN(auto owner, UserNamed(user));
    return store_.ListTokens(owner.id);
  }
  return store_.ListTokens(admin && user.empty() ? 0 : caller.user_id);
}

Status TokenAuthority::RevokeToken(const Caller& caller, int64_t token_id) {
  const bool admin = caller.is_admin && caller.scopes.CanAdminister();
  AIMASS_RETURN_IF_ERROR(store_.RevokeToken(token_id, admin ? 0 : caller.user_id));
  ForgetCached();
  return Ok();
}

}  // namespace aimass::security
