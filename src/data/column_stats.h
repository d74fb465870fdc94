// Schema, row count and per-column statistics of a Parquet file, computed in one streaming
// scan of its columns (never SUMMARIZE). The JSON is the "Statistics" object of docs/api.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <vector>

#include "common/status.h"
#include "data/engine.h"

namespace aimass::data {

struct TableInfo {
  std::vector<Column> schema;
  int64_t row_count = 0;
  nlohmann::json stats;  // {"row_count":N,"columns":[{"name","type","nulls","distinct",...}]}
};

// Reads the schema and row count and computes the statistics of `parquet`. Progress is
// reported within [percent_from, percent_to] when `progress` is set.
Result<TableInfo> DescribeParquet(Engine& engine, const std::filesystem::path& parquet);
Result<TableInfo> DescribeParquet(Engine& engine, const std::filesystem::path& parquet,
                                  const ProgressFn& progress, int percent_from = 0,
                                  int percent_to = 100);

// Only the schema (DuckDB type names) of a Parquet file; reads its footer only.
Result<std::vector<Column>> ParquetSchema(Engine& engine, const std::filesystem::path& parquet);

// The SQL that reads a Parquet file: read_parquet('...').
std::string ReadParquetSql(const std::filesystem::path& parquet);

}  // namespace aimass::data
