// Import: reads a CSV, TSV, JSON-lines or Parquet file with DuckDB's sniffing readers and
// writes it as one Parquet file (snappy), returning its schema, row count and statistics.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "data/column_stats.h"
#include "data/engine.h"

namespace aimass::data {

enum class FileFormat { kCsv, kTsv, kJsonLines, kParquet };

// "csv", "tsv", "jsonl" (also "ndjson", "json") or "parquet"; the error lists the valid names.
Result<FileFormat> ParseFileFormat(std::string_view name);
// The name ParseFileFormat accepts: "csv", "tsv", "jsonl" or "parquet".
std::string_view FileFormatName(FileFormat format);
// By the extension of `filename_hint` (the name the user gave), else by sniffing the first
// bytes of `file`: "PAR1" is Parquet, '{' JSON lines, more tabs than commas TSV, else CSV.
FileFormat GuessFileFormat(const std::filesystem::path& file, std::string_view filename_hint);

struct ImportOptions {
  FileFormat format = FileFormat::kCsv;
  // Declared types, column name -> DuckDB type ("INTEGER", "DOUBLE", "DATE", "VARCHAR", ...).
  std::vector<std::pair<std::string, std::string>> column_types;
  std::optional<char> delimiter;  // CSV default ',', TSV '\t'
  std::optional<bool> header;     // default: sniffed
};

// Limits of the text readers (documented in src/data/README.md).
// The longest CSV line or JSON object. DuckDB's CSV buffers grow with it (32 MiB lines took
// the peak memory of a 280 MiB import from 300 to 680 MiB), so 8 MiB, with 16 MiB buffers.
inline constexpr int64_t kMaxLineBytes = 8 << 20;
inline constexpr int64_t kSniffSampleRows = 20'480;  // rows read to guess column types

// Reads `input` and writes it as one Parquet file at `output`. Nothing is left at `output`
// on failure. Bad input (ragged rows, bad quoting, invalid UTF-8, NUL bytes, values that do
// not fit a declared type, empty files) fails with kInvalidArgument naming the line and
// column where known; a cancel through `progress` fails with kCancelled.
Result<TableInfo> ImportFile(Engine& engine, const std::filesystem::path& input,
                             const ImportOptions& options, const std::filesystem::path& output,
                             const ProgressFn& progress);

}  // namespace aimass::data
