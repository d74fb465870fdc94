// One AutoML run: the target and task, the folds, preprocessing per fold, the search over
// learners and hyperparameters within the time budget, the leaderboard, ensembles judged on
// out-of-fold predictions, and the final model refit on every row. RunAutoMl is called on
// one thread; it runs trials on several.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"
#include "train/frame.h"
#include "train/pipeline.h"
#include "train/training_spec.h"
#include "train/trial.h"

namespace aimass::train {

struct AutoMlEnvironment {
  int threads = 2;                            // the worker's allowance
  int64_t memory_limit_bytes = int64_t{2} << 30;  // for one trial
  const LearnerRegistry* learners = nullptr;  // null: LearnerRegistry::Builtin()
  // Progress 0..100 with a message; a line for the job log; a finished trial; a stop request
  // (polled; true cancels the run with kCancelled). Each may be empty.
  std::function<void(int percent, const std::string& message)> progress;
  std::function<void(const std::string& line)> log;
  std::function<void(const TrialRecord& trial, Metric metric)> trial_finished;
  std::function<bool()> should_stop;
};

struct AutoMlResult {
  Task task = Task::kRegression;
  Metric metric = Metric::kRmse;
  std::vector<std::string> classes;
  std::vector<TrialRecord> trials;    // in the order they ran
  nlohmann::json leaderboard;         // trials (and ensembles) best first, as JSON
  std::string chosen;                 // "trial 7 (xgboost)", "voting over trials 7, 3"
  double score = 0;                   // the chosen model's out-of-fold score
  nlohmann::json evaluation;          // evaluation.h's JSON of the chosen model
  nlohmann::json importance;          // [{"feature","importance"}], best first
  std::shared_ptr<const Pipeline> pipeline;  // refit on every row
  double seconds = 0;
};

Result<AutoMlResult> RunAutoMl(const Frame& frame, const TrainingSpec& spec,
                               const AutoMlEnvironment& environment);

}  // namespace aimass::train
