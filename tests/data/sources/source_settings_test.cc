// The settings every source has: durations, interval and mode, and the backoff arithmetic.
#include "data/sources/source_settings.h"

#include <gtest/gtest.h>

namespace aimass::data::sources {
namespace {
using nlohmann::json;

TEST(SourceSettingsTest, ParsesDurations) {
  EXPECT_EQ(ParseDuration("250ms", "settle").value(), 250);
  EXPECT_EQ(ParseDuration("2s", "settle").value(), 2000);
  EXPECT_EQ(ParseDuration("5m", "settle").value(), 300'000);
  EXPECT_EQ(ParseDuration("1h", "settle").value(), 3'600'000);
  EXPECT_EQ(ParseDuration(1.5, "settle").value(), 1500);
  auto bad = ParseDuration("2 days", "settle");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("config.settle"), std::string::npos);
  EXPECT_FALSE(ParseDuration(-1, "settle"));
}

TEST(SourceSettingsTest, ReadsIntervalAndModeAndHidesThemFromTheKind) {
  auto defaults = ReadSourceSettings(json::object());
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->interval_ms, 10'000);
  EXPECT_EQ(defaults->mode, SourceMode::kAppend);
  json config = {{"interval", "30s"}, {"mode", "batch"}, {"path", "/srv/in"}};
  auto read = ReadSourceSettings(config);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->interval_ms, 30'000);
  EXPECT_EQ(read->mode, SourceMode::kBatch);
  EXPECT_EQ(KindSettings(config), (json{{"path", "/srv/in"}}));
  auto fast = ReadSourceSettings({{"interval", "100ms"}});
  ASSERT_FALSE(fast);
  EXPECT_NE(fast.error().message.find("at least 1s"), std::string::npos);
  auto mode = ReadSourceSettings({{"mode", "merge"}});
  ASSERT_FALSE(mode);
  EXPECT_NE(mode.error().message.find("config.mode"), std::string::npos);
}

TEST(SourceSettingsTest, BacksOffExponentiallyUpToTenMinutes) {
  EXPECT_EQ(NextRunDelayMillis(10'000, 0), 10'000);
  EXPECT_EQ(NextRunDelayMillis(10'000, 1), 20'000);
  EXPECT_EQ(NextRunDelayMillis(10'000, 3), 80'000);
  EXPECT_EQ(NextRunDelayMillis(10'000, 6), 600'000);
  EXPECT_EQ(NextRunDelayMillis(10'000, 60), 600'000);  // no overflow
  EXPECT_EQ(NextRunDelayMillis(900'000, 2), 900'000);  // never below the interval
}

}  // namespace
}  // namespace aimass::data::sources
