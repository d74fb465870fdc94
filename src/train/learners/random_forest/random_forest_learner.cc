#include "train/learners/random_forest/random_forest_learner.h"

#include <algorithm>
#include <cmath>

#include "train/learners/param_values.h"
#include "train/learners/xgboost/memory_estimate.h"
#include "train/learners/xgboost/train_booster.h"

namespace aimass::train {
ParamSpace RandomForestLearner::Space(Task) const {
  // subsample 0.632: the share of distinct rows in a bootstrap sample (XGBoost samples
  // without replacement). colsample_bynode ~0.6 sits between sklearn's sqrt(n) and n/3 for
  // tables of tens of columns. 100 trees of depth 10 by default, at most 300 of depth 16:
  // one forest cannot be interrupted, and 500 trees of depth 20 took 15 s a fold on 400
  // rows, more than a short budget has for one trial.
  return {
      IntParam("n_estimators", 20, 300, 100, {50, 150}),
      IntParam("max_depth", 4, 16, 10, {6, 10, 14}),
      LogFloatParam("min_child_weight", 0.5, 20, 1, {1, 5}),
      FloatParam("subsample", 0.3, 0.9, 0.632, {0.5, 0.632, 0.8}),
      FloatParam("colsample_bynode", 0.3, 1, 0.6, {0.4, 0.6, 0.8}),
  };
}

Result<std::unique_ptr<TrainedModel>> RandomForestLearner::Train(
    const TrainInput& train, const nlohmann::json& params, const TrainOptions& options) const {
  AIMASS_ASSIGN_OR_RETURN(const ParamValues values,
                          ParamValues::Resolve(name(), Space(options.task), params));
  xgb::BoostingPlan plan;
  const int trees = values.Int("n_estimators");
  plan.params = {
      {"booster", "gbtree"},
      {"tree_method", "hist"},
      {"num_parallel_tree", std::to_string(trees)},
      {"learning_rate", "1"},
      // XGBRF's default: a leaf then holds (almost) the mean of its rows' residuals rather
      // than a value shrunk toward the starting score.
      {"reg_lambda", "1e-05"},
      {"max_depth", std::to_string(values.Int("max_depth"))},
      {"min_child_weight", xgb::ParamText(values.Double("min_child_weight"))},
      {"subsample", xgb::ParamText(values.Double("subsample"))},
      {"colsample_bynode", xgb::ParamText(values.Double("colsample_bynode"))},
  };
  plan.max_rounds = 1;
  plan.early_stopping_rounds = 0;
  plan.info = {{"trees", trees}};
  AIMASS_ASSIGN_OR_RETURN(auto model, xgb::TrainBooster(name(), train, options, plan));
  return std::unique_ptr<TrainedModel>(std::move(model));
}

Result<std::unique_ptr<TrainedModel>> RandomForestLearner::Load(std::string_view bytes, Task task,
                                                                int num_classes) const {
  AIMASS_ASSIGN_OR_RETURN(auto model, xgb::BoostedModel::Load(bytes, task, num_classes));
  return std::unique_ptr<TrainedModel>(std::move(model));
}

int64_t RandomForestLearner::EstimateMemory(int64_t rows, int64_t cols,
                                            const nlohmann::json& params,
                                            const TrainOptions& options) const {
  const ParamValues values = ParamValues::ResolveOrDefaults(name(), Space(options.task), params);
  xgb::BoosterShape shape = xgb::ShapeOf(rows, cols, options);
  shape.max_depth = values.Int("max_depth");
  shape.min_child_weight = values.Double("min_child_weight");
  shape.trees = static_cast<int64_t>(values.Int("n_estimators")) * shape.outputs;
  return xgb::EstimateBoosterMemory(shape);
}

double RandomForestLearner::Cost(int64_t rows, const nlohmann::json& params,
                                 const TrainOptions& options) const {
  const ParamValues values = ParamValues::ResolveOrDefaults(name(), Space(options.task), params);
  const double sampled = std::max(1.0, static_cast<double>(rows) * values.Double("subsample"));
  const double leaf_rows = std::max(1.0, values.Double("min_child_weight"));
  const int depth = values.Int("max_depth");
  const double leaves = std::clamp(sampled / leaf_rows, 1.0, std::pow(2.0, depth));
  const double levels = std::clamp(std::log2(sampled / leaf_rows), 1.0, static_cast<double>(depth));
  const double outputs = options.task == Task::kMulticlass ? std::max(1, options.num_classes) : 1;
  // A node costs a histogram of 256 bins per column; a level, a pass over the tree's rows.
  return values.Int("n_estimators") * outputs * (2 * leaves * 256 + levels * sampled);
}

}  // namespace aimass::train
