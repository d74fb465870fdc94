#include "pipelines/cron.h"

#include <array>
#include <charconv>
#include <ctime>
#include <vector>

namespace aimass::pipelines {
namespace {

struct Field {
  const char* name;
  int low;
  int high;
  std::vector<std::string_view> names;  // names[i] stands for low + i
};

const std::array<Field, 5>& Fields() {
  static const std::array<Field, 5> fields = {
      Field{"minute", 0, 59, {}},
      Field{"hour", 0, 23, {}},
      Field{"day of month", 1, 31, {}},
      Field{"month",
            1,
            12,
            {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}},
      Field{"day of week", 0, 7, {"sun", "mon", "tue", "wed", "thu", "fri", "sat"}},
  };
  return fields;
}

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

std::string Lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

Result<int> ParseValue(std::string_view text, const Field& field, const std::string& where) {
  const std::string lower = Lower(text);
  for (size_t i = 0; i < field.names.size(); ++i) {
    if (lower == field.names[i]) return field.low + static_cast<int>(i);
  }
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return Fail(ErrorCode::kInvalidArgument,
                where + ": " + field.name + " '" + std::string(text) + "' is not a number");
  }
  if (value < field.low || value > field.high) {
    return Fail(ErrorCode::kInvalidArgument, where + ": " + field.name + " '" + std::string(text) +
                                                 "' is out of range " + std::to_string(field.low) +
                                                 "-" + std::to_string(field.high));
  }
  return value;
}

// Sets the values of one field's text in `bits` (indexed by value); returns whether the
// field was restricted (anything but `*`).
Result<bool> ParseField(std::string_view text, const Field& field, const std::string& where,
                        std::vector<bool>& bits) {
  bool restricted = true;
  for (std::string_view item : Split(text, ',')) {
    std::string_view range = item;
    int step = 1;
    if (size_t slash = item.find('/'); slash != std::string_view::npos) {
      range = item.substr(0, slash);
      std::string_view step_text = item.substr(slash + 1);
      auto [end, ec] = std::from_chars(step_text.data(), step_text.data() + step_text.size(), step);
      if (step_text.empty() || ec != std::errc() || end != step_text.data() + step_text.size() ||
          step <= 0) {
        return Fail(ErrorCode::kInvalidArgument, where + ": " + field.name + " step '" +
                                                     std::string(step_text) +
                                                     "' must be a positive number");
      }
    }
    int low = field.low;
    int high = field.high;
    if (range == "*") {
      if (item == "*") restricted = false;
    } else if (size_t dash = range.find('-'); dash != std::string_view::npos) {
      AIMASS_ASSIGN_OR_RETURN(low, ParseValue(range.substr(0, dash), field, where));
      AIMASS_ASSIGN_OR_RETURN(high, ParseValue(range.substr(dash + 1), field, where));
      if (low > high) {
        return Fail(ErrorCode::kInvalidArgument, where + ": " + field.name + " range '" +
                                                     std::string(range) +
                                                     "' runs backwards; write the low end first");
      }
    } else {
      AIMASS_ASSIGN_OR_RETURN(low, ParseValue(range, field, where));
      if (item.find('/') != std::string_view::npos)
        high = field.high;  // "5/15": 5, 20, ...
      else
        high = low;
    }
    for (int v = low; v <= high; v += step) bits[static_cast<size_t>(v)] = true;
  }
  return restricted;
}

template <size_t N>
void Copy(const std::vector<bool>& from, std::bitset<N>& to, int offset = 0) {
  for (size_t i = 0; i < N; ++i) to[i] = from[i + static_cast<size_t>(offset)];
}

}  // namespace

Result<CronSchedule> CronSchedule::Parse(std::string_view text) {
  const std::string where = "cron '" + std::string(text) + "'";
  std::string expanded(text);
  const std::string lower = Lower(text);
  if (lower == "@hourly") expanded = "0 * * * *";
  if (lower == "@daily" || lower == "@midnight") expanded = "0 0 * * *";
  if (lower == "@weekly") expanded = "0 0 * * 0";
  if (lower == "@monthly") expanded = "0 0 1 * *";
  if (lower == "@yearly" || lower == "@annually") expanded = "0 0 1 1 *";
  std::vector<std::string_view> fields;
  for (std::string_view part : Split(expanded, ' ')) {
    if (!part.empty()) fields.push_back(part);
  }
  if (fields.size() != 5) {
    return Fail(ErrorCode::kInvalidArgument,
                where +
                    " must have 5 fields (minute hour day-of-month month day-of-week), "
                    "e.g. '*/15 * * * *', or be @hourly, @daily, @weekly, @monthly");
  }
  CronSchedule schedule;
  schedule.text_ = std::string(text);
  std::array<std::vector<bool>, 5> bits;
  std::array<bool, 5> restricted{};
  for (size_t i = 0; i < 5; ++i) {
    bits[i].assign(static_cast<size_t>(Fields()[i].high) + 1, false);
    AIMASS_ASSIGN_OR_RETURN(restricted[i], ParseField(fields[i], Fields()[i], where, bits[i]));
  }
  Copy(bits[0], schedule.minutes_);
  Copy(bits[1], schedule.hours_);
  Copy(bits[2], schedule.days_);
  Copy(bits[3], schedule.months_);
  if (bits[4][7]) bits[4][0] = true;  // 7 is Sunday too
  Copy(bits[4], schedule.weekdays_);
  schedule.days_restricted_ = restricted[2];
  schedule.weekdays_restricted_ = restricted[4];
  return schedule;
}

bool CronSchedule::Matches(int64_t unix_minute) const {
  const time_t seconds = static_cast<time_t>(unix_minute * 60);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  if (!minutes_[static_cast<size_t>(tm.tm_min)] || !hours_[static_cast<size_t>(tm.tm_hour)] ||
      !months_[static_cast<size_t>(tm.tm_mon + 1)]) {
    return false;
  }
  const bool day = days_[static_cast<size_t>(tm.tm_mday)];
  const bool weekday = weekdays_[static_cast<size_t>(tm.tm_wday)];
  if (days_restricted_ && weekdays_restricted_) return day || weekday;
  return day && weekday;
}

int64_t CronSchedule::NextAfter(int64_t unix_minute) const {
  constexpr int64_t kFiveYears = 5LL * 366 * 24 * 60;
  for (int64_t m = unix_minute + 1; m <= unix_minute + kFiveYears; ++m) {
    if (Matches(m)) return m;
  }
  return -1;
}

}  // namespace aimass::pipelines
