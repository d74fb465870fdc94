// Export: a dataset version's Parquet file written out as CSV, TSV, JSON lines or Parquet.
#pragma once

#include <filesystem>

#include "common/status.h"
#include "data/engine.h"
#include "data/importer.h"

namespace aimass::data {

// Writes `parquet` to `output` in `format` (CSV and TSV with a header line, JSON lines, or
// the Parquet file itself). Nothing is left at `output` on failure.
Status ExportParquet(Engine& engine, const std::filesystem::path& parquet, FileFormat format,
                     const std::filesystem::path& output);

}  // namespace aimass::data
