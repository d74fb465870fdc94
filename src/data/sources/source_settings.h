// The settings every source has, whatever its kind: how often it runs and whether its
// batches add to the dataset's rows or replace them. Kinds never see these keys.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "common/status.h"

namespace aimass::data::sources {

enum class SourceMode {
  kAppend,  // a version holds the previous version's rows and the batch's
  kBatch,   // a version holds the batch alone
};

struct SourceSettings {
  int64_t interval_ms = 10'000;
  SourceMode mode = SourceMode::kAppend;
};

// "250ms", "2s", "5m", "1h" (or a number of seconds; common/duration.h) as milliseconds,
// between 0 and a year; the error names config.`field` and shows the accepted forms.
Result<int64_t> ParseDuration(const nlohmann::json& value, std::string_view field);

// Reads `interval` (at least 1 s) and `mode` from a source's config.
Result<SourceSettings> ReadSourceSettings(const nlohmann::json& config);
// The config without `interval` and `mode`: what the source's kind sees.
nlohmann::json KindSettings(const nlohmann::json& config);

// When a source runs again after `failures` failed runs in a row (0: it succeeded):
// interval × 2^failures, at most 10 minutes (never less than the interval).
int64_t NextRunDelayMillis(int64_t interval_ms, int64_t failures);
inline constexpr int64_t kMaxBackoffMillis = 10 * 60 * 1000;

}  // namespace aimass::data::sources
