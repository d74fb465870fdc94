#include "http/auth_failures.h"

#include <gtest/gtest.h>

namespace aimass::http {
namespace {

TEST(AuthFailureLimiterTest, LocksAnAddressOutAfterTooManyFailuresForTheRestOfTheWindow) {
  AuthFailureLimiter limiter(20);
  const auto start = AuthFailureLimiter::Clock::now();
  for (int i = 0; i < 19; ++i) {
    limiter.RecordFailure("10.0.0.1", start);
  }
  EXPECT_EQ(limiter.RetryAfterSeconds("10.0.0.1", start), 0);
  limiter.RecordFailure("10.0.0.1", start);
  EXPECT_EQ(limiter.RetryAfterSeconds("10.0.0.1", start), 60);
  EXPECT_EQ(limiter.RetryAfterSeconds("10.0.0.1", start + std::chrono::seconds(59)), 1);
  EXPECT_EQ(limiter.RetryAfterSeconds("10.0.0.2", start), 0) << "other addresses go on";
  EXPECT_EQ(limiter.RetryAfterSeconds("10.0.0.1", start + std::chrono::seconds(60)), 0);
  limiter.RecordFailure("10.0.0.1", start + std::chrono::seconds(61));  // a new window
  EXPECT_EQ(limiter.RetryAfterSeconds("10.0.0.1", start + std::chrono::seconds(61)), 0);
}

TEST(AuthFailureLimiterTest, ZeroMeansNoLimit) {
  AuthFailureLimiter limiter(0);
  const auto now = AuthFailureLimiter::Clock::now();
  for (int i = 0; i < 1000; ++i) limiter.RecordFailure("10.0.0.1", now);
  EXPECT_EQ(limiter.RetryAfterSeconds("10.0.0.1", now), 0);
}

}  // namespace
}  // namespace aimass::http
