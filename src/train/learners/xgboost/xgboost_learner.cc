#include "train/learners/xgboost/xgboost_learner.h"

#include "train/learners/param_values.h"
#include "train/learners/xgboost/memory_estimate.h"
#include "train/learners/xgboost/train_booster.h"

namespace aimass::train {
namespace {

// Parameters whose value goes to XGBoost under the same name.
constexpr const char* kBoosterParams[] = {"learning_rate", "max_depth",        "min_child_weight",
                                          "subsample",     "colsample_bytree", "reg_lambda",
                                          "reg_alpha",     "max_bin"};

// Invalid parameters make Train fail; for an estimate the defaults stand in.
}  // namespace

ParamSpace XgboostLearner::Space(Task) const {
  // Ranges after the usual AutoML practice (FLAML, H2O); subsample and colsample_bytree
  // default to 0.8 rather than XGBoost's 1, which generalises better on tabular data and
  // makes the seed matter. The regularisers' log ranges cannot hold 0: 1e-3 is "off".
  // No gamma: a minimum loss reduction is on the scale of the loss, so one range prunes
  // log-loss trees to stumps and does nothing to a regression on prices.
  return {
      IntParam("n_estimators", 10, 2000, 500, {100, 500, 1000}),
      LogFloatParam("learning_rate", 0.01, 0.3, 0.1, {0.03, 0.1, 0.3}),
      IntParam("max_depth", 2, 12, 6, {3, 6, 9}),
      LogFloatParam("min_child_weight", 0.5, 20, 1, {1, 5}),
      FloatParam("subsample", 0.5, 1, 0.8, {0.7, 1.0}),
      FloatParam("colsample_bytree", 0.4, 1, 0.8, {0.6, 1.0}),
      LogFloatParam("reg_lambda", 1e-3, 10, 1, {0.1, 1, 10}),
      LogFloatParam("reg_alpha", 1e-3, 10, 1e-3, {1e-3, 1}),
      IntParam("max_bin", 16, 1024, 256, {64, 256}),
  };
}

Result<std::unique_ptr<TrainedModel>> XgboostLearner::Train(const TrainInput& train,
                                                            const nlohmann::json& params,
                                                            const TrainOptions& options) const {
  AIMASS_ASSIGN_OR_RETURN(const ParamValues values,
                          ParamValues::Resolve(name(), Space(options.task), params));
  xgb::BoostingPlan plan;
  plan.params = {{"booster", "gbtree"}, {"tree_method", "hist"}};
  for (const char* param : kBoosterParams) {
    plan.params.emplace_back(param, xgb::ParamText(values.Double(param)));
  }
  plan.max_rounds = values.Int("n_estimators");
  plan.early_stopping_rounds = kEarlyStoppingRounds;
  AIMASS_ASSIGN_OR_RETURN(auto model, xgb::TrainBooster(name(), train, options, plan));
  return std::unique_ptr<TrainedModel>(std::move(model));
}

Result<std::unique_ptr<TrainedModel>> XgboostLearner::Load(std::string_view bytes, Task task,
                                                           int num_classes) const {
  AIMASS_ASSIGN_OR_RETURN(auto model, xgb::BoostedModel::Load(bytes, task, num_classes));
  return std::unique_ptr<TrainedModel>(std::move(model));
}

int64_t XgboostLearner::EstimateMemory(int64_t rows, int64_t cols, const nlohmann::json& params,
                                       const TrainOptions& options) const {
  const ParamValues values = ParamValues::ResolveOrDefaults(name(), Space(options.task), params);
  xgb::BoosterShape shape = xgb::ShapeOf(rows, cols, options);
  shape.max_bin = values.Int("max_bin");
  shape.max_depth = values.Int("max_depth");
  shape.min_child_weight = values.Double("min_child_weight");
  shape.trees = static_cast<int64_t>(values.Int("n_estimators")) * shape.outputs;
  return xgb::EstimateBoosterMemory(shape);
}

}  // namespace aimass::train
