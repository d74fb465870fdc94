// A thin RAII layer over the SQLite C API: a connection and prepared statements
// whose failures come back as Status values naming the SQL that failed.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace aimass::store {

// One prepared statement. Not thread-safe; lives inside one locked section.
class Statement {
 public:
  Statement(sqlite3 *db, sqlite3_stmt *stmt) : db_(db), stmt_(stmt) {}
  Statement(Statement &&other) noexcept : db_(other.db_), stmt_(other.stmt_) {
    other.stmt_ = nullptr;
  }
  ~Statement() { sqlite3_finalize(stmt_); }

  // Binds parameters 1..N in order; returns *this for chaining.
  Statement &Bind(int64_t value);
  Statement &Bind(int value) { return Bind(static_cast<int64_t>(value)); }
  Statement &Bind(double value);
  Statement &Bind(std::string_view value);
  Statement &Bind(const std::string &value) { return Bind(std::string_view(value)); }
  Statement &Bind(const char *value) { return Bind(std::string_view(value)); }
  Statement &BindNull();
  Statement &Bind(std::optional<int64_t> value) { return value ? Bind(*value) : BindNull(); }

  // true while there is a row to read, false when done.
  Result<bool> Step();
  // Runs to completion (for INSERT/UPDATE/DELETE).
  Status Run();

  int64_t Int(int column) const { return sqlite3_column_int64(stmt_, column); }
  std::string Text(int column) const;
  std::optional<int64_t> OptionalInt(int column) const;

  // Runs to completion and turns each row into a T with `read(*this)`.
  template <typename T, typename Read>
  Result<std::vector<T>> Collect(Read read) {
    std::vector<T> rows;
    while (true) {
      AIMASS_ASSIGN_OR_RETURN(bool row, Step());
      if (!row) return rows;
      rows.push_back(read(*this));
    }
  }

 private:
  sqlite3 *db_;
  sqlite3_stmt *stmt_;
  int next_index_ = 1;
};

// A SQLite connection in WAL mode with a busy timeout. Not thread-safe: callers
// serialize.
class Database {
 public:
  static Result<std::unique_ptr<Database>> Open(const std::filesystem::path &file);
  ~Database();

  Status Exec(std::string_view sql);
  Result<Statement> Prepare(std::string_view sql);
  int64_t LastInsertId() const { return sqlite3_last_insert_rowid(db_); }
  int Changes() const { return sqlite3_changes(db_); }

 private:
  explicit Database(sqlite3 *db) : db_(db) {}
  sqlite3 *db_;
};

// BEGIN IMMEDIATE … COMMIT; rolls back in the destructor unless committed.
class Transaction {
 public:
  explicit Transaction(Database &db) : db_(db) {}
  Status Begin() { return db_.Exec("BEGIN IMMEDIATE"); }
  Status Commit();
  ~Transaction();

 private:
  Database &db_;
  bool done_ = false;
};

}  // namespace aimass::store
