#include "data/preview.h"

#include <string>

#include "data/column_stats.h"

namespace aimass::data {
namespace {

bool IsNested(std::string_view type) {
  return type.ends_with("]") || type.starts_with("STRUCT") || type.starts_with("MAP") ||
         type.starts_with("UNION");
}

bool ReadsAsIs(std::string_view type) {
  for (std::string_view plain :
       {"BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER",
        "UBIGINT", "FLOAT", "DOUBLE", "VARCHAR"}) {
    if (type == plain) return true;
  }
  return false;
}

Result<Page> PreviewImpl(Engine& engine, const std::filesystem::path& parquet, int64_t offset,
                         int64_t limit) {
  if (offset < 0) return Fail(ErrorCode::kInvalidArgument, "offset must be 0 or more");
  if (limit < 0 || limit > kMaxPreviewRows) {
    return Fail(ErrorCode::kInvalidArgument, "limit must be between 0 and 10000");
  }
  Page page;
  AIMASS_ASSIGN_OR_RETURN(page.columns, ParquetSchema(engine, parquet));
  const std::string from = ReadParquetSql(parquet);
  AIMASS_ASSIGN_OR_RETURN(Rows count, engine.Query("SELECT count(*) FROM " + from));
  page.total_rows = count.rows.at(0).at(0).get<int64_t>();
  page.rows = nlohmann::json::array();
  if (page.columns.empty() || limit == 0) return page;

  std::string select;
  std::vector<bool> nested;
  for (const auto& column : page.columns) {
    const std::string c = QuoteIdentifier(column.name);
    nested.push_back(IsNested(column.type));
    if (!select.empty()) select += ", ";
    if (ReadsAsIs(column.type)) {
      select += c;
    } else if (column.type.starts_with("DECIMAL")) {
      select += "CAST(" + c + " AS DOUBLE)";
    } else if (nested.back()) {
      select += "CAST(to_json(" + c + ") AS VARCHAR)";
    } else {
      select += "CAST(" + c + " AS VARCHAR)";
    }
  }
  AIMASS_ASSIGN_OR_RETURN(
      Rows rows, engine.Query("SELECT " + select + " FROM " + from + " LIMIT " +
                              std::to_string(limit) + " OFFSET " + std::to_string(offset)));
  for (auto& row : rows.rows) {
    for (size_t c = 0; c < nested.size(); ++c) {
      if (!nested[c] || !row[c].is_string()) continue;
      // NaN inside a list is not JSON; such a value stays a string.
      auto parsed = nlohmann::json::parse(row[c].get<std::string>(), nullptr, false);
      if (!parsed.is_discarded()) row[c] = std::move(parsed);
    }
  }
  page.rows = std::move(rows.rows);
  return page;
}

}  // namespace

Result<Page> PreviewParquet(Engine& engine, const std::filesystem::path& parquet, int64_t offset,
                            int64_t limit) {
  try {
    return PreviewImpl(engine, parquet, offset, limit);
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kInternal, std::string("cannot preview the dataset: ") + e.what());
  }
}

}  // namespace aimass::data
