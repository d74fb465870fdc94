// "rf": a random forest grown by XGBoost (one boosting round of num_parallel_tree trees,
// learning rate 1, rows and columns sampled per tree and node), the recipe of Python's
// XGBRFClassifier/XGBRFRegressor. Shares the booster code of learners/xgboost/.
#pragma once

#include "train/learner.h"

namespace aimass::train {

// Stateless; safe to use from several threads at once.
class RandomForestLearner final : public Learner {
 public:
  std::string_view name() const override { return "rf"; }
  bool Supports(Task) const override { return true; }
  ParamSpace Space(Task task) const override;
  // One round cannot be interrupted: should_stop is checked before it, and a deadline
  // already past still grows the forest (every learner returns at least one round).
  Result<std::unique_ptr<TrainedModel>> Train(const TrainInput& train, const nlohmann::json& params,
                                              const TrainOptions& options) const override;
  Result<std::unique_ptr<TrainedModel>> Load(std::string_view bytes, Task task,
                                             int num_classes) const override;
  int64_t EstimateMemory(int64_t rows, int64_t cols, const nlohmann::json& params,
                         const TrainOptions& options) const override;
  // Trees x classes x (the nodes a tree can grow before its leaves reach min_child_weight
  // rows, each a 256-bin histogram per column, + a pass over the sampled rows per level).
  double Cost(int64_t rows, const nlohmann::json& params,
              const TrainOptions& options) const override;
};

}  // namespace aimass::train
