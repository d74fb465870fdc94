// `NAME[@V]` references to dataset versions and `NAME[@V|@alias]` references to model
// versions, as users type them.
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

// A model and, optionally, one of its versions: by number, by alias, or the newest.
struct ModelRef {
  std::string name;
  std::string selector;  // "" (the newest), "3", "latest" or an alias like "champion"

  bool names_version() const { return !selector.empty(); }
  // "3", "champion" or "latest": the `{v}` segment of /models/{name}/versions/{v}.
  std::string VersionSegment() const { return selector.empty() ? "latest" : selector; }
  // "credit_risk@champion", or "credit_risk" for the newest.
  std::string ToString() const { return selector.empty() ? name : name + "@" + selector; }
};

// Parses "credit_risk", "credit_risk@3", "credit_risk@latest" or "credit_risk@champion";
// the server checks the names themselves.
Result<ModelRef> ParseModelRef(std::string_view text);

}  // namespace aimass::cli
