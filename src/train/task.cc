#include "train/task.h"

#include <string>

namespace aimass::train {

std::string_view TaskName(Task task) {
  switch (task) {
    case Task::kBinary: return "binary";
    case Task::kMulticlass: return "multiclass";
    case Task::kRegression: return "regression";
  }
  return "regression";
}

Result<Task> ParseTask(std::string_view name) {
  if (name == "binary") return Task::kBinary;
  if (name == "multiclass") return Task::kMulticlass;
  if (name == "regression") return Task::kRegression;
  return Fail(ErrorCode::kInvalidArgument,
              "unknown task '" + std::string(name) + "'; use binary, multiclass or regression");
}

}  // namespace aimass::train
