// The column being predicted: which task it makes (DetectTask) and its values as learner
// labels (ExtractTarget) — class indexes for classification, numbers for regression.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "train/frame.h"
#include "train/task.h"

namespace aimass::train {

// A classification target may have at most this many classes.
inline constexpr int kMaxClasses = 200;
// A numeric target with whole values and at most this many of them is multiclass.
inline constexpr int kMaxIntegerClasses = 10;

struct TaskGuess {
  Task task = Task::kRegression;
  std::string reason;  // one line for the job log, e.g. "'churn' has 2 values: binary"
};

// The task a target column makes: text and booleans are binary with 2 distinct values,
// multiclass otherwise; numbers with 2 distinct values are binary, whole numbers with at
// most kMaxIntegerClasses values multiclass, anything else regression. Fails (naming the
// column) when the column is all missing, holds one value only, or holds datetimes.
Result<TaskGuess> DetectTask(const FrameColumn& column);

// The target of a training run: the rows whose target is known and their labels.
// Thread-compatible.
struct Target {
  std::string column;
  Task task = Task::kRegression;
  // Classification: the class names, sorted (numbers numerically and printed canonically,
  // "1" not "1.0"; booleans "false", "true"); label i is the index of its class. Empty for
  // regression.
  std::vector<std::string> classes;
  std::vector<int64_t> rows;  // the frame rows whose target is known, ascending
  std::vector<float> labels;  // one per entry of `rows`: class index or the number
  int64_t missing = 0;        // rows left out because their target is missing

  int num_classes() const { return static_cast<int>(classes.size()); }
};

// Extracts `column` of `frame` as a target for `task`. Fails (kInvalidArgument, naming the
// column and the fix) when the column does not exist, is all missing, has one value or one
// class only, is not numeric for regression, does not have 2 classes for binary, or has
// more than kMaxClasses classes.
Result<Target> ExtractTarget(const Frame& frame, std::string_view column, Task task);

}  // namespace aimass::train
