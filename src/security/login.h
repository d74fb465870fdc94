// Password login for the web console: a user's password (argon2id) opens a session, which is
// an API token that lives in a cookie for a few hours. Failed logins lock the user out for
// a while; an unknown user and a wrong password get the same answer, in the same time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "security/token_authority.h"
#include "store/metadata_store.h"

namespace aimass::security {

struct LoginOptions {
  int max_failures = 5;                         // in a row, then locked
  int64_t lock_millis = 15LL * 60 * 1000;       // how long
  int64_t session_millis = 12LL * 3600 * 1000;  // a session's life
};

struct LoginSession {
  std::string secret;  // the cookie's value
  store::TokenRecord token;
  bool is_admin = false;
};

// Thread-safe.
class LoginService {
 public:
  LoginService(store::MetadataStore& store, TokenAuthority& tokens, const Clock& clock,
               LoginOptions options = {})
      : store_(store), tokens_(tokens), clock_(clock), options_(options) {}

  // A new session for `user`, or kUnauthenticated with one message for every failure.
  Result<LoginSession> Login(const std::string& user, std::string_view password);
  // Sets `user`'s password: an admin's token for anyone, otherwise one's own with the
  // current password.
  Status SetPassword(const Caller& caller, const std::string& user, std::string_view password,
                     std::string_view current_password);

 private:
  store::MetadataStore& store_;
  TokenAuthority& tokens_;
  const Clock& clock_;
  const LoginOptions options_;
};

}  // namespace aimass::security
