// What is being predicted: a yes/no class, one of several classes, or a number.
#pragma once

#include <string_view>

#include "common/status.h"

namespace aimass::train {

enum class Task { kBinary, kMulticlass, kRegression };

std::string_view TaskName(Task task);  // "binary", "multiclass", "regression"
Result<Task> ParseTask(std::string_view name);

inline bool IsClassification(Task task) { return task != Task::kRegression; }

// Values a model predicts per row: every class's probability (binary has 2), or the number.
inline int OutputWidthOf(Task task, int num_classes) {
  return task == Task::kBinary ? 2 : task == Task::kMulticlass ? num_classes : 1;
}

}  // namespace aimass::train
