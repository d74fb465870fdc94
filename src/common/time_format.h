// Times as users read them: ISO 8601 in UTC with milliseconds.
#pragma once

#include <cstdint>
#include <string>

namespace aimass {

// 1764199200123 → "2025-11-26T23:20:00.123Z".
std::string IsoTime(int64_t unix_millis);

}  // namespace aimass
