#include "security/login.h"

#include "security/passwords.h"

namespace aimass::security {
namespace {

std::unexpected<Error> LoginRefused() {
  return Fail(ErrorCode::kUnauthenticated,
              "wrong user name or password, or too many failed attempts (then wait 15 minutes); "
              "an admin sets passwords with `aimass users passwd NAME`");
}

}  // namespace

Result<LoginSession> LoginService::Login(const std::string& user, std::string_view password) {
  if (!CheckUserName(user)) {
    (void)VerifyPassword(password, "");  // the same time as for a real user
    return LoginRefused();
  }
  AIMASS_ASSIGN_OR_RETURN(auto credentials, store_.UserCredentials(user));
  const int64_t now = clock_.NowMillis();
  // Every path runs one argon2id check, so the time taken does not tell whether the user
  // exists, has a password, or is locked.
  const bool matches =
      VerifyPassword(password, credentials ? credentials->password_hash : std::string());
  if (!credentials) return LoginRefused();
  if (credentials->locked_until > now) return LoginRefused();
  AIMASS_RETURN_IF_ERROR(store_.RecordLogin(credentials->user.id, matches, options_.max_failures,
                                            now + options_.lock_millis));
  if (!matches) return LoginRefused();

  LoginSession session;
  session.is_admin = credentials->user.is_admin;
  session.token.user_id = credentials->user.id;
  session.token.user_name = credentials->user.name;
  session.token.label = "web session";
  session.token.scopes = session.is_admin ? "admin" : "read,write";
  session.token.created_at = now;
  session.token.expires_at = now + options_.session_millis;
  AIMASS_ASSIGN_OR_RETURN(session.secret, tokens_.Issue(session.token));
  return session;
}

Status LoginService::SetPassword(const Caller& caller, const std::string& user,
                                 std::string_view password, std::string_view current_password) {
  AIMASS_RETURN_IF_ERROR(CheckUserName(user));
  const bool admin = caller.is_admin && caller.scopes.CanAdminister();
  if (!admin) {
    if (user != caller.user_name) {
      return Fail(ErrorCode::kPermissionDenied, "only an admin sets another user's password");
    }
    AIMASS_ASSIGN_OR_RETURN(auto credentials, store_.UserCredentials(user));
    if (!credentials || (!credentials->password_hash.empty() &&
                         !VerifyPassword(current_password, credentials->password_hash))) {
      return Fail(ErrorCode::kPermissionDenied,
                  "the current password is wrong; send it as \"current_password\"");
    }
  }
  AIMASS_ASSIGN_OR_RETURN(std::string hash, HashPassword(password));
  return store_.SetPasswordHash(user, hash, clock_.NowMillis());
}

}  // namespace aimass::security
