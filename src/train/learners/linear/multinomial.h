// Multinomial (softmax) logistic regression for the "linear" learner's multiclass task,
// trained by XGBoost's linear booster (gblinear, objective multi:softprob). liblinear has
// only one-vs-rest logistic regression, whose normalised sigmoids are poorly calibrated
// probabilities: on the digits data a softmax model's log loss is 0.14 against 0.23.
#pragma once

#include "train/learner.h"
#include "train/learners/linear/linear_weights.h"

namespace aimass::train {

struct MultinomialPlan {
  double c = 1;     // liblinear's C: the loss weighs C per row against 1/2 |w|^2
  bool l1 = false;  // L1 penalty (XGBoost's alpha) instead of L2 (lambda)
  int max_rounds = 100;
  double tolerance = 1e-3;  // stop when a round lowers the training loss by less (relative)
};

// Weights in liblinear's layout (features x classes, then the bias row; bias feature 1),
// solver kMultinomialLr, labels 0..num_classes-1. Checks should_stop (kCancelled) and the
// deadline (keeps the rounds so far) between rounds.
Result<LinearWeights> TrainMultinomial(const TrainInput& train, const TrainOptions& options,
                                       const MultinomialPlan& plan);

}  // namespace aimass::train
