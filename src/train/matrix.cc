#include "train/matrix.h"

#include <algorithm>

namespace aimass::train {

Matrix TakeRows(const Matrix& matrix, std::span<const int64_t> indexes) {
  Matrix out;
  out.rows = static_cast<int64_t>(indexes.size());
  out.cols = matrix.cols;
  out.values.resize(static_cast<size_t>(out.rows * out.cols));
  for (size_t i = 0; i < indexes.size(); ++i) {
    const auto source = matrix.row(indexes[i]);
    std::copy(source.begin(), source.end(), out.values.begin() + static_cast<int64_t>(i) * out.cols);
  }
  return out;
}

}  // namespace aimass::train
