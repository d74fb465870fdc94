// Helpers for the compiled tree runtime's tests: feature matrices with missing values, and
// the check that two prediction vectors agree as the runtime promises (1e-6 relative, 1e-7
// absolute near 0).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "train/matrix.h"

namespace aimass::serve::testing {

// `features` with about `share` of its values missing (NaN), and its first row all missing.
inline train::Matrix WithMissing(train::Matrix features, double share, uint64_t seed) {
  std::mt19937_64 random(seed);
  std::bernoulli_distribution missing(share);
  for (float& value : features.values) {
    if (missing(random)) value = std::numeric_limits<float>::quiet_NaN();
  }
  for (int64_t c = 0; c < features.cols && features.rows > 0; ++c) {
    features.values[c] = std::numeric_limits<float>::quiet_NaN();
  }
  return features;
}

inline bool Close(double a, double b) {
  return std::abs(a - b) <= 1e-6 * std::max(std::abs(a), std::abs(b)) + 1e-7;
}

// Every value of `compiled` within 1e-6 relative (1e-7 absolute) of `expected`; the first few
// differences are named.
inline void ExpectAgree(const std::vector<double>& compiled, const std::vector<double>& expected,
                        int width) {
  ASSERT_EQ(compiled.size(), expected.size());
  int reported = 0;
  for (size_t i = 0; i < compiled.size() && reported < 5; ++i) {
    if (Close(compiled[i], expected[i])) continue;
    ++reported;
    ADD_FAILURE() << "row " << i / width << " output " << i % width << ": compiled " << compiled[i]
                  << ", expected " << expected[i];
  }
}

}  // namespace aimass::serve::testing
