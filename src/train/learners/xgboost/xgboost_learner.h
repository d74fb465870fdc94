// "xgboost": gradient-boosted trees through XGBoost 1.7's C API (gbtree, hist), with early
// stopping on the validation rows. binary:logistic, multi:softprob, reg:squarederror.
#pragma once

#include "train/learner.h"

namespace aimass::train {

// Stateless; safe to use from several threads at once.
class XgboostLearner final : public Learner {
 public:
  // Rounds without a better validation loss before boosting stops.
  static constexpr int kEarlyStoppingRounds = 30;

  std::string_view name() const override { return "xgboost"; }
  bool Supports(Task) const override { return true; }
  ParamSpace Space(Task task) const override;
  Result<std::unique_ptr<TrainedModel>> Train(const TrainInput& train, const nlohmann::json& params,
                                              const TrainOptions& options) const override;
  Result<std::unique_ptr<TrainedModel>> Load(std::string_view bytes, Task task,
                                             int num_classes) const override;
  int64_t EstimateMemory(int64_t rows, int64_t cols, const nlohmann::json& params,
                         const TrainOptions& options) const override;
};

}  // namespace aimass::train
