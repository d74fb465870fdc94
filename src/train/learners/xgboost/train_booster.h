// The boosting loop shared by the xgboost and rf learners: DMatrix construction, one
// XGBoosterUpdateOneIter per round, early stopping on the validation rows, the deadline and
// cancellation checks between rounds, and keeping only the best rounds.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "train/learner.h"
#include "train/learners/xgboost/boosted_model.h"

namespace aimass::train::xgb {

// What a learner asks of one boosting run.
struct BoostingPlan {
  // XGBoost parameters (name, value) besides those the loop sets itself: objective,
  // num_class, eval_metric, base_score (regression), nthread, seed, verbosity.
  std::vector<std::pair<std::string, std::string>> params;
  int max_rounds = 1;
  // Stop after this many rounds without a better validation loss and keep the best round;
  // 0: train max_rounds whatever the validation loss does.
  int early_stopping_rounds = 0;
  // Facts the learner adds to the model's Info(), e.g. {"trees": 200}.
  nlohmann::json info = nlohmann::json::object();
};

// Trains at least one round. should_stop() → kCancelled; past the deadline the rounds
// trained so far are kept and Info() says {"stopped":"deadline"}. Info() also holds
// "rounds" (kept), "trained_rounds", "stopped" ("max_rounds", "early_stopping",
// "deadline") and, with validation rows, "metric", "best_iteration", "best_score".
Result<std::unique_ptr<BoostedModel>> TrainBooster(std::string_view learner,
                                                   const TrainInput& train,
                                                   const TrainOptions& options,
                                                   const BoostingPlan& plan);

// A number as XGBoost parameter text, exact for a double ("%.17g").
std::string ParamText(double value);

}  // namespace aimass::train::xgb
