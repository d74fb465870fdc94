// Dataset names and references as users write them: `credit`, `credit@3`, `credit@latest`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace aimass::data {

struct DatasetRef {
  std::string name;
  int64_t version = 0;  // 0: the newest
  std::string ToString() const;
};

// 1–128 characters of letters, digits, '_', '-', '.', starting with a letter or digit:
// safe in URLs, file names and SQL identifiers.
Status CheckDatasetName(std::string_view name);
Result<DatasetRef> ParseDatasetRef(std::string_view text);
// A version as written in a URL: "3" or "latest".
Result<int64_t> ParseVersion(std::string_view text);

}  // namespace aimass::data
