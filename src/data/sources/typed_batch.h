// A JSON-lines batch rewritten as Parquet with declared column types, so that every batch
// of a source has the same schema: DuckDB would guess the type JSON for a column that is
// null throughout one batch, and VARCHAR for timestamps in another. For the kinds whose
// columns are known (syslog, postgres).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"

namespace aimass::data::sources {

struct TypedColumn {
  std::string name;
  std::string type;  // a DuckDB type: "INTEGER", "TIMESTAMP", "VARCHAR", ...
};

// Reads `jsonl` with exactly `columns` (keys not named are ignored, missing ones are null)
// and writes `parquet` (snappy). Thread-safe (its own DuckDB engine per call).
Status JsonLinesToParquet(const std::filesystem::path& jsonl,
                          const std::vector<TypedColumn>& columns,
                          const std::filesystem::path& parquet);

}  // namespace aimass::data::sources
