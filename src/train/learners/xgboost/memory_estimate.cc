#include "train/learners/xgboost/memory_estimate.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace aimass::train::xgb {

int64_t EstimateBoosterMemory(const BoosterShape& shape) {
  // Doubles: 2^(max_depth+1) and products of large shapes overflow int64 long before they
  // stop being useful as "will not fit".
  const double rows = static_cast<double>(std::max<int64_t>(shape.rows, 1));
  const double cols = static_cast<double>(std::max<int64_t>(shape.cols, 1));
  const double validation_rows = static_cast<double>(std::max<int64_t>(shape.validation_rows, 0));
  const double outputs = std::max(shape.outputs, 1);
  const double bins = cols * std::min<double>(shape.max_bin, rows);
  const double leaves = std::clamp(
      rows * std::min(1.0, shape.max_hessian / std::max(1e-9, shape.min_child_weight)), 1.0, rows);
  const double nodes = std::min(std::pow(2.0, shape.max_depth + 1) - 1, 2 * leaves - 1);
  const double index_bytes = shape.max_bin > 256 ? 2 : 1;

  const double csr = rows * cols * 8 + rows * 8;
  const double quantized = 2 * rows * cols * index_bytes;
  const double histograms = (nodes + std::max(shape.threads, 1)) * bins * 16;
  const double per_row = rows * outputs * 12 + rows * 16;
  const double validation = validation_rows * (cols * 8 + 8 + outputs * 4);
  const double model = static_cast<double>(std::max<int64_t>(shape.trees, 1)) * nodes * 128;
  const double total = csr + quantized + histograms + per_row + validation + model;
  return total >= 9.0e18 ? INT64_MAX : static_cast<int64_t>(total);
}

BoosterShape ShapeOf(int64_t rows, int64_t cols, const TrainOptions& options) {
  BoosterShape shape;
  shape.rows = rows;
  shape.cols = cols;
  shape.validation_rows =
      options.validation && options.validation->features ? options.validation->features->rows : 0;
  shape.threads = options.threads;
  shape.outputs = options.task == Task::kMulticlass ? options.num_classes : 1;
  shape.max_hessian = options.task == Task::kMulticlass ? 0.5
                      : options.task == Task::kBinary   ? 0.25
                                                        : 1.0;
  return shape;
}

}  // namespace aimass::train::xgb
