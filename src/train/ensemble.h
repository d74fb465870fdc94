// Ensembles over the leaderboard, judged on out-of-fold predictions: soft voting (weights by
// Caruana et al.'s greedy ensemble selection, with replacement) and stacking (a linear model
// over the members' out-of-fold predictions, its own score measured by cross-validation over
// those predictions). Bagging retrains a configuration and so lives in the AutoML run.
// Functions only; thread-compatible.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <vector>

#include "common/status.h"
#include "train/learner.h"
#include "train/metrics.h"

namespace aimass::train {

// A leaderboard entry as the ensembles see it: its out-of-fold predictions (rows x width,
// aligned with the labels given alongside).
struct EnsembleMember {
  int trial_id = 0;
  const std::vector<double>* predictions = nullptr;
};

struct ScoringContext {
  Task task = Task::kRegression;
  Metric metric = Metric::kRmse;
  int width = 1;  // prediction columns: classes, or 1
  std::span<const float> labels;
};

struct VotingPlan {
  std::vector<int> trial_ids;   // members with weight > 0
  std::vector<double> weights;  // summing to 1
  std::vector<double> predictions;  // the blended out-of-fold predictions
  double score = 0;
};

// Greedy selection over `members` (best first), at most `rounds` additions.
Result<VotingPlan> SelectVoting(std::span<const EnsembleMember> members,
                                const ScoringContext& context, int rounds = 25);

// Blends the members' predictions with the weights.
std::vector<double> Blend(std::span<const std::vector<double>* const> predictions,
                          std::span<const double> weights);

// The features a stacker sees: per member its probability columns (binary: P(class 1) as a
// logit; multiclass: every class probability) or its prediction (regression).
Matrix StackingFeatures(std::span<const std::vector<double>* const> predictions, Task task,
                        int width);

struct StackingPlan {
  std::vector<int> trial_ids;
  std::unique_ptr<TrainedModel> stacker;  // trained on every out-of-fold row
  nlohmann::json stacker_params;
  std::vector<double> predictions;        // the stacker's own out-of-fold predictions
  double score = 0;
};

// Stacks `members` with the "linear" learner; the score is from `folds`-fold cross-validation
// over the out-of-fold rows.
Result<StackingPlan> FitStacking(std::span<const EnsembleMember> members,
                                 const ScoringContext& context, const Learner& linear,
                                 int folds, uint64_t seed);

}  // namespace aimass::train
