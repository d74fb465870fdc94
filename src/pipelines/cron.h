// Cron schedules as crontab(5) writes them: five fields (minute hour day-of-month month
// day-of-week) of `*`, numbers, ranges `a-b`, steps `*/n` or `a-b/n`, and lists `a,b`;
// month and weekday names (jan, mon); and @hourly, @daily (@midnight), @weekly, @monthly,
// @yearly (@annually). Times are UTC. As in cron, when both day fields are restricted a day
// matching either one matches.
#pragma once

#include <bitset>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace aimass::pipelines {

class CronSchedule {
 public:
  // kInvalidArgument naming the field and what it accepts: "cron '61 * * * *': minute
  // '61' is out of range 0-59".
  static Result<CronSchedule> Parse(std::string_view text);

  // Whether the minute that starts at `unix_minute * 60` seconds (UTC) matches.
  bool Matches(int64_t unix_minute) const;
  // The first matching minute after `unix_minute` (within 5 years; -1 when none, as for
  // "0 0 31 2 *").
  int64_t NextAfter(int64_t unix_minute) const;
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;     // 1..31
  std::bitset<13> months_;   // 1..12
  std::bitset<7> weekdays_;  // 0 = Sunday
  bool days_restricted_ = false;
  bool weekdays_restricted_ = false;
};

}  // namespace aimass::pipelines
