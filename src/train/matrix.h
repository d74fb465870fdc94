// The features a learner sees: a dense row-major matrix of floats, NaN where a value is
// missing. Built by the Preprocessor from raw columns; XGBoost and liblinear read it as is.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace aimass::train {

struct Matrix {
  int64_t rows = 0;
  int64_t cols = 0;
  std::vector<float> values;  // rows * cols, row-major

  float at(int64_t row, int64_t col) const { return values[row * cols + col]; }
  std::span<const float> row(int64_t r) const {
    return {values.data() + r * cols, static_cast<size_t>(cols)};
  }
};

// The rows `indexes` of `matrix`, in that order.
Matrix TakeRows(const Matrix& matrix, std::span<const int64_t> indexes);

}  // namespace aimass::train
