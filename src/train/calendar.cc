#include "train/calendar.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace aimass::train {
namespace {

constexpr int64_t kSecondsPerDay = 86400;

// Reads exactly `digits` decimal digits at `pos`, advancing it.
std::optional<int> Digits(std::string_view text, size_t& pos, size_t digits) {
  if (pos + digits > text.size()) return std::nullopt;
  int value = 0;
  for (size_t i = 0; i < digits; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  pos += digits;
  return value;
}

bool Expect(std::string_view text, size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

}  // namespace

CalendarParts SplitEpochSeconds(double seconds) {
  using namespace std::chrono;
  // Clamped to years 1..9999 so that absurd values cannot overflow the conversions.
  const double clamped = std::clamp(seconds, -62135596800.0, 253402300799.0);
  const sys_seconds instant{std::chrono::seconds{static_cast<int64_t>(std::floor(clamped))}};
  const sys_days day = floor<days>(instant);
  const year_month_day date{day};
  CalendarParts parts;
  parts.year = static_cast<int>(date.year());
  parts.month = static_cast<int>(static_cast<unsigned>(date.month()));
  parts.day = static_cast<int>(static_cast<unsigned>(date.day()));
  parts.weekday = static_cast<int>(weekday{day}.iso_encoding());
  parts.hour = static_cast<int>((instant - day) / hours{1});
  return parts;
}

std::optional<double> ParseIsoDatetime(std::string_view text) {
  using namespace std::chrono;
  size_t pos = 0;
  const auto y = Digits(text, pos, 4);
  if (!y || !Expect(text, pos, '-')) return std::nullopt;
  const auto m = Digits(text, pos, 2);
  if (!m || !Expect(text, pos, '-')) return std::nullopt;
  const auto d = Digits(text, pos, 2);
  if (!d) return std::nullopt;
  const year_month_day date{year{*y}, month{static_cast<unsigned>(*m)},
                            day{static_cast<unsigned>(*d)}};
  if (!date.ok()) return std::nullopt;
  double seconds = static_cast<double>(sys_days{date}.time_since_epoch().count()) * kSecondsPerDay;
  if (pos == text.size()) return seconds;
  if (text[pos] != 'T' && text[pos] != ' ') return std::nullopt;
  ++pos;
  const auto hh = Digits(text, pos, 2);
  if (!hh || *hh > 23 || !Expect(text, pos, ':')) return std::nullopt;
  const auto mm = Digits(text, pos, 2);
  if (!mm || *mm > 59) return std::nullopt;
  double time = *hh * 3600.0 + *mm * 60.0;
  if (Expect(text, pos, ':')) {
    const auto ss = Digits(text, pos, 2);
    if (!ss || *ss > 59) return std::nullopt;
    time += *ss;
    if (Expect(text, pos, '.')) {
      double scale = 0.1;
      const size_t start = pos;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        time += (text[pos++] - '0') * scale;
        scale /= 10;
      }
      if (pos == start) return std::nullopt;
    }
  }
  seconds += time;
  if (pos == text.size()) return seconds;
  if (text[pos] == 'Z' && pos + 1 == text.size()) return seconds;
  if (text[pos] != '+' && text[pos] != '-') return std::nullopt;
  const double sign = text[pos++] == '+' ? 1 : -1;
  const auto oh = Digits(text, pos, 2);
  if (!oh || *oh > 23) return std::nullopt;
  int om = 0;
  if (pos < text.size()) {
    Expect(text, pos, ':');
    const auto minutes = Digits(text, pos, 2);
    if (!minutes || *minutes > 59) return std::nullopt;
    om = *minutes;
  }
  if (pos != text.size()) return std::nullopt;
  // Local time = UTC + offset, so UTC = local - offset.
  return seconds - sign * (*oh * 3600.0 + om * 60.0);
}

}  // namespace aimass::train
