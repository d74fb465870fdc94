#include "store/sqlite_db.h"

namespace aimass::store {
namespace {

std::unexpected<Error> SqliteError(sqlite3 *db, std::string_view what) {
  int code = sqlite3_extended_errcode(db);
  ErrorCode error = ErrorCode::kInternal;
  if ((code & 0xff) == SQLITE_CONSTRAINT) error = ErrorCode::kConflict;
  if ((code & 0xff) == SQLITE_BUSY) error = ErrorCode::kUnavailable;
  return Fail(error, "metadata store: " + std::string(what) + ": " + sqlite3_errmsg(db));
}

}  // namespace

Statement &Statement::Bind(int64_t value) {
  sqlite3_bind_int64(stmt_, next_index_++, value);
  return *this;
}

Statement &Statement::Bind(double value) {
  sqlite3_bind_double(stmt_, next_index_++, value);
  return *this;
}

Statement &Statement::Bind(std::string_view value) {
  sqlite3_bind_text(stmt_, next_index_++, value.data(), static_cast<int>(value.size()),
                    SQLITE_TRANSIENT);
  return *this;
}

Statement &Statement::BindNull() {
  sqlite3_bind_null(stmt_, next_index_++);
  return *this;
}

Result<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteError(db_, sqlite3_sql(stmt_));
}

Status Statement::Run() {
  while (true) {
    AIMASS_ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return Ok();
  }
}

std::string Statement::Text(int column) const {
  const unsigned char *text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return "";
  return std::string(reinterpret_cast<const char *>(text),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::optional<int64_t> Statement::OptionalInt(int column) const {
  if (sqlite3_column_type(stmt_, column) == SQLITE_NULL) return std::nullopt;
  return Int(column);
}

Result<std::unique_ptr<Database>> Database::Open(const std::filesystem::path &file) {
  sqlite3 *raw = nullptr;
  int rc =
      sqlite3_open_v2(file.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  std::unique_ptr<Database> db(new Database(raw));
  if (rc != SQLITE_OK) return SqliteError(raw, "cannot open " + file.string());
  sqlite3_busy_timeout(raw, 5000);
  AIMASS_RETURN_IF_ERROR(db->Exec("PRAGMA journal_mode=WAL"));
  AIMASS_RETURN_IF_ERROR(db->Exec("PRAGMA synchronous=NORMAL"));
  AIMASS_RETURN_IF_ERROR(db->Exec("PRAGMA foreign_keys=ON"));
  return db;
}

Database::~Database() { sqlite3_close_v2(db_); }

Status Database::Exec(std::string_view sql) {
  std::string text(sql);
  char *message = nullptr;
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string detail = message ? message : "unknown error";
    sqlite3_free(message);
    return Fail(ErrorCode::kInternal, "metadata store: " + text.substr(0, 60) + ": " + detail);
  }
  return Ok();
}

Result<Statement> Database::Prepare(std::string_view sql) {
  sqlite3_stmt *stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) !=
      SQLITE_OK) {
    return SqliteError(db_, sql);
  }
  return Statement(db_, stmt);
}

Status Transaction::Commit() {
  AIMASS_RETURN_IF_ERROR(db_.Exec("COMMIT"));
  done_ = true;
  return Ok();
}

Transaction::~Transaction() {
  if (!done_) (void)db_.Exec("ROLLBACK");
}

}  // namespace aimass::store
