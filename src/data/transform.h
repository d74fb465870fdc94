// Transforms: a user's SELECT over a dataset version (the view `input`), run sandboxed and
// written as a new Parquet file.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>

#include "common/status.h"
#include "data/column_stats.h"
#include "data/engine.h"
#include "data/sql_sandbox.h"

namespace aimass::data {

struct TransformLimits {
  std::chrono::milliseconds timeout{300000};
  std::string memory_limit = "1GB";
  int threads = 2;
};

// Checks `sql` (CheckTransformSql), locks `engine` down (no file access except the input and
// the output, the limits above, configuration locked) and writes the result of `sql` over
// `input_parquet` to `output` as Parquet. The engine stays locked: use a fresh Engine per
// transform. Past the timeout: kDeadlineExceeded; past the memory limit or on bad SQL:
// kInvalidArgument; cancelled through `progress`: kCancelled. Nothing is left at `output` on
// failure.
Result<TableInfo> TransformParquet(Engine& engine, const std::filesystem::path& input_parquet,
                                   std::string_view sql, const TransformLimits& limits,
                                   const std::filesystem::path& output, const ProgressFn& progress);

}  // namespace aimass::data
