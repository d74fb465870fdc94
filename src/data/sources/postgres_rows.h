// PostgreSQL rows (libpq's text format) written as JSON lines with their types kept.
#pragma once

#include <libpq-fe.h>

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "data/sources/typed_batch.h"

namespace aimass::data::sources {

// The columns of one result and how each is written: integers, floats and numeric as JSON
// numbers (NaN and infinities as null), booleans, timestamps as ISO 8601
// ("2024-01-02T03:04:05Z" for timestamptz read in UTC), NULL as null, everything else (text,
// json, uuid, ...) as strings. Immutable once made: thread-safe.
class PostgresRowWriter {
 public:
  // From a described (or any) result; kInvalidArgument when two columns share a name.
  static Result<PostgresRowWriter> For(const PGresult* result);

  // Appends row `row` of `result` as one JSON line (with '\n') to `out`.
  void Append(const PGresult* result, int row, std::string& out) const;

  // The column's index, or -1.
  int Find(std::string_view name) const;
  // The column's PostgreSQL type by name ("int8", "timestamptz", ...).
  std::string TypeName(int column) const;
  std::string ColumnList() const;  // "a, b, c" for messages
  // The columns with the DuckDB type each is read as (int8 BIGINT, numeric DOUBLE,
  // timestamptz TIMESTAMP in UTC, text and the rest VARCHAR, ...).
  std::vector<TypedColumn> Columns() const;

 private:
  enum class Kind { kInteger, kFloat, kBool, kTimestamp, kTimestampTz, kText };
  struct Column {
    std::string name;
    std::string key;  // "\"name\":" ready to write
    unsigned type;
    Kind kind;
  };
  std::vector<Column> columns_;
};

}  // namespace aimass::data::sources
