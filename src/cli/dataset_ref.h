// `NAME[@V]` references to dataset versions, as users type them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace aimass::cli {

// A dataset and, optionally, one of its versions.
struct DatasetRef {
  std::string name;
  std::optional<int64_t> version;  // empty: the newest ("NAME" or "NAME@latest")
  bool names_version = false;      // "@..." was written: a version, not the whole dataset

  // "7" or "latest": the `{v}` segment of /datasets/{name}/versions/{v}.
  std::string VersionSegment() const;
  // "credit@2", or "credit" for the newest.
  std::string ToString() const;
};

// Parses "credit", "credit@latest" or "credit@2". The error says what a valid reference
// looks like.
Result<DatasetRef> ParseDatasetRef(std::string_view text);

}  // namespace aimass::cli
