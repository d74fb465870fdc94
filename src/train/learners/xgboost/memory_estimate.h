// A rough upper bound of the memory XGBoost 1.7's hist method needs to train, so that the
// AutoML can skip a trial that would not fit. Shared by the xgboost and rf learners.
#pragma once

#include <cstdint>

#include "train/learner.h"

namespace aimass::train::xgb {

struct BoosterShape {
  int64_t rows = 0;
  int64_t cols = 0;
  int64_t validation_rows = 0;
  int threads = 1;
  int max_bin = 256;
  int max_depth = 6;
  double min_child_weight = 1;  // a leaf's hessians add up to at least this
  double max_hessian = 1;       // a row's hessian at most: 1 (squared error), 0.5 (softmax)
  int outputs = 1;              // classes for multiclass, else 1
  int64_t trees = 1;            // every tree the run may grow (rounds x outputs x parallel trees)
};

// Bytes, excluding the caller's Matrix. The terms (see learners/README.md):
//   XGBoost's CSR copy of the features     rows*cols*8 + rows*8 (4-byte index, 4-byte value)
//   quantized index + column matrix        2 * rows*cols*(1 byte, 2 if max_bin > 256)
//   histograms of one tree's nodes         (nodes + threads) * bins * 16 (two doubles per bin)
//   gradients, predictions, labels, rows   rows*outputs*12 + rows*16
//   validation CSR copy and predictions    validation_rows*(cols*8 + 8 + outputs*4)
//   model, its sliced copy, its file       trees * nodes * 128
// with bins = cols * min(max_bin, rows) and nodes = min(2^(max_depth+1) - 1, 2*leaves - 1),
// leaves = min(rows, rows * max_hessian / min_child_weight): a leaf needs at least one row
// and hessians adding up to min_child_weight (squared error's are 1 a row, logistic's at most
// 0.25, softmax's at most 0.5).
int64_t EstimateBoosterMemory(const BoosterShape& shape);

// The shape's fields that follow from the data and the options (rows, cols, validation
// rows, threads, outputs, max_hessian); the learner sets the tree parameters and `trees`.
BoosterShape ShapeOf(int64_t rows, int64_t cols, const TrainOptions& options);

}  // namespace aimass::train::xgb
