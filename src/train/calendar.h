// Datetimes as seconds since 1970-01-01 00:00 UTC (the Frame's representation): reading ISO
// 8601 text, and splitting into calendar parts for features. Proleptic Gregorian, UTC, no
// leap seconds (as DuckDB's epoch()). Stateless and thread-safe.
#pragma once

#include <optional>
#include <string_view>

namespace aimass::train {

struct CalendarParts {
  int year = 1970;
  int month = 1;    // 1..12
  int day = 1;      // 1..31
  int weekday = 4;  // ISO: 1 = Monday .. 7 = Sunday
  int hour = 0;     // 0..23
};

CalendarParts SplitEpochSeconds(double seconds);

// "2024-03-01", "2024-03-01T12:30", "2024-03-01 12:30:05.25", with an optional "Z" or
// "+02:00"/"-0530" offset (converted to UTC). Nullopt when the text is not such a datetime.
std::optional<double> ParseIsoDatetime(std::string_view text);

}  // namespace aimass::train
