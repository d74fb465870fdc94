// How good predictions are: the metrics a search optimizes and the leaderboard shows,
// computed as scikit-learn 1.2 computes them (tests/train/metrics_test.cc checks).
// Stateless and thread-safe.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "train/task.h"

namespace aimass::train {

enum class Metric {
  kAccuracy,          // classification: share of rows whose most likely class is right
  kBalancedAccuracy,  // classification: mean recall over the classes present in the labels
  kLogLoss,           // classification: mean -log p(true class), p clipped to [1e-15, 1-1e-15]
  kRocAuc,            // binary: area under the ROC curve; multiclass: macro one-vs-rest over
                      // the classes present in the labels
  kF1,                // binary: F1 of the positive class (index 1); multiclass: macro F1
  kRmse,              // regression
  kMae,               // regression
  kR2,                // regression: coefficient of determination
};

std::string_view MetricName(Metric metric);  // snake_case: "roc_auc", "log_loss", ...
// A metric by name; an unknown name (or one that does not fit `task`) is kInvalidArgument
// listing the names valid for the task.
Result<Metric> ParseMetric(std::string_view name, Task task);
bool HigherIsBetter(Metric metric);
// binary: roc_auc, multiclass: log_loss, regression: rmse.
Metric DefaultMetric(Task task);
// Every metric that applies to `task`, the default first.
std::vector<Metric> MetricsFor(Task task);
bool MetricFits(Metric metric, Task task);

// `labels`: class indexes (classification) or numbers (regression), one per row.
// `predictions`: rows x width, row-major: every class's probability (binary: width 2, or
// width 1 holding the positive class's), or width 1 for regression. A metric that does not
// fit the task, mismatched sizes, or a metric undefined for these labels (ROC AUC with one
// class only, R2 of fewer than 2 rows) are kInvalidArgument.
Result<double> Score(Metric metric, Task task, std::span<const float> labels,
                     std::span<const double> predictions, int width);

}  // namespace aimass::train
