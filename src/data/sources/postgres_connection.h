// A libpq connection for the postgres source kind, with PostgreSQL's errors turned into
// messages that name the server, the source and the fix.
#pragma once

#include <libpq-fe.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace aimass::data::sources {

struct PgResultFree {
  void operator()(PGresult* result) const { PQclear(result); }
};
using PgResult = std::unique_ptr<PGresult, PgResultFree>;

// One connection, closed when destroyed. Not thread-safe.
class PostgresConnection {
 public:
  // Connects with `dsn` (a libpq connection string) and `password` if any. A refused login
  // is kInvalidArgument ("PostgreSQL refused the login for user 'x' at host:port: ..."),
  // a server that cannot be reached kUnavailable.
  static Result<PostgresConnection> Open(const std::string& dsn,
                                         const std::optional<std::string>& password,
                                         int64_t connect_timeout_seconds);

  // Runs a statement that returns no rows (BEGIN, SET).
  Status Run(const std::string& sql);
  // Checks `sql` and describes its result's columns without running it.
  Result<PgResult> Describe(const std::string& sql);
  // Starts `sql` with text parameters in single-row mode: then call NextRow until it
  // returns nullptr (done) or an error.
  Status StartRows(const std::string& sql, const std::vector<std::string>& params);
  Result<PgResult> NextRow();

  PGconn* get() const { return connection_.get(); }
  std::string Where() const;  // "host:port" of the server

 private:
  struct PgConnFree {
    void operator()(PGconn* connection) const { PQfinish(connection); }
  };
  explicit PostgresConnection(PGconn* connection) : connection_(connection) {}
  // The error of a failed result (or of the connection), with its SQLSTATE.
  Error QueryError(const PGresult* result) const;

  std::unique_ptr<PGconn, PgConnFree> connection_;
};

// A statement's result status was not what it should be: the message of `result` (or of
// the connection when null), like "relation \"x\" does not exist (SQLSTATE 42P01)".
std::string PostgresErrorText(const PGconn* connection, const PGresult* result);

}  // namespace aimass::data::sources
