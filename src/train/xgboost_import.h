// A model trained by XGBoost elsewhere (Python's Booster.save_model, JSON or UBJSON) made into
// a Pipeline that takes raw records like any aimass model: its features are plain numeric
// columns, in the model's order, missing values left to XGBoost.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "train/pipeline.h"

namespace aimass::train {

// What the user says about the model; empty fields are read from the model file.
struct XgboostImportSpec {
  // The input columns, one per model feature, in order. Empty: the names the model was
  // saved with (Python sets them when trained from a pandas DataFrame).
  std::vector<std::string> features;
  // "binary", "multiclass", "regression", or "" for the task the objective answers.
  std::string task;
  // Class names in label order (label 0 first). Empty: "0", "1", ...
  std::vector<std::string> classes;
};

struct ImportedXgboost {
  std::shared_ptr<const Pipeline> pipeline;
  std::string objective;
  int rounds = 0;
};

// kInvalidArgument, naming the fix, when the bytes are not a usable XGBoost model or do not
// agree with the spec (number of features or classes, the task, names that differ from the
// ones the model was saved with).
Result<ImportedXgboost> PipelineFromXgboost(std::string_view bytes, const XgboostImportSpec& spec);

}  // namespace aimass::train
