// The users half of SqliteStore: users and their API tokens (hashes only).
#include <string>

#include "store/ledger_details.h"
#include "store/sqlite_store.h"

namespace aimass::store {
namespace {

// A token's columns (ReadToken's order), then its user's is_admin and created_at.
constexpr const char *kTokenSelect =
    "SELECT t.id, t.user_id, u.name, t.label, t.scopes, t.endpoint, t.created_at, "
    "t.expires_at, t.last_used_at, t.revoked, u.is_admin, u.created_at "
    "FROM tokens t JOIN users u ON u.id = t.user_id ";

TokenRecord ReadToken(const Statement &row) {
  TokenRecord token;
  token.id = row.Int(0);
  token.user_id = row.Int(1);
  token.user_name = row.Text(2);
  token.label = row.Text(3);
  token.scopes = row.Text(4);
  token.endpoint = row.Text(5);
  token.created_at = row.Int(6);
  token.expires_at = row.OptionalInt(7);
  token.last_used_at = row.OptionalInt(8);
  token.revoked = row.Int(9) != 0;
  return token;
}

UserRecord ReadUser(const Statement &row) {
  return UserRecord{row.Int(0), row.Text(1), row.Int(2) != 0, row.Int(3)};
}

}  // namespace

Result<UserRecord> SqliteStore::CreateUser(const std::string &name, bool is_admin) {
  std::lock_guard lock(mu_);
  const int64_t now = WallClockMillis();
  Transaction tx(*db_);
  AIMASS_RETURN_IF_ERROR(tx.Begin());
  AIMASS_ASSIGN_OR_RETURN(auto insert, db_->Prepare("INSERT INTO users(name, is_admin, created_at) "
                                                    "VALUES (?, ?, ?)"));
  auto inserted = insert.Bind(name).Bind(is_admin ? 1 : 0).Bind(now).Run();
  if (!inserted && inserted.error().code == ErrorCode::kConflict) {
    return Fail(ErrorCode::kConflict, "user '" + name + "' already exists");
  }
  AIMASS_RETURN_IF_ERROR(inserted);
  UserRecord user{db_->LastInsertId(), name, is_admin, now};
  AIMASS_RETURN_IF_ERROR(
      AppendLedgerLocked({"user.created", "user:" + name, {{"admin", is_admin}}}, now));
  AIMASS_RETURN_IF_ERROR(tx.Commit());
  return user;
}

Result<std::optional<UserRecord>> SqliteStore::FindUser(const std::string &name) {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(
      auto query, db_->Prepare("SELECT id, name, is_admin, created_at FROM users WHERE name = ?"));
  query.Bind(name);
  AIMASS_ASSIGN_OR_RETURN(bool found, query.Step());
  if (!found) return std::optional<UserRecord>();
  return ReadUser(query);
}

Result<std::vector<UserRecord>> SqliteStore::ListUsers() {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(
      auto query, db_->Prepare("SELECT id, name, is_admin, created_at FROM users ORDER BY name"));
  return query.Collect<UserRecord>(ReadUser);
}

Result<std::optional<Credentials>> SqliteStore::UserCredentials(const std::string &name) {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(auto query,
                          db_->Prepare("SELECT id, name, is_admin, created_at, password_hash, "
                                       "failed_logins, locked_until FROM users WHERE name = ?"));
  query.Bind(name);
  AIMASS_ASSIGN_OR_RETURN(bool found, query.Step());
  if (!found) return std::optional<Credentials>();
  return Credentials{ReadUser(query), query.Text(4), static_cast<int>(query.Int(5)), query.Int(6)};
}

Status SqliteStore::SetPasswordHash(const std::string &name, const std::string &hash, int64_t now) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  AIMASS_RETURN_IF_ERROR(tx.Begin());
  AIMASS_ASSIGN_OR_RETURN(auto update,
                          db_->Prepare("UPDATE users SET password_hash = ?, failed_logins = 0, "
                                       "locked_until = 0 WHERE name = ?"));
  AIMASS_RETURN_IF_ERROR(update.Bind(hash).Bind(name).Run());
  if (db_->Changes() == 0) return Fail(ErrorCode::kNotFound, "no user named '" + name + "'");
  // The hash itself stays out of the ledger, which every user may read.
  AIMASS_RETURN_IF_ERROR(AppendLedgerLocked(
      {hash.empty() ? "user.password.removed" : "user.password.set", "user:" + name}, now));
  return tx.Commit();
}

Status SqliteStore::RecordLogin(int64_t user_id, bool succeeded, int max_failures,
                                int64_t lock_until) {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(
      auto update,
      db_->Prepare(succeeded ? "UPDATE users SET failed_logins = 0 WHERE id = ?1"
                             : "UPDATE users SET failed_logins = failed_logins + 1, "
                               "locked_until = CASE WHEN failed_logins + 1 >= ?2 THEN ?3 "
                               "ELSE locked_until END WHERE id = ?1"));
  update.Bind(user_id);
  if (!succeeded) update.Bind(max_failures).Bind(lock_until);
  return update.Run();
}

Result<std::string> SqliteStore::UserNameLocked(int64_t user_id) {
  AIMASS_ASSIGN_OR_RETURN(auto query, db_->Prepare("SELECT name FROM users WHERE id = ?"));
  query.Bind(user_id);
  AIMASS_ASSIGN_OR_RETURN(bool found, query.Step());
  if (!found) return Fail(ErrorCode::kNotFound, "no user with id " + std::to_string(user_id));
  return query.Text(0);
}

Result<int64_t> SqliteStore::AddToken(const TokenRecord &token, const std::string &token_hash,
                                      int64_t now) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  AIMASS_RETURN_IF_ERROR(tx.Begin());
  AIMASS_ASSIGN_OR_RETURN(std::string user, UserNameLocked(token.user_id));
  AIMASS_ASSIGN_OR_RETURN(auto insert,
                          db_->Prepare("INSERT INTO tokens(user_id, token_hash, label, scopes, "
                                       "endpoint, expires_at, created_at) "
                                       "VALUES (?, ?, ?, ?, ?, ?, ?)"));
  AIMASS_RETURN_IF_ERROR(insert.Bind(token.user_id)
                             .Bind(token_hash)
                             .Bind(token.label)
                             .Bind(token.scopes)
                             .Bind(token.endpoint)
                             .Bind(token.expires_at)
                             .Bind(now)
                             .Run());
  const int64_t token_id = db_->LastInsertId();
  // The token's hash stays out of the ledger: entries are readable by every user.
  AIMASS_RETURN_IF_ERROR(AppendLedgerLocked(
      {"token.created",
       "user:" + user,
       {{"token_id", token_id},
        {"label", token.label},
        {"scopes", token.scopes},
        {"endpoint", token.endpoint},
        {"expires_at", token.expires_at ? nlohmann::json(*token.expires_at) : nlohmann::json()}}},
      now));
  AIMASS_RETURN_IF_ERROR(tx.Commit());
  return token_id;
}

Status SqliteStore::RevokeTokens(int64_t user_id, const std::string &label) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  AIMASS_RETURN_IF_ERROR(tx.Begin());
  AIMASS_ASSIGN_OR_RETURN(std::string user, UserNameLocked(user_id));
  AIMASS_ASSIGN_OR_RETURN(auto update,
                          db_->Prepare("UPDATE tokens SET revoked = 1 WHERE user_id = ? "
                                       "AND revoked = 0 AND (? = '' OR label = ?)"));
  AIMASS_RETURN_IF_ERROR(update.Bind(user_id).Bind(label).Bind(label).Run());
  const int revoked = db_->Changes();
  if (revoked > 0) {
    AIMASS_RETURN_IF_ERROR(AppendLedgerLocked(
        {"token.revoked", "user:" + user, {{"label", label}, {"count", revoked}}},
        WallClockMillis()));
  }
  return tx.Commit();
}

Status SqliteStore::RevokeToken(int64_t token_id, int64_t user_id) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  AIMASS_RETURN_IF_ERROR(tx.Begin());
  AIMASS_ASSIGN_OR_RETURN(auto find, db_->Prepare(std::string(kTokenSelect) +
                                                  "WHERE t.id = ? AND (? = 0 OR t.user_id = ?)"));
  find.Bind(token_id).Bind(user_id).Bind(user_id);
  AIMASS_ASSIGN_OR_RETURN(auto found, find.Collect<TokenRecord>(ReadToken));
  if (found.empty()) {
    return Fail(ErrorCode::kNotFound, "no token " + std::to_string(token_id) +
                                          " of yours; `aimass tokens list` shows them");
  }
  if (found.front().revoked) return tx.Commit();
  AIMASS_ASSIGN_OR_RETURN(auto update, db_->Prepare("UPDATE tokens SET revoked = 1 WHERE id = ?"));
  AIMASS_RETURN_IF_ERROR(update.Bind(token_id).Run());
  AIMASS_RETURN_IF_ERROR(AppendLedgerLocked(
      {"token.revoked", "user:" + found.front().user_name, {{"token_id", token_id}, {"count", 1}}},
      WallClockMillis()));
  return tx.Commit();
}

Result<std::vector<TokenRecord>> SqliteStore::ListTokens(int64_t user_id) {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(auto query,
                          db_->Prepare(std::string(kTokenSelect) + "WHERE ? = 0 OR t.user_id = ? "
                                                                   "ORDER BY t.id DESC"));
  query.Bind(user_id).Bind(user_id);
  return query.Collect<TokenRecord>(ReadToken);
}

Result<std::optional<TokenGrant>> SqliteStore::GrantForToken(const std::string &token_hash,
                                                             int64_t now) {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(
      auto query,
      db_->Prepare(std::string(kTokenSelect) + "WHERE t.token_hash = ? AND t.revoked = 0 "
                                               "AND (t.expires_at IS NULL OR t.expires_at > ?)"));
  query.Bind(token_hash).Bind(now);
  AIMASS_ASSIGN_OR_RETURN(bool found, query.Step());
  if (!found) return std::optional<TokenGrant>();
  TokenGrant grant;
  grant.token = ReadToken(query);
  grant.user =
      UserRecord{grant.token.user_id, grant.token.user_name, query.Int(10) != 0, query.Int(11)};
  AIMASS_ASSIGN_OR_RETURN(auto touch,
                          db_->Prepare("UPDATE tokens SET last_used_at = ? WHERE id = ?"));
  AIMASS_RETURN_IF_ERROR(touch.Bind(now).Bind(grant.token.id).Run());
  grant.token.last_used_at = now;
  return std::optional<TokenGrant>(std::move(grant));
}

}  // namespace aimass::store
