#include "store/sqlite_store.h"

#include "store/ledger_details.h"
#include "store/migrations.h"

namespace aimass::store {
std::string_view JobStateName(JobState state) {
  switch (state) {
    case JobState::kQueued:
      return "queued";
    case JobState::kRunning:
      return "running";
    case JobState::kSucceeded:
      return "succeeded";
    case JobState::kFailed:
      return "failed";
    case JobState::kCancelled:
      return "cancelled";
  }
  return "failed";
}

std::optional<JobState> ParseJobState(std::string_view name) {
  for (JobState state : {JobState::kQueued, JobState::kRunning, JobState::kSucceeded,
                         JobState::kFailed, JobState::kCancelled}) {
    if (JobStateName(state) == name) return state;
  }
  return std::nullopt;
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::filesystem::path &file) {
  AIMASS_ASSIGN_OR_RETURN(auto db, Database::Open(file));
  AIMASS_RETURN_IF_ERROR(Migrate(*db));
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(db)));
}

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
  UserRecord user;
  user.id = db_->LastInsertId();
  user.name = name;
  user.is_admin = is_admin;
  user.created_at = now;
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
  return UserRecord{query.Int(0), query.Text(1), query.Int(2) != 0, query.Int(3)};
}

Result<std::string> SqliteStore::UserNameLocked(int64_t user_id) {
  AIMASS_ASSIGN_OR_RETURN(auto query, db_->Prepare("SELECT name FROM users WHERE id = ?"));
  query.Bind(user_id);
  AIMASS_ASSIGN_OR_RETURN(bool found, query.Step());
  if (!found) return Fail(ErrorCode::kNotFound, "no user with id " + std::to_string(user_id));
  return query.Text(0);
}

Result<int64_t> SqliteStore::AddToken(int64_t user_id, const std::string &token_hash,
                                      const std::string &label) {
  std::lock_guard lock(mu_);
  const int64_t now = WallClockMillis();
  Transaction tx(*db_);
  AIMASS_RETURN_IF_ERROR(tx.Begin());
  AIMASS_ASSIGN_OR_RETURN(std::string user, UserNameLocked(user_id));
  AIMASS_ASSIGN_OR_RETURN(auto insert,
                          db_->Prepare("INSERT INTO tokens(user_id, token_hash, label, created_at) "
                                       "VALUES (?, ?, ?, ?)"));
  AIMASS_RETURN_IF_ERROR(insert.Bind(user_id).Bind(token_hash).Bind(label).Bind(now).Run());
  const int64_t token_id = db_->LastInsertId();
  // The token's hash stays out of the ledger: entries are readable by every user.
  AIMASS_RETURN_IF_ERROR(AppendLedgerLocked(
      {"token.created", "user:" + user, {{"token_id", token_id}, {"label", label}}}, now));
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

Result<std::optional<UserRecord>> SqliteStore::UserForToken(const std::string &token_hash,
                                                            int64_t now) {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(auto query,
                          db_->Prepare("SELECT u.id, u.name, u.is_admin, u.created_at, t.id "
                                       "FROM tokens t JOIN users u ON u.id = t.user_id "
                                       "WHERE t.token_hash = ? AND t.revoked = 0"));
  query.Bind(token_hash);
  AIMASS_ASSIGN_OR_RETURN(bool found, query.Step());
  if (!found) return std::optional<UserRecord>();
  UserRecord user{query.Int(0), query.Text(1), query.Int(2) != 0, query.Int(3)};
  AIMASS_ASSIGN_OR_RETURN(auto touch,
                          db_->Prepare("UPDATE tokens SET last_used_at = ? WHERE id = ?"));
  AIMASS_RETURN_IF_ERROR(touch.Bind(now).Bind(query.Int(4)).Run());
  return std::optional<UserRecord>(user);
}

Result<std::string> SqliteStore::IntegrityCheck() {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(auto query, db_->Prepare("PRAGMA integrity_check"));
  AIMASS_ASSIGN_OR_RETURN(
      auto lines, query.Collect<std::string>([](const Statement &row) { return row.Text(0); }));
  std::string report;
  for (const auto &line : lines) report += (report.empty() ? "" : "; ") + line;
  return report;
}

}  // namespace aimass::store
