#include "data/column_stats.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "data/column_profile.h"

namespace aimass::data {
namespace {

// At most this many aggregate expressions per query, so that a table of 10,000 date columns
// is summarized in a few dozen modest queries instead of one enormous one.
constexpr size_t kMaxExpressionsPerQuery = 1500;
// Distinct strings counted exactly, over all the string columns of a table together.
constexpr size_t kTrackedValuesBudget = 1'000'000;

enum class Kind { kInteger, kWideNumber, kFloat, kString, kBoolean, kTemporal, kOther };

Kind KindOf(std::string_view type) {
  if (type == "TINYINT" || type == "SMALLINT" || type == "INTEGER" || type == "BIGINT" ||
      type == "UTINYINT" || type == "USMALLINT" || type == "UINTEGER") {
    return Kind::kInteger;
  }
  if (type == "UBIGINT" || type == "HUGEINT" || type == "UHUGEINT" ||
      type.starts_with("DECIMAL")) {
    return Kind::kWideNumber;
  }
  if (type == "FLOAT" || type == "DOUBLE") return Kind::kFloat;
  if (type == "VARCHAR") return Kind::kString;
  if (type == "BOOLEAN") return Kind::kBoolean;
  if (type == "DATE" || type.starts_with("TIME")) return Kind::kTemporal;
  return Kind::kOther;
}

// How a column is fed to its ColumnProfile; dates, times and other types are summarized
// in SQL instead.
std::optional<ValueKind> ProfiledAs(Kind kind) {
  switch (kind) {
    case Kind::kInteger: return ValueKind::kInteger;
    case Kind::kWideNumber:
    case Kind::kFloat: return ValueKind::kDouble;
    case Kind::kBoolean: return ValueKind::kBoolean;
    case Kind::kString: return ValueKind::kString;
    default: return std::nullopt;
  }
}

std::string FeedExpression(const std::string& c, ValueKind kind) {
  if (kind == ValueKind::kInteger) return "CAST(" + c + " AS BIGINT)";
  if (kind == ValueKind::kDouble) return "CAST(" + c + " AS DOUBLE)";
  return c;
}

using Profiles = std::vector<std::unique_ptr<ColumnProfile>>;  // by column; null: SQL

// Streams the columns `indexes` of `from` through their profiles, in one scan.
Status Scan(Engine& engine, const std::vector<Column>& schema, const std::string& from,
            const std::vector<size_t>& indexes, Profiles& profiles, int64_t row_count,
            const ProgressFn& progress, int percent_from, int percent_to,
            std::string_view message) {
  if (indexes.empty()) return Ok();
  std::string sql = "SELECT ";
  for (size_t k = 0; k < indexes.size(); ++k) {
    if (k > 0) sql += ", ";
    sql += FeedExpression(QuoteIdentifier(schema[indexes[k]].name),
                          profiles[indexes[k]]->kind());
  }
  sql += " FROM " + from;
  int64_t rows_seen = 0;
  auto last_report = std::chrono::steady_clock::now();
  return engine.Stream(sql, [&](duckdb_data_chunk chunk) -> Status {
    const uint64_t size = duckdb_data_chunk_get_size(chunk);
    for (size_t k = 0; k < indexes.size(); ++k) {
      profiles[indexes[k]]->Add(duckdb_data_chunk_get_vector(chunk, k), size);
    }
    rows_seen += static_cast<int64_t>(size);
    const auto now = std::chrono::steady_clock::now();
    if (!progress || now - last_report < std::chrono::milliseconds(200)) return Ok();
    last_report = now;
    const int percent = percent_from + static_cast<int>((percent_to - percent_from) *
                                                        rows_seen / std::max<int64_t>(row_count, 1));
    if (!progress(percent, message)) return Fail(ErrorCode::kCancelled, "the query was cancelled");
    return Ok();
  });
}

// Each column's finite (min, max) from the Parquet footer's row-group statistics, when every
// row group has them: the histograms are then binned in the same scan as everything else,
// and the scan's exact min and max confirm the bounds (else a second scan bins them).
std::map<std::string, std::pair<double, double>> FooterBounds(
    Engine& engine, const std::filesystem::path& parquet) {
  std::map<std::string, std::pair<double, double>> bounds;
  auto rows = engine.Query(
      "SELECT path_in_schema, min(TRY_CAST(stats_min_value AS DOUBLE)), "
      "max(TRY_CAST(stats_max_value AS DOUBLE)), "
      "bool_and(isfinite(TRY_CAST(stats_min_value AS DOUBLE)) AND "
      "isfinite(TRY_CAST(stats_max_value AS DOUBLE))) FROM parquet_metadata(" +
      QuoteLiteral(parquet.string()) + ") GROUP BY path_in_schema");
  if (!rows) return bounds;  // an optimization only: the second scan does without
  for (const auto& row : rows->rows) {
    if (row[0].is_string() && row[1].is_number() && row[2].is_number() && row[3] == true) {
      bounds[row[0].get<std::string>()] = {row[1].get<double>(), row[2].get<double>()};
    }
  }
  return bounds;
}

// Aggregate expressions run in SQL, each tagged with the column and field it fills.
struct Batch {
  std::vector<std::string> expressions;
  std::vector<std::pair<size_t, std::string>> targets;  // (column index, field)
};

void AddToBatch(size_t index, std::string expression, std::string field,
                std::vector<Batch>& batches) {
  if (batches.empty() || batches.back().expressions.size() >= kMaxExpressionsPerQuery) {
    batches.emplace_back();
  }
  batches.back().expressions.push_back(std::move(expression));
  batches.back().targets.push_back({index, std::move(field)});
}

// Runs the batches and stores each value into fields[index][field].
Status RunBatches(Engine& engine, const std::string& from, const std::vector<Batch>& batches,
                  std::vector<nlohmann::json>& fields, const ProgressFn& progress,
                  int percent_from, int percent_to, std::string_view message) {
  for (size_t b = 0; b < batches.size(); ++b) {
    std::string sql = "SELECT ";
    for (size_t i = 0; i < batches[b].expressions.size(); ++i) {
      if (i > 0) sql += ", ";
      sql += batches[b].expressions[i];
    }
    sql += " FROM " + from;
    const int span = percent_to - percent_from;
    RunOptions options;
    options.progress = &progress;
    options.percent_from = percent_from + static_cast<int>(span * b / batches.size());
    options.percent_to = percent_from + static_cast<int>(span * (b + 1) / batches.size());
    options.message = message;
    AIMASS_ASSIGN_OR_RETURN(Rows rows, engine.Run(sql, options));
    if (rows.rows.size() != 1) return Fail(ErrorCode::kInternal, "statistics query lost its row");
    for (size_t i = 0; i < batches[b].targets.size(); ++i) {
      const auto& [index, field] = batches[b].targets[i];
      fields[index][field] = rows.rows[0][i];
    }
  }
  return Ok();
}

// The exact count of each of the approximate top values `top` (a JSON list) of column c.
std::string TopCountExpression(const std::string& c, const nlohmann::json& top) {
  std::string in_list;
  for (const auto& value : top) {
    if (!in_list.empty()) in_list += ", ";
    in_list += value.is_string() ? QuoteLiteral(value.get<std::string>()) : value.dump();
  }
  return "CAST(to_json(histogram(CASE WHEN " + c + " IN (" + in_list + ") THEN " + c +
         " END)) AS VARCHAR)";
}

nlohmann::json ParseJsonText(const nlohmann::json& text) {
  return text.is_string() ? nlohmann::json::parse(text.get<std::string>(), nullptr, false)
                          : nlohmann::json();
}

// The "top" list from the SQL fallback's approximate values and their exact counts.
nlohmann::json TopFromSql(const nlohmann::json& values_text, const nlohmann::json& counts_text) {
  const nlohmann::json values = ParseJsonText(values_text);
  const nlohmann::json counts = ParseJsonText(counts_text);
  nlohmann::json top = nlohmann::json::array();
  if (!values.is_array() || !counts.is_object()) return top;
  for (const auto& value : values) {
    const std::string key = value.is_string() ? value.get<std::string>() : value.dump();
    const int64_t count = counts.value(key, int64_t{0});
    if (count > 0) top.push_back({{"value", value}, {"count", count}});
  }
  std::stable_sort(top.begin(), top.end(), [](const auto& a, const auto& b) {
    return a["count"].template get<int64_t>() > b["count"].template get<int64_t>();
  });
  return top;
}

Result<TableInfo> DescribeImpl(Engine& engine, const std::filesystem::path& parquet,
                               const ProgressFn& progress, int percent_from, int percent_to) {
  TableInfo info;
  AIMASS_ASSIGN_OR_RETURN(info.schema, ParquetSchema(engine, parquet));
  const std::string from = ReadParquetSql(parquet);
  AIMASS_ASSIGN_OR_RETURN(Rows count, engine.Query("SELECT count(*) FROM " + from));
  info.row_count = count.rows[0][0].get<int64_t>();
  const size_t n = info.schema.size();

  // Numbers, booleans and strings: one scan through their profiles.
  std::vector<Kind> kinds;
  size_t strings = 0;
  for (const auto& column : info.schema) {
    kinds.push_back(KindOf(column.type));
    strings += kinds.back() == Kind::kString;
  }
  const size_t tracked_per_column =
      std::clamp<size_t>(kTrackedValuesBudget / std::max<size_t>(strings, 1), 16, 1000);
  const auto footer = FooterBounds(engine, parquet);
  Profiles profiles(n);
  std::vector<size_t> scanned;
  for (size_t i = 0; i < n; ++i) {
    const auto value_kind = ProfiledAs(kinds[i]);
    if (!value_kind) continue;
    profiles[i] = std::make_unique<ColumnProfile>(*value_kind, tracked_per_column);
    if (auto bounds = footer.find(info.schema[i].name); bounds != footer.end()) {
      profiles[i]->SetHistogramRange(bounds->second.first, bounds->second.second);
    }
    scanned.push_back(i);
  }
  const int span = percent_to - percent_from;
  const int scanned_to = percent_from + span * 3 / 4;
  const int binned_to = percent_from + span * 7 / 8;
  AIMASS_RETURN_IF_ERROR(Scan(engine, info.schema, from, scanned, profiles, info.row_count,
                              progress, percent_from, scanned_to, "computing statistics"));
  std::vector<size_t> rebinned;
  for (size_t i : scanned) {
    if (!profiles[i]->NeedsHistogramPass()) continue;
    profiles[i]->RestartHistogramOnly();
    rebinned.push_back(i);
  }
  AIMASS_RETURN_IF_ERROR(Scan(engine, info.schema, from, rebinned, profiles, info.row_count,
                              progress, scanned_to, binned_to, "computing histograms"));

  // Dates, times and other types, and the top values of high-cardinality strings: SQL.
  std::vector<nlohmann::json> fields(n, nlohmann::json::object());
  std::vector<Batch> aggregates, top_counts;
  for (size_t i = 0; i < n; ++i) {
    const std::string c = QuoteIdentifier(info.schema[i].name);
    if (profiles[i] && profiles[i]->TopValuesOverflowed()) {
      AddToBatch(i, "CAST(to_json(approx_top_k(" + c + ", " + std::to_string(kTopValues) +
                        ")) AS VARCHAR)",
                 "top", aggregates);
    }
    if (profiles[i]) continue;
    AddToBatch(i, "count(" + c + ")", "count", aggregates);
    if (kinds[i] == Kind::kTemporal) {
      AddToBatch(i, "approx_count_distinct(" + c + ")", "distinct", aggregates);
      AddToBatch(i, "CAST(min(" + c + ") AS VARCHAR)", "min", aggregates);
      AddToBatch(i, "CAST(max(" + c + ") AS VARCHAR)", "max", aggregates);
    }
  }
  AIMASS_RETURN_IF_ERROR(RunBatches(engine, from, aggregates, fields, progress, binned_to,
                                    binned_to + (percent_to - binned_to) / 2,
                                    "computing statistics"));
  for (size_t i = 0; i < n; ++i) {
    if (!fields[i].contains("top")) continue;
    const nlohmann::json values = ParseJsonText(fields[i]["top"]);
    if (values.is_array() && !values.empty()) {
      AddToBatch(i, TopCountExpression(QuoteIdentifier(info.schema[i].name), values),
                 "top_counts", top_counts);
    }
  }
  AIMASS_RETURN_IF_ERROR(RunBatches(engine, from, top_counts, fields, progress,
                                    binned_to + (percent_to - binned_to) / 2, percent_to,
                                    "counting top values"));

  nlohmann::json columns = nlohmann::json::array();
  for (size_t i = 0; i < n; ++i) {
    nlohmann::json column = {{"name", info.schema[i].name}, {"type", info.schema[i].type}};
    if (profiles[i]) {
      column.update(profiles[i]->ToJson(info.row_count));
      if (fields[i].contains("top")) column["top"] = TopFromSql(fields[i]["top"], fields[i]["top_counts"]);
    } else {
      column["nulls"] = info.row_count - fields[i].value("count", int64_t{0});
      for (const char* key : {"distinct", "min", "max"}) {
        if (fields[i].contains(key)) column[key] = fields[i][key];
      }
    }
    columns.push_back(std::move(column));
  }
  info.stats = {{"row_count", info.row_count}, {"columns", std::move(columns)}};
  return info;
}

}  // namespace

std::string ReadParquetSql(const std::filesystem::path& parquet) {
  return "read_parquet(" + QuoteLiteral(parquet.string()) + ")";
}

Result<std::vector<Column>> ParquetSchema(Engine& engine, const std::filesystem::path& parquet) {
  AIMASS_ASSIGN_OR_RETURN(Rows rows,
                          engine.Query("DESCRIBE SELECT * FROM " + ReadParquetSql(parquet)));
  std::vector<Column> schema;
  for (const auto& row : rows.rows) {
    schema.push_back({row[0].get<std::string>(), row[1].get<std::string>()});
  }
  return schema;
}

Result<TableInfo> DescribeParquet(Engine& engine, const std::filesystem::path& parquet) {
  return DescribeParquet(engine, parquet, ProgressFn{});
}

Result<TableInfo> DescribeParquet(Engine& engine, const std::filesystem::path& parquet,
                                  const ProgressFn& progress, int percent_from, int percent_to) {
  try {
    return DescribeImpl(engine, parquet, progress, percent_from, percent_to);
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kInternal, std::string("cannot compute statistics: ") + e.what());
  }
}

}  // namespace aimass::data
