// The model an AutoML run chose, trained again on every row with what cross-validation
// learned (a boosted model keeps the number of rounds early stopping found), and packed as a
// Pipeline. Functions only.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "train/pipeline.h"
#include "train/target.h"
#include "train/trial.h"

namespace aimass::train {

struct ChosenModel {
  std::string combination = "single";  // "single", "voting", "stacking", "bagging"
  std::vector<const TrialRecord*> members;
  std::vector<double> weights;  // voting
  std::shared_ptr<const TrainedModel> stacker;
  nlohmann::json stacker_params;
  int bags = 1;            // bagging: bootstrap models of the one member
  double temperature = 1;  // classification: calibration.h
};

struct RefitContext {
  const Frame* data = nullptr;  // rows whose target is known
  const Target* target = nullptr;
  const LearnerRegistry* learners = nullptr;
  uint64_t seed = 0;
  std::vector<std::string> exclude;
  int threads = 1;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  std::function<bool()> should_stop;
  std::function<void(const std::string& line)> log;  // one line per model trained
};

Result<std::shared_ptr<const Pipeline>> Refit(const ChosenModel& chosen,
                                              const RefitContext& context, nlohmann::json extra);

// `params` for training on every row: n_estimators becomes 1.1x the rounds early stopping
// kept in cross-validation (clamped to the learner's range) when there were any.
nlohmann::json RefitParams(const Learner& learner, Task task, nlohmann::json params,
                           int best_rounds);

}  // namespace aimass::train
