// What a model file from XGBoost says about itself, read before deciding how to use it: the
// task its objective answers, the number of classes and features, and the feature names it
// was saved with. For models trained elsewhere (aimass models import-xgboost).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "train/task.h"

namespace aimass::train::xgb {

struct ModelFacts {
  std::string objective;  // "binary:logistic", "multi:softprob", "reg:squarederror", ...
  Task task = Task::kRegression;
  int num_classes = 0;  // 2 for binary, k for multiclass, 0 for regression
  int64_t num_features = 0;
  std::vector<std::string> feature_names;  // empty when the model was saved without names
  int rounds = 0;
};

// Reads a UBJSON or JSON model file (checked by CheckModelSyntax before XGBoost reads it).
// kInvalidArgument when the bytes are not an XGBoost
// model, or its booster or objective is one aimass cannot serve (only tree boosters with
// binary:logistic, multi:softprob/softmax, reg:* or count:poisson).
Result<ModelFacts> ReadModelFacts(std::string_view bytes);

}  // namespace aimass::train::xgb
