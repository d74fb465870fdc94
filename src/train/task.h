// What is being predicted: a yes/no class, one of several classes, or a number.
#pragma once

#include <string_view>

#include "common/status.h"

namespace aimass::train {

enum class Task { kBinary, kMulticlass, kRegression };

std::string_view TaskName(Task task);  // "binary", "multiclass", "regression"
Result<Task> ParseTask(std::string_view name);

inline bool IsClassification(Task task) { return task != Task::kRegression; }

}  // namespace aimass::train
