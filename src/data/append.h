// Append: a dataset version's rows followed by a batch's, as one Parquet file. Columns are
// matched by name (DuckDB's UNION ALL BY NAME): a column only one side has is NULL in the
// other's rows, and a column whose types differ takes the type both fit in.
#pragma once

#include <filesystem>

#include "common/status.h"
#include "data/column_stats.h"
#include "data/engine.h"

namespace aimass::data {

// Writes the rows of `previous` and then those of `batch` (both Parquet) to `output`
// (snappy) and describes it. Nothing is left at `output` on failure; a column whose types
// cannot be reconciled fails with kInvalidArgument naming it.
Result<TableInfo> AppendParquet(Engine& engine, const std::filesystem::path& previous,
                                const std::filesystem::path& batch,
                                const std::filesystem::path& output, const ProgressFn& progress);

}  // namespace aimass::data
