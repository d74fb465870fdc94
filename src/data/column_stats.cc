#include "data/column_stats.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>

namespace aimass::data {
namespace {

// At most this many aggregate expressions per query, so that 10,000-column
// tables are summarized in a few dozen modest queries instead of one enormous
// one.
constexpr size_t kMaxExpressionsPerQuery = 1500;
// Past this many columns, DuckDB's per-expression planning cost dominates (a
// 250-aggregate query over a 10,000-column file takes 0.2-1.5 s to plan); the
// statistics are then computed over the UNPIVOTed file instead, a few queries
// whose cost grows with the number of cells.
constexpr size_t kWideColumns = 300;
constexpr int kHistogramBins = 20;
constexpr int kTopValues = 10;

enum class Kind {
  kInteger,
  kWideNumber,
  kFloat,
  kString,
  kBoolean,
  kTemporal,
  kOther
};

Kind KindOf(std::string_view type) {
  if (type == "TINYINT" || type == "SMALLINT" || type == "INTEGER" ||
      type == "BIGINT" || type == "UTINYINT" || type == "USMALLINT" ||
      type == "UINTEGER") {
    return Kind::kInteger;
  }
  if (type == "UBIGINT" || type == "HUGEINT" || type == "UHUGEINT" ||
      type.starts_with("DECIMAL")) {
    return Kind::kWideNumber;
  }
  if (type == "FLOAT" || type == "DOUBLE")
    return Kind::kFloat;
  if (type == "VARCHAR")
    return Kind::kString;
  if (type == "BOOLEAN")
    return Kind::kBoolean;
  if (type == "DATE" || type.starts_with("TIME"))
    return Kind::kTemporal;
  return Kind::kOther;
}

bool IsNumeric(Kind kind) {
  return kind == Kind::kInteger || kind == Kind::kWideNumber ||
         kind == Kind::kFloat;
}

std::string DoubleLiteral(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "CAST('%.17g' AS DOUBLE)", value);
  return buffer;
}

// One query's worth of aggregate expressions, each tagged with the column and
// field it fills.
struct Batch {
  std::vector<std::string> expressions;
  std::vector<std::pair<size_t, std::string>> targets; // (column index, field)
};

void AddPass1(size_t index, Kind kind, const std::string &c,
              std::vector<Batch> &batches) {
  std::vector<std::pair<std::string, std::string>> fields = {
      {"count(" + c + ")", "_count"}};
  const std::string as_number = kind == Kind::kInteger ? "BIGINT" : "DOUBLE";
  if (kind != Kind::kOther)
    fields.push_back({"approx_count_distinct(" + c + ")", "distinct"});
  if (IsNumeric(kind)) {
    // NaN and infinities are left out. (CASE, not FILTER: FILTER costs 60% more
    // here.)
    const std::string x =
        kind == Kind::kInteger ? c
        : kind == Kind::kFloat
            ? "CASE WHEN isfinite(" + c + ") THEN CAST(" + c + " AS DOUBLE) END"
            : "CAST(" + c + " AS DOUBLE)";
    fields.push_back({"CAST(min(" + x + ") AS " + as_number + ")", "min"});
    fields.push_back({"CAST(max(" + x + ") AS " + as_number + ")", "max"});
    fields.push_back({"CAST(avg(" + x + ") AS DOUBLE)", "mean"});
    fields.push_back({"CAST(stddev_samp(" + x + ") AS DOUBLE)", "stddev"});
  } else if (kind == Kind::kString) {
    fields.push_back({"left(min(" + c + "), 200)", "min"});
    fields.push_back({"left(max(" + c + "), 200)", "max"});
  } else if (kind == Kind::kTemporal) {
    fields.push_back({"CAST(min(" + c + ") AS VARCHAR)", "min"});
    fields.push_back({"CAST(max(" + c + ") AS VARCHAR)", "max"});
  }
  if (kind == Kind::kString || kind == Kind::kBoolean) {
    const int k = kind == Kind::kString ? kTopValues : 2;
    fields.push_back({"CAST(to_json(approx_top_k(" + c + ", " +
                          std::to_string(k) + ")) AS VARCHAR)",
                      "_top"});
  }
  if (batches.empty() || batches.back().expressions.size() + fields.size() >
                             kMaxExpressionsPerQuery) {
    batches.emplace_back();
  }
  for (auto &[expression, field] : fields) {
    batches.back().expressions.push_back(std::move(expression));
    batches.back().targets.push_back({index, field});
  }
}

void AddToBatch(size_t index, std::string expression, std::string field,
                std::vector<Batch> &batches) {
  if (batches.empty() ||
      batches.back().expressions.size() >= kMaxExpressionsPerQuery) {
    batches.emplace_back();
  }
  batches.back().expressions.push_back(std::move(expression));
  batches.back().targets.push_back({index, std::move(field)});
}

// Runs the batches and stores each value into columns[index][field].
Status RunBatches(Engine &engine, const std::string &from,
                  std::vector<Batch> &batches, nlohmann::json &columns,
                  const ProgressFn &progress, int percent_from, int percent_to,
                  std::string_view message) {
  for (size_t b = 0; b < batches.size(); ++b) {
    std::string sql = "SELECT ";
    for (size_t i = 0; i < batches[b].expressions.size(); ++i) {
      if (i > 0)
        sql += ", ";
      sql += batches[b].expressions[i];
    }
    sql += " FROM " + from;
    const int span = percent_to - percent_from;
    RunOptions options;
    options.progress = &progress;
    options.percent_from =
        percent_from + static_cast<int>(span * b / batches.size());
    options.percent_to =
        percent_from + static_cast<int>(span * (b + 1) / batches.size());
    options.message = message;
    AIMASS_ASSIGN_OR_RETURN(Rows rows, engine.Run(sql, options));
    if (rows.rows.size() != 1)
      return Fail(ErrorCode::kInternal, "statistics query lost its row");
    for (size_t i = 0; i < batches[b].targets.size(); ++i) {
      const auto &[index, field] = batches[b].targets[i];
      columns[index][field] = rows.rows[0][i];
    }
  }
  return Ok();
}

// The 20-bin histogram of a numeric column between `min` and `max` (max > min).
std::string HistogramExpression(const std::string &c, double min, double max) {
  const std::string x = "CAST(" + c + " AS DOUBLE)";
  const std::string bin =
      "least(CAST(floor((" + x + " - " + DoubleLiteral(min) + ") * " +
      DoubleLiteral(kHistogramBins / (max - min)) + ") AS INTEGER), " +
      std::to_string(kHistogramBins - 1) + ")";
  return "CAST(to_json(histogram(CASE WHEN " + x + " BETWEEN " +
         DoubleLiteral(min) + " AND " + DoubleLiteral(max) + " THEN " + bin +
         " END)) AS VARCHAR)";
}

// Each column's finite (min, max) from the Parquet footer's row-group
// statistics, when every row group has them. They let the histograms join pass
// 1; pass 1's exact min/max then confirm them (a column whose footer disagrees
// gets its histogram in pass 2).
std::map<std::string, std::pair<double, double>>
FooterBounds(Engine &engine, const std::filesystem::path &parquet) {
  std::map<std::string, std::pair<double, double>> bounds;
  auto rows = engine.Query(
      "SELECT path_in_schema, min(TRY_CAST(stats_min_value AS DOUBLE)), "
      "max(TRY_CAST(stats_max_value AS DOUBLE)), "
      "bool_and(isfinite(TRY_CAST(stats_min_value AS DOUBLE)) AND "
      "isfinite(TRY_CAST(stats_max_value AS DOUBLE))) FROM parquet_metadata(" +
      QuoteLiteral(parquet.string()) + ") GROUP BY path_in_schema");
  if (!rows)
    return bounds; // an optimization only: pass 2 does without
  for (const auto &row : rows->rows) {
    if (row[0].is_string() && row[1].is_number() && row[2].is_number() &&
        row[3] == true) {
      bounds[row[0].get<std::string>()] = {row[1].get<double>(),
                                           row[2].get<double>()};
    }
  }
  return bounds;
}

// Turns the pass-1 "_top" JSON list into the pass-2 counting expression.
std::string TopCountExpression(const std::string &c,
                               const nlohmann::json &top) {
  std::string in_list;
  for (const auto &value : top) {
    if (!in_list.empty())
      in_list += ", ";
    in_list += value.is_string() ? QuoteLiteral(value.get<std::string>())
                                 : value.dump();
  }
  return "CAST(to_json(histogram(CASE WHEN " + c + " IN (" + in_list +
         ") THEN " + c + " END)) AS VARCHAR)";
}

void FinishColumn(nlohmann::json &column, Kind kind, int64_t row_count) {
  const int64_t non_null = column.value("_count", int64_t{0});
  column["nulls"] = row_count - non_null;
  column.erase("_count");
  if (column.contains("_top")) {
    nlohmann::json top = nlohmann::json::array();
    nlohmann::json counts = nlohmann::json::object();
    if (column.contains("_top_counts") && column["_top_counts"].is_string()) {
      counts = nlohmann::json::parse(column["_top_counts"].get<std::string>(),
                                     nullptr, false);
    }
    if (column["_top"].is_string()) {
      for (const auto &value : nlohmann::json::parse(
               column["_top"].get<std::string>(), nullptr, false)) {
        const std::string key =
            value.is_string() ? value.get<std::string>() : value.dump();
        const int64_t count =
            counts.is_object() ? counts.value(key, int64_t{0}) : 0;
        if (count > 0)
          top.push_back({{"value", value}, {"count", count}});
      }
    }
    std::stable_sort(top.begin(), top.end(), [](const auto &a, const auto &b) {
      return a["count"].template get<int64_t>() >
             b["count"].template get<int64_t>();
    });
    column["top"] = std::move(top);
    column.erase("_top");
    column.erase("_top_counts");
  }
  if (IsNumeric(kind) && column.contains("_bins")) {
    const double min = column["min"].get<double>();
    const double max = column["max"].get<double>();
    nlohmann::json edges = nlohmann::json::array();
    nlohmann::json counts = nlohmann::json::array();
    const nlohmann::json bins =
        column["_bins"].is_string()
            ? nlohmann::json::parse(column["_bins"].get<std::string>(), nullptr,
                                    false)
            : nlohmann::json::object();
    for (int i = 0; i <= kHistogramBins; ++i) {
      edges.push_back(
          i == kHistogramBins ? max : min + (max - min) * i / kHistogramBins);
      if (i < kHistogramBins) {
        counts.push_back(
            bins.is_object() ? bins.value(std::to_string(i), int64_t{0}) : 0);
      }
    }
    column["histogram"] = {{"edges", std::move(edges)},
                           {"counts", std::move(counts)}};
    column.erase("_bins");
  } else if (IsNumeric(kind) && column["min"].is_number()) {
    // A constant column: one bin holding every finite value.
    column["histogram"] = {{"edges", {column["min"], column["max"]}},
                           {"counts", {column.value("_finite", non_null)}}};
  }
}

RunOptions Span(const ProgressFn &progress, int from, int to,
                std::string_view message) {
  RunOptions options;
  options.progress = &progress;
  options.percent_from = from;
  options.percent_to = to;
  options.message = message;
  return options;
}

// `UNPIVOT` of the columns `indexes`, cast to `type`, as rows (name, v) without
// NULLs.
std::string Unpivot(const std::vector<Column> &schema,
                    const std::vector<size_t> &indexes, const std::string &type,
                    const std::string &from) {
  std::string select;
  for (size_t i : indexes) {
    const std::string c = QuoteIdentifier(schema[i].name);
    select += (select.empty() ? "" : ", ") + std::string("CAST(") + c + " AS " +
              type + ") AS " + c;
  }
  return "(UNPIVOT (SELECT " + select + " FROM " + from +
         ") ON COLUMNS(*) INTO NAME name VALUE v)";
}

// The statistics of a wide table, in the same intermediate fields as the
// batched passes.
Status WideStats(Engine &engine, const std::vector<Column> &schema,
                 const std::vector<Kind> &kinds, const std::string &from,
                 nlohmann::json &columns, const ProgressFn &progress,
                 int percent_from, int percent_to) {
  std::map<std::string, size_t> index_of;
  std::vector<size_t> numbers, others;
  for (size_t i = 0; i < schema.size(); ++i) {
    index_of[schema[i].name] = i;
    columns[i]["_count"] = 0;
    (IsNumeric(kinds[i]) ? numbers : others).push_back(i);
  }
  const int step = (percent_to - percent_from) / 4;
  if (!numbers.empty()) {
    AIMASS_ASSIGN_OR_RETURN(
        Rows rows,
        engine.Run(
            "SELECT name, count(v), approx_count_distinct(v), "
            "min(v) FILTER (WHERE isfinite(v)), max(v) FILTER (WHERE "
            "isfinite(v)), avg(v) FILTER (WHERE isfinite(v)), stddev_samp(v) "
            "FILTER (WHERE isfinite(v)) FROM " +
                Unpivot(schema, numbers, "DOUBLE", from) + " GROUP BY name",
            Span(progress, percent_from, percent_from + step,
                 "computing statistics")));
    for (const auto &row : rows.rows) {
      const size_t i = index_of.at(row[0].get<std::string>());
      auto &column = columns[i];
      column["_count"] = row[1];
      column["distinct"] = row[2];
      const bool integer = kinds[i] == Kind::kInteger;
      column["min"] = integer && row[3].is_number()
                          ? nlohmann::json(row[3].get<int64_t>())
                          : row[3];
      column["max"] = integer && row[4].is_number()
                          ? nlohmann::json(row[4].get<int64_t>())
                          : row[4];
      column["mean"] = row[5];
      column["stddev"] = row[6];
    }
  }
  if (!others.empty()) {
    AIMASS_ASSIGN_OR_RETURN(
        Rows rows,
        engine.Run("SELECT name, count(v), approx_count_distinct(v), "
                   "left(min(v), 200), "
                   "left(max(v), 200), CAST(to_json(approx_top_k(v, " +
                       std::to_string(kTopValues) + ")) AS VARCHAR) FROM " +
                       Unpivot(schema, others, "VARCHAR", from) +
                       " GROUP BY name",
                   Span(progress, percent_from + step, percent_from + 2 * step,
                        "computing statistics")));
    for (const auto &row : rows.rows) {
      const size_t i = index_of.at(row[0].get<std::string>());
      auto &column = columns[i];
      column["_count"] = row[1];
      if (kinds[i] == Kind::kOther)
        continue;
      column["distinct"] = row[2];
      if (kinds[i] == Kind::kString || kinds[i] == Kind::kTemporal) {
        column["min"] = row[3];
        column["max"] = row[4];
      }
      if (kinds[i] == Kind::kString || kinds[i] == Kind::kBoolean)
        column["_top"] = row[5];
    }
  }
  // Exact counts of the top values, and the histogram bins, each in one query.
  std::string tops, bounds;
  for (size_t i : others) {
    if (!columns[i].contains("_top") || !columns[i]["_top"].is_string())
      continue;
    columns[i]["_top_counts"] = "{}";
    for (const auto &value :
         nlohmann::json::parse(columns[i]["_top"].get<std::string>())) {
      tops += (tops.empty() ? "" : ", ") + std::string("(") +
              QuoteLiteral(schema[i].name) + ", " +
              QuoteLiteral(value.is_string() ? value.get<std::string>()
                                             : value.dump()) +
              ")";
    }
  }
  for (size_t i : numbers) {
    const auto &column = columns[i];
    if (!column["min"].is_number() || !column["max"].is_number())
      continue;
    const double min = column["min"].get<double>(),
                 max = column["max"].get<double>();
    if (!(max > min))
      continue;
    columns[i]["_bins"] = "{}";
    bounds += (bounds.empty() ? "" : ", ") + std::string("(") +
              QuoteLiteral(schema[i].name) + ", " + DoubleLiteral(min) + ", " +
              DoubleLiteral(max) + ", " +
              DoubleLiteral(kHistogramBins / (max - min)) + ")";
  }
  if (!tops.empty()) {
    AIMASS_ASSIGN_OR_RETURN(
        Rows rows,
        engine.Run("SELECT name, v, count(*) FROM " +
                       Unpivot(schema, others, "VARCHAR", from) +
                       " JOIN (VALUES " + tops +
                       ") t(name, v) USING (name, v) GROUP BY name, v",
                   Span(progress, percent_from + 2 * step,
                        percent_from + 3 * step, "computing top values")));
    std::map<size_t, nlohmann::json> counts;
    for (const auto &row : rows.rows)
      counts[index_of.at(row[0].get<std::string>())]
            [row[1].get<std::string>()] = row[2];
    for (auto &[i, map] : counts)
      columns[i]["_top_counts"] = map.dump();
  }
  if (!bounds.empty()) {
    AIMASS_ASSIGN_OR_RETURN(
        Rows rows,
        engine.Run(
            "SELECT name, least(CAST(floor((v - lo) * scale) AS INTEGER), " +
                std::to_string(kHistogramBins - 1) +
                ") AS bin, count(*) FROM " +
                Unpivot(schema, numbers, "DOUBLE", from) + " JOIN (VALUES " +
                bounds +
                ") b(name, lo, hi, scale) USING (name) WHERE v BETWEEN lo AND "
                "hi "
                "GROUP BY name, bin",
            Span(progress, percent_from + 3 * step, percent_to,
                 "computing histograms")));
    std::map<size_t, nlohmann::json> bins;
    for (const auto &row : rows.rows)
      bins[index_of.at(row[0].get<std::string>())]
          [std::to_string(row[1].get<int64_t>())] = row[2];
    for (auto &[i, map] : bins)
      columns[i]["_bins"] = map.dump();
  }
  return Ok();
}

} // namespace

std::string ReadParquetSql(const std::filesystem::path &parquet) {
  return "read_parquet(" + QuoteLiteral(parquet.string()) + ")";
}

Result<std::vector<Column>>
ParquetSchema(Engine &engine, const std::filesystem::path &parquet) {
  AIMASS_ASSIGN_OR_RETURN(Rows rows, engine.Query("DESCRIBE SELECT * FROM " +
                                                  ReadParquetSql(parquet)));
  std::vector<Column> schema;
  for (const auto &row : rows.rows) {
    schema.push_back({row[0].get<std::string>(), row[1].get<std::string>()});
  }
  return schema;
}

Result<TableInfo> DescribeParquet(Engine &engine,
                                  const std::filesystem::path &parquet) {
  return DescribeParquet(engine, parquet, ProgressFn{});
}

namespace {

Result<TableInfo> DescribeImpl(Engine &engine,
                               const std::filesystem::path &parquet,
                               const ProgressFn &progress, int percent_from,
                               int percent_to) {
  TableInfo info;
  AIMASS_ASSIGN_OR_RETURN(info.schema, ParquetSchema(engine, parquet));
  const std::string from = ReadParquetSql(parquet);
  AIMASS_ASSIGN_OR_RETURN(Rows count,
                          engine.Query("SELECT count(*) FROM " + from));
  info.row_count = count.rows[0][0].get<int64_t>();

  nlohmann::json columns = nlohmann::json::array();
  std::vector<Kind> kinds;
  std::vector<Batch> pass1;
  for (size_t i = 0; i < info.schema.size(); ++i) {
    kinds.push_back(KindOf(info.schema[i].type));
    columns.push_back(
        {{"name", info.schema[i].name}, {"type", info.schema[i].type}});
    AddPass1(i, kinds[i], QuoteIdentifier(info.schema[i].name), pass1);
  }
  if (info.schema.size() > kWideColumns) {
    AIMASS_RETURN_IF_ERROR(WideStats(engine, info.schema, kinds, from, columns,
                                     progress, percent_from, percent_to));
    for (size_t i = 0; i < columns.size(); ++i) {
      FinishColumn(columns[i], kinds[i], info.row_count);
    }
    info.stats = {{"row_count", info.row_count},
                  {"columns", std::move(columns)}};
    return info;
  }
  const auto footer = FooterBounds(engine, parquet);
  std::map<size_t, std::pair<double, double>>
      early_bins; // column → bounds its bins used
  for (size_t i = 0; i < info.schema.size(); ++i) {
    auto bounds = footer.find(info.schema[i].name);
    if (!IsNumeric(kinds[i]) || bounds == footer.end())
      continue;
    const auto [lo, hi] = bounds->second;
    if (!(hi > lo))
      continue;
    AddToBatch(
        i, HistogramExpression(QuoteIdentifier(info.schema[i].name), lo, hi),
        "_bins", pass1);
    early_bins[i] = bounds->second;
  }
  const int middle = percent_from + (percent_to - percent_from) * 2 / 3;
  AIMASS_RETURN_IF_ERROR(RunBatches(engine, from, pass1, columns, progress,
                                    percent_from, middle,
                                    "computing statistics"));
  for (const auto &[i, bounds] : early_bins) {
    auto &column = columns[i];
    const bool confirmed = column["min"].is_number() &&
                           column["max"].is_number() &&
                           column["min"].get<double>() == bounds.first &&
                           column["max"].get<double>() == bounds.second;
    if (!confirmed)
      column.erase("_bins");
  }

  // Pass 2: histogram bins of numbers, exact counts of the approximate top
  // values.
  std::vector<Batch> pass2;
  for (size_t i = 0; i < columns.size(); ++i) {
    const std::string c = QuoteIdentifier(info.schema[i].name);
    auto &column = columns[i];
    if (IsNumeric(kinds[i]) && column["min"].is_number() &&
        column["max"].is_number() && !column.contains("_bins")) {
      const double min = column["min"].get<double>();
      const double max = column["max"].get<double>();
      if (max > min) {
        AddToBatch(i, HistogramExpression(c, min, max), "_bins", pass2);
      } else if (kinds[i] == Kind::kFloat) {
        AddToBatch(i, "count(CASE WHEN isfinite(" + c + ") THEN 1 END)",
                   "_finite", pass2);
      }
    }
    if (column.contains("_top") && column["_top"].is_string()) {
      const auto top = nlohmann::json::parse(column["_top"].get<std::string>(),
                                             nullptr, false);
      if (top.is_array() && !top.empty()) {
        AddToBatch(i, TopCountExpression(c, top), "_top_counts", pass2);
      }
    }
  }
  AIMASS_RETURN_IF_ERROR(RunBatches(engine, from, pass2, columns, progress,
                                    middle, percent_to,
                                    "computing histograms"));
  for (size_t i = 0; i < columns.size(); ++i)
    FinishColumn(columns[i], kinds[i], info.row_count);
  info.stats = {{"row_count", info.row_count}, {"columns", std::move(columns)}};
  return info;
}

} // namespace

Result<TableInfo> DescribeParquet(Engine &engine,
                                  const std::filesystem::path &parquet,
                                  const ProgressFn &progress, int percent_from,
                                  int percent_to) {
  try {
    return DescribeImpl(engine, parquet, progress, percent_from, percent_to);
  } catch (const std::exception &e) {
    return Fail(ErrorCode::kInternal,
                std::string("cannot compute statistics: ") + e.what());
  }
}

} // namespace aimass::data
