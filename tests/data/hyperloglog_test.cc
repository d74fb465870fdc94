#include "data/hyperloglog.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace aimass::data {
namespace {

TEST(HyperLogLogTest, EmptyIsZero) { EXPECT_EQ(HyperLogLog().Estimate(), 0); }

TEST(HyperLogLogTest, SmallSetsAreCountedAlmostExactly) {
  for (int n : {1, 2, 7, 50, 300}) {
    HyperLogLog sketch;
    for (int repeat = 0; repeat < 3; ++repeat) {
      for (int i = 0; i < n; ++i) sketch.Add(HashInteger(static_cast<uint64_t>(i)));
    }
    EXPECT_NEAR(sketch.Estimate(), n, std::max(1.0, n * 0.03)) << n;
  }
}

TEST(HyperLogLogTest, LargeSetsAreWithinAFewPercent) {
  for (int n : {10'000, 200'000, 1'000'000}) {
    HyperLogLog sketch;
    for (int i = 0; i < n; ++i) sketch.Add(HashDouble(i * 0.5));
    EXPECT_NEAR(sketch.Estimate(), n, n * 0.05) << n;
  }
}

TEST(HyperLogLogTest, EqualValuesHashAlike) {
  EXPECT_EQ(HashDouble(0.0), HashDouble(-0.0));
  EXPECT_EQ(HashDouble(std::nan("1")), HashDouble(-std::nan("2")));
  EXPECT_NE(HashDouble(1.0), HashDouble(2.0));
  EXPECT_EQ(HashBytes("abc"), HashBytes(std::string("abc")));
  EXPECT_NE(HashBytes("abc"), HashBytes("abd"));
}

}  // namespace
}  // namespace aimass::data
