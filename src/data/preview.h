// Preview: one page of a Parquet file's rows as JSON-typed values.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <vector>

#include "common/status.h"
#include "data/engine.h"

namespace aimass::data {

inline constexpr int64_t kMaxPreviewRows = 10'000;

struct Page {
  std::vector<Column> columns;
  nlohmann::json rows;  // array of arrays; numbers, strings, booleans, nested JSON, null
  int64_t total_rows = 0;
};

// Rows [offset, offset + limit) of `parquet`, in file order. Numbers stay numbers (DECIMAL
// as a double, HUGEINT as a string), dates and times are ISO strings, lists and structs are
// JSON, NaN and infinities are null. limit is 0..10,000.
Result<Page> PreviewParquet(Engine& engine, const std::filesystem::path& parquet, int64_t offset,
                            int64_t limit);

}  // namespace aimass::data
