// Durations as users write them: "90s", "5m", "1h", "2d", "250ms", or a number of seconds.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "common/status.h"

namespace aimass {

// Seconds in `value` (a JSON number, or a string with an optional unit: ms, s, m/min, h, d).
// kInvalidArgument naming `what` ("budget", "timeout") with an example when it is neither,
// or not finite. The sign is kept: callers check the range they need.
Result<double> ParseDurationSeconds(const nlohmann::json& value, std::string_view what);

}  // namespace aimass
