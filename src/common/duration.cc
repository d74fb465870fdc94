#include "common/duration.h"

#include <cmath>
#include <cstdlib>
#include <string>

namespace aimass {

Result<double> ParseDurationSeconds(const nlohmann::json& value, std::string_view what) {
  double seconds = NAN;
  if (value.is_number()) {
    seconds = value.get<double>();
  } else if (value.is_string()) {
    const std::string text = value.get<std::string>();
    char* end = nullptr;
    const double number = std::strtod(text.c_str(), &end);
    const std::string unit = end != nullptr ? std::string(end) : "";
    if (end != text.c_str()) {
      if (unit.empty() || unit == "s") seconds = number;
      if (unit == "ms") seconds = number / 1000;
      if (unit == "m" || unit == "min") seconds = number * 60;
      if (unit == "h") seconds = number * 3600;
      if (unit == "d") seconds = number * 86400;
    }
  }
  if (!std::isfinite(seconds)) {
    return Fail(
        ErrorCode::kInvalidArgument,
        std::string(what) + " must be a duration such as 90s, 5m or 1h (or a number of seconds)");
  }
  return seconds;
}

}  // namespace aimass
