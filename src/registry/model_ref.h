// What users write to name models and their parts: model names, references to versions
// (`credit_risk`, `credit_risk@3`, `credit_risk@latest`, `credit_risk@champion`), aliases,
// tag keys, tasks and member names. Every check says what is wrong and what is allowed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace aimass::registry {

// One version of a model: a number, an alias, or (neither) the newest.
struct ModelRef {
  std::string name;
  int64_t version = 0;  // 0 and no alias: the newest
  std::string alias;    // set: the version this alias points at
  // "credit_risk@3", "credit_risk@champion", or "credit_risk" for the newest.
  std::string ToString() const;
};

// Model names follow the dataset name rules (data/dataset_ref.h): 1-128 letters, digits,
// '_', '-' or '.', starting with a letter or digit.
Status CheckModelName(std::string_view name);
// Aliases (`champion`, `challenger`, ...) follow the name rules, and may not look like a
// version: not a number, not "latest".
Status CheckAlias(std::string_view alias);
// Tag keys and metric names follow the name rules; tag values are text up to 5,000 bytes.
Status CheckTagKey(std::string_view key);
Status CheckTagValue(std::string_view value);
Status CheckMetricName(std::string_view metric);
// "binary", "multiclass" or "regression" (as train/task.h names them).
Status CheckTask(std::string_view task);
// A member is a relative path like "learners/0.ubj": '/'-separated parts of letters,
// digits, '.', '_', '-' and '+', none of them empty, "." or ".."; at most 255 bytes and
// storable in a ustar header; not "manifest.json", which is the bundle's own.
Status CheckMemberName(std::string_view name);

// `name` and the version part of a URL or reference: "3", "latest" (or empty) for the
// newest, or an alias.
Result<ModelRef> ModelRefOf(std::string_view name, std::string_view selector);
// "NAME", "NAME@3", "NAME@latest" or "NAME@alias".
Result<ModelRef> ParseModelRef(std::string_view text);

}  // namespace aimass::registry
