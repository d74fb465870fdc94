// The "postgres" source kind: a SELECT run against a PostgreSQL server on the source's
// interval, in a read-only transaction with a statement timeout. With `cursor_column` it is
// incremental (each run takes the rows past the last stored cursor value, in its order);
// without, each run takes the whole result and makes a version only when it changed.
#pragma once

#include <cstdint>
#include <string>

#include "data/sources/source.h"

namespace aimass::data::sources {

// Registers "postgres" (admins only: it reaches the network and reads the server's
// environment for the password).
Status RegisterPostgresSource(SourceKinds& kinds);

struct PostgresSourceOptions {
  std::string dsn;            // a libpq connection string without a password
  std::string password_env;   // the server's environment variable holding the password
  std::string query;          // one SELECT, without a trailing ';'
  std::string cursor_column;  // empty: not incremental
  int64_t batch_rows = 1'000'000;
  int64_t statement_timeout_ms = 300'000;
  int64_t connect_timeout_seconds = 10;
};

// Reads and checks a postgres source's settings (the dsn with libpq's own parser); errors
// name the field and the fix.
Result<PostgresSourceOptions> ParsePostgresSettings(const nlohmann::json& settings);

// One postgres source: a connection per Take, closed after it. Thread-safe (no state
// between calls).
class PostgresSource final : public Source {
 public:
  PostgresSource(std::string name, PostgresSourceOptions options)
      : name_(std::move(name)), options_(std::move(options)) {}

  // The batch is JSON lines: integers and floats as numbers, booleans, timestamps in ISO
  // 8601 (UTC for timestamptz), NULL as null, everything else as text. The cursor is
  // {"value": the last cursor_column value as text, "type": its PostgreSQL type}, or for a
  // whole-result source {"sha256": the result's hash}.
  Result<std::optional<SourceBatch>> Take(const SourceContext& context) override;

 private:
  const std::string name_;
  const PostgresSourceOptions options_;
};

}  // namespace aimass::data::sources
