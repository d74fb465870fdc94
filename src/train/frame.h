// The raw columns of a table, as loaded for training (LoadParquet) or received for a
// prediction (FrameFromRecords), before any preprocessing. Numbers, booleans and datetimes
// are doubles with NaN for missing; text is strings with a presence flag.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "data/engine.h"

namespace aimass::train {

enum class ColumnKind {
  kNumber,    // finite doubles; NaN for missing (infinities are read as missing too)
  kBoolean,   // 0 or 1; NaN for missing
  kText,      // strings, with `present` saying which are there
  kDatetime,  // seconds since 1970-01-01 00:00 UTC; NaN for missing
};

std::string_view ColumnKindName(ColumnKind kind);  // "number", "boolean", "text", "datetime"
Result<ColumnKind> ParseColumnKind(std::string_view name);
// The kind a DuckDB type is read as: integers, decimals, floats, TIME and INTERVAL (seconds)
// are numbers; DATE and TIMESTAMP* are datetimes; everything else is read as text.
ColumnKind KindOfDuckDbType(std::string_view type);

// One column of a Frame. `numbers` is filled for every kind but text, `texts` and `present`
// for text only. Thread-compatible.
struct FrameColumn {
  std::string name;
  std::string type;  // DuckDB's type name, e.g. "BIGINT", "VARCHAR", "TIMESTAMP"
  ColumnKind kind = ColumnKind::kNumber;
  std::vector<double> numbers;
  std::vector<std::string> texts;
  std::vector<uint8_t> present;

  int64_t size() const;
  bool IsMissing(int64_t row) const;
};

// What a frame's columns are, without their values: kept with a model so that prediction
// input can be read the way the training data was. Thread-compatible.
struct ColumnSchema {
  std::string name;
  std::string type;
  ColumnKind kind = ColumnKind::kNumber;
};
struct FrameSchema {
  std::vector<ColumnSchema> columns;

  // [{"name":"age","type":"BIGINT","kind":"number"}, ...]
  nlohmann::json ToJson() const;
  static Result<FrameSchema> FromJson(const nlohmann::json& json);
};

// A table of raw columns, all of `rows` values. Thread-compatible.
struct Frame {
  int64_t rows = 0;
  std::vector<FrameColumn> columns;

  // Null when there is no column of that name.
  const FrameColumn* Find(std::string_view name) const;
  FrameSchema Schema() const;
  // "a, b, c": for error messages that list what exists.
  std::string ColumnList() const;
};

// The rows `indexes` of `frame`, in that order (e.g. the rows whose target is known).
Frame TakeRows(const Frame& frame, std::span<const int64_t> indexes);

// Reads `columns` of a Parquet file (every column when empty) through Engine::Stream.
// Unknown column names are kInvalidArgument naming the columns that exist.
Result<Frame> LoadParquet(data::Engine& engine, const std::filesystem::path& path,
                          std::span<const std::string> columns = {});

// A frame of prediction input read against the schema the model was trained with. `records`
// is an array of objects ([{"age":31,"city":"x"}, ...]) or an object of column arrays
// ({"age":[31,40],"city":["x","y"]}). Keys missing from a record are missing values; keys
// not in the schema are ignored; numbers may be given as numeric strings, booleans as
// true/false/1/0 (or as strings: those, yes/no, y/n, t/f, as DuckDB reads them), datetimes as ISO 8601 strings or epoch seconds.
// Anything else is kInvalidArgument naming the record (counted from 0) and the column.
Result<Frame> FrameFromRecords(const nlohmann::json& records, const FrameSchema& schema);

// A number as text the way a person writes it: 1 (not 1.0), 0.25, 1e+20. Used for class
// names and for numbers sent to a text column.
std::string CanonicalNumber(double value);

}  // namespace aimass::train
