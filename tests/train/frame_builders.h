// Small frames for preprocessing tests, and exact matrix comparison.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "train/frame.h"
#include "train/matrix.h"
#include "train/preprocessor.h"

namespace aimass::train {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

inline FrameColumn NumberColumn(std::string name, std::vector<double> values,
                                ColumnKind kind = ColumnKind::kNumber) {
  FrameColumn column{std::move(name),
                     kind == ColumnKind::kNumber ? "DOUBLE" : "BOOLEAN",
                     kind,
                     std::move(values),
                     {},
                     {}};
  if (kind == ColumnKind::kDatetime) column.type = "TIMESTAMP";
  return column;
}

// `missing` marks a missing value.
inline FrameColumn TextColumn(std::string name, const std::vector<std::string>& values,
                              const std::string& missing = "<null>") {
  FrameColumn column{std::move(name), "VARCHAR", ColumnKind::kText, {}, {}, {}};
  for (const auto& value : values) {
    column.present.push_back(value != missing);
    column.texts.push_back(value == missing ? "" : value);
  }
  return column;
}

inline PreprocessOptions Options(bool linear, uint64_t seed,
                                 std::vector<std::string> exclude = {}) {
  PreprocessOptions options;
  options.for_linear = linear;
  options.seed = seed;
  options.exclude = std::move(exclude);
  return options;
}

inline bool SameFloat(float a, float b) { return a == b || (std::isnan(a) && std::isnan(b)); }

inline void ExpectSameMatrix(const Matrix& a, const Matrix& b) {
  ASSERT_EQ(a.rows, b.rows);
  ASSERT_EQ(a.cols, b.cols);
  for (size_t i = 0; i < a.values.size(); ++i) {
    ASSERT_TRUE(SameFloat(a.values[i], b.values[i])) << "value " << i;
  }
}

}  // namespace aimass::train
