// The settings every source has (source_settings.h).
#include "data/sources/source_settings.h"

#include <algorithm>
#include <string>

#include "common/duration.h"

namespace aimass::data::sources {

Result<int64_t> ParseDuration(const nlohmann::json& value, std::string_view field) {
  const std::string what = "config." + std::string(field);
  AIMASS_ASSIGN_OR_RETURN(double seconds, ParseDurationSeconds(value, what));
  if (seconds < 0 || seconds > 366.0 * 86'400) {
    return Fail(ErrorCode::kInvalidArgument,
                what + " must be a duration between 0s and a year, such as 2s, 5m or 1h");
  }
  return static_cast<int64_t>(seconds * 1000);
}

Result<SourceSettings> ReadSourceSettings(const nlohmann::json& config) {
  if (!config.is_object()) {
    return Fail(ErrorCode::kInvalidArgument,
                "a source's config must be a JSON object, like {\"path\": \"/srv/inbox\"}");
  }
  SourceSettings settings;
  if (config.contains("interval")) {
    AIMASS_ASSIGN_OR_RETURN(settings.interval_ms, ParseDuration(config["interval"], "interval"));
    if (settings.interval_ms < 1000) {
      return Fail(ErrorCode::kInvalidArgument,
                  "config.interval: must be at least 1s, so that a source does not keep the "
                  "workers busy");
    }
  }
  if (config.contains("mode")) {
    const nlohmann::json& mode = config["mode"];
    if (mode == "append") {
      settings.mode = SourceMode::kAppend;
    } else if (mode == "batch") {
      settings.mode = SourceMode::kBatch;
    } else {
      return Fail(ErrorCode::kInvalidArgument,
                  "config.mode: must be \"append\" (each version adds the new rows to the "
                  "previous version's) or \"batch\" (each version holds the new rows alone)");
    }
  }
  return settings;
}

nlohmann::json KindSettings(const nlohmann::json& config) {
  nlohmann::json settings = config.is_object() ? config : nlohmann::json::object();
  settings.erase("interval");
  settings.erase("mode");
  return settings;
}

int64_t NextRunDelayMillis(int64_t interval_ms, int64_t failures) {
  int64_t delay = interval_ms;
  for (int64_t i = 0; i < failures && delay < kMaxBackoffMillis; ++i) delay *= 2;
  return std::max(interval_ms, std::min(delay, kMaxBackoffMillis));
}

}  // namespace aimass::data::sources
