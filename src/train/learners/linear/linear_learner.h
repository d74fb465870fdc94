// "linear": regularised linear models. Binary: logistic regression with liblinear 2.3, L2
// (L2R_LR) or L1 (L1R_LR) penalty. Several classes: multinomial logistic regression with
// the same C and penalty, trained by XGBoost's gblinear (multinomial.h).
// Regression: L2R_L2LOSS_SVR (squared epsilon-insensitive loss, L2 penalty; ridge regression
// at epsilon 0) on the standardised target. Features are used as they come: the
// preprocessor imputes and scales before a linear learner; a NaN left over counts as 0.
#pragma once

#include "train/learner.h"

namespace aimass::train {

// Stateless; safe to use from several threads at once (L1R_LR trainings take turns: that
// solver draws from the C library's global rand(), seeded per call for reproducibility).
class LinearLearner final : public Learner {
 public:
  std::string_view name() const override { return "linear"; }
  bool Supports(Task) const override { return true; }
  ParamSpace Space(Task task) const override;
  // liblinear has no per-row weights: binary weights must be equal within each class
  // (class weights) and regression weights equal everywhere; other weights are
  // kInvalidArgument (multiclass takes any). One liblinear call cannot be interrupted:
  // should_stop and the deadline are checked before it (kCancelled, kDeadlineExceeded);
  // multiclass checks them between rounds.
  Result<std::unique_ptr<TrainedModel>> Train(const TrainInput& train, const nlohmann::json& params,
                                              const TrainOptions& options) const override;
  Result<std::unique_ptr<TrainedModel>> Load(std::string_view bytes, Task task,
                                             int num_classes) const override;
  int64_t EstimateMemory(int64_t rows, int64_t cols, const nlohmann::json& params,
                         const TrainOptions& options) const override;
};

}  // namespace aimass::train
