// The trees of an XGBoost 1.x model file (UBJSON or JSON, as Booster.save_model writes and
// BoostedModel::Serialize returns), read into plain arrays for CompiledForest. Reading checks
// what evaluation relies on (array lengths, child and feature indexes in range, output
// groups), so a damaged file is an error here and never an out-of-range read later.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace aimass::serve {

// The code of an error for a model that is valid but not covered here (the caller falls back
// to XGBoost's predictor).
inline constexpr ErrorCode kNotCovered = ErrorCode::kUnimplemented;

// One tree as the model file holds it: parallel arrays indexed by node id, node 0 the root.
struct XgboostTree {
  std::vector<int32_t> left_children;   // -1 at a leaf
  std::vector<int32_t> right_children;  // -1 at a leaf
  std::vector<int32_t> split_indices;   // the feature column a split reads
  std::vector<float> split_conditions;  // a split's threshold, or a leaf's value
  std::vector<uint8_t> default_left;    // 1: a missing value goes left
};

// The parts of a gbtree model that prediction needs.
struct XgboostTrees {
  std::string objective;     // e.g. "binary:logistic"
  float base_score = 0.5f;   // as the file writes it: in the objective's output space
  int64_t num_features = 0;  // learner_model_param.num_feature
  int num_groups = 1;        // the outputs trees add to: num_class, or 1
  std::vector<XgboostTree> trees;
  std::vector<int32_t> tree_groups;  // tree_info: the output each tree adds to
};

// kNotCovered for models this reader does not cover (dart and gblinear boosters,
// categorical splits, vector leaves, several targets), naming what is not covered;
// kInvalidArgument for bytes that are not an XGBoost model or whose trees are inconsistent.
Result<XgboostTrees> ReadXgboostTrees(std::string_view model_bytes);

}  // namespace aimass::serve
