// Helpers of the source kinds' tests: a Take as the runner makes it (a fresh scratch folder
// per call), and the rows and column types of a batch.
#pragma once

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "data/engine.h"
#include "data/sources/source.h"
#include "data/sources/temp_dir.h"

namespace aimass::data::sources {

inline std::vector<nlohmann::json> ReadJsonLines(const std::filesystem::path& file) {
  std::vector<nlohmann::json> rows;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) rows.push_back(nlohmann::json::parse(line));
  return rows;
}

// A batch's rows as JSON objects (a Parquet batch read with DuckDB: timestamps come back as
// "2024-01-02 03:04:05.123").
inline std::vector<nlohmann::json> ReadBatchRows(const SourceBatch& batch) {
  if (batch.format != FileFormat::kParquet) return ReadJsonLines(batch.file);
  std::filesystem::path rows = batch.file;
  rows += ".jsonl";
  auto engine = Engine::Open(EngineOptions{});
  if (!engine ||
      !(*engine)->Execute("COPY (SELECT * FROM read_parquet(" + QuoteLiteral(batch.file.string()) +
                          ")) TO " + QuoteLiteral(rows.string()) + " (FORMAT json)")) {
    return {};
  }
  return ReadJsonLines(rows);
}

// A Parquet batch's column types by name ("BIGINT", "TIMESTAMP", ...).
inline std::map<std::string, std::string> BatchTypes(const SourceBatch& batch) {
  std::map<std::string, std::string> types;
  auto engine = Engine::Open(EngineOptions{});
  if (!engine) return types;
  auto rows = (*engine)->Query(
      "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM "
      "read_parquet(" +
      QuoteLiteral(batch.file.string()) + "))");
  if (!rows) return types;
  for (const auto& row : rows->rows) types[row[0].get<std::string>()] = row[1];
  return types;
}

// Gives each Take its own empty scratch folder, as the runner does. Not thread-safe.
class TakeRunner {
 public:
  Result<std::optional<SourceBatch>> Take(Source& source, nlohmann::json cursor) {
    std::filesystem::path scratch = dir_.path() / std::to_string(++takes_);
    std::filesystem::create_directories(scratch);
    return source.Take(SourceContext{std::move(cursor), scratch, {}, {}, nullptr});
  }

 private:
  TempDir dir_{"aimass_source_scratch_"};
  int takes_ = 0;
};

}  // namespace aimass::data::sources
