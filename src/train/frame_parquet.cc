// LoadParquet: one streaming scan, with DuckDB casting each column in SQL to one of three
// physical types (DOUBLE, BOOLEAN, VARCHAR) so that the vector code below stays small.
#include <cmath>
#include <limits>

#include "data/column_stats.h"
#include "train/frame.h"

namespace aimass::train {
namespace {

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

bool IsValid(const uint64_t* validity, uint64_t row) {
  return validity == nullptr || ((validity[row / 64] >> (row % 64)) & 1) != 0;
}

// The SELECT expression that reads column `name` of DuckDB type `type` as its kind's
// physical type.
std::string ReadExpression(const std::string& name, const std::string& type, ColumnKind kind) {
  const std::string c = data::QuoteIdentifier(name);
  switch (kind) {
    case ColumnKind::kNumber:
      if (type == "TIME" || type == "INTERVAL") return "epoch(" + c + ")";
      return "CAST(" + c + " AS DOUBLE)";
    case ColumnKind::kBoolean:
      return c;
    case ColumnKind::kDatetime:
      return "epoch(" + c + ")";
    case ColumnKind::kText:
      return "CAST(" + c + " AS VARCHAR)";
  }
  return c;
}

void AppendVector(duckdb_vector vector, uint64_t size, FrameColumn& column) {
  const uint64_t* validity = duckdb_vector_get_validity(vector);
  void* data = duckdb_vector_get_data(vector);
  switch (column.kind) {
    case ColumnKind::kNumber:
    case ColumnKind::kDatetime: {
      const auto* values = static_cast<const double*>(data);
      for (uint64_t i = 0; i < size; ++i) {
        // Infinities are missing too: no learner can use them, and XGBoost refuses them.
        const bool known = IsValid(validity, i) && std::isfinite(values[i]);
        column.numbers.push_back(known ? values[i] : kMissing);
      }
      return;
    }
    case ColumnKind::kBoolean: {
      const auto* values = static_cast<const bool*>(data);
      for (uint64_t i = 0; i < size; ++i) {
        column.numbers.push_back(IsValid(validity, i) ? (values[i] ? 1.0 : 0.0) : kMissing);
      }
      return;
    }
    case ColumnKind::kText: {
      auto* values = static_cast<duckdb_string_t*>(data);
      for (uint64_t i = 0; i < size; ++i) {
        const bool valid = IsValid(validity, i);
        column.present.push_back(valid ? 1 : 0);
        column.texts.emplace_back(valid ? std::string_view(duckdb_string_t_data(&values[i]),
                                                           duckdb_string_t_length(values[i]))
                                        : std::string_view());
      }
      return;
    }
  }
}

}  // namespace

Result<Frame> LoadParquet(data::Engine& engine, const std::filesystem::path& path,
                          std::span<const std::string> columns) {
  AIMASS_ASSIGN_OR_RETURN(std::vector<data::Column> schema, data::ParquetSchema(engine, path));
  std::vector<const data::Column*> chosen;
  if (columns.empty()) {
    for (const auto& column : schema) chosen.push_back(&column);
  } else {
    for (const std::string& name : columns) {
      const data::Column* found = nullptr;
      for (const auto& column : schema) {
        if (column.name == name) found = &column;
      }
      if (found == nullptr) {
        std::string existing;
        for (const auto& column : schema) existing += (existing.empty() ? "" : ", ") + column.name;
        return Fail(ErrorCode::kInvalidArgument, "column '" + name + "' is not in " +
                                                     path.filename().string() +
                                                     "; its columns are: " + existing);
      }
      chosen.push_back(found);
    }
  }
  if (chosen.empty()) {
    return Fail(ErrorCode::kInvalidArgument, path.filename().string() + " has no columns");
  }

  Frame frame;
  std::string select;
  for (const data::Column* column : chosen) {
    const ColumnKind kind = KindOfDuckDbType(column->type);
    frame.columns.push_back({column->name, column->type, kind, {}, {}, {}});
    select += (select.empty() ? "" : ", ") + ReadExpression(column->name, column->type, kind);
  }
  const std::string sql = "SELECT " + select + " FROM " + data::ReadParquetSql(path);
  AIMASS_RETURN_IF_ERROR(engine.Stream(sql, [&frame](duckdb_data_chunk chunk) -> Status {
    const uint64_t size = duckdb_data_chunk_get_size(chunk);
    for (size_t i = 0; i < frame.columns.size(); ++i) {
      AppendVector(duckdb_data_chunk_get_vector(chunk, i), size, frame.columns[i]);
    }
    frame.rows += static_cast<int64_t>(size);
    return Ok();
  }));
  return frame;
}

}  // namespace aimass::train
