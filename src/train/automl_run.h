// The state of one AutoML run and its steps, shared by the files that implement it:
// automl.cc (setup, the run from start to result), automl_search.cc (the search loop: which
// learner next, batches of trials, time and memory checks, successive halving) and
// automl_choose.cc (the ensembles over the leaderboard and the choice of model). Internal to
// train/: callers use RunAutoMl (automl.h).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "train/automl.h"
#include "train/refit.h"
#include "train/search/sampler.h"

namespace aimass::train::automl_internal {

// Share of the budget kept for ensembles and the final refit.
inline constexpr double kFinishShare = 0.15;
// Below this many rows x features, trials run side by side with one thread each; above it,
// one at a time with every thread (XGBoost then uses the threads well).
inline constexpr double kSmallTrialCells = 2e6;
inline constexpr int kEnsembleCandidates = 10;
inline constexpr int kBags = 5;
// A trial whose first folds lose this much more than the best trial's is stopped early:
// loss = the metric, or 1 - the metric where higher is better (1 - AUC, 1 - R^2).
inline constexpr double kPruneMargin = 1.25;
inline constexpr int kPruneAfterTrials = 3;

using Clock = std::chrono::steady_clock;

inline double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

class AutoMlRun {
 public:
  AutoMlRun(const Frame& frame, const TrainingSpec& spec, const AutoMlEnvironment& environment)
      : frame_(frame),
        spec_(spec),
        env_(environment),
        learners_(environment.learners ? *environment.learners : LearnerRegistry::Builtin()),
        start_(Clock::now()) {
    const auto budget = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(spec.budget_seconds));
    finish_by_ = start_ + budget;
    search_until_ =
        start_ + std::chrono::duration_cast<Clock::duration>(budget * (1 - kFinishShare));
  }

  Result<AutoMlResult> Go();

 private:
  Status Setup();
  Status Search();
  Status SearchRandomOrBayes();
  Status SearchHalving();
  // Runs a batch of (learner, params) side by side; records and reports every trial.
  // `must_finish`: the trials may use the whole budget (the first batch, and the fallback
  // when no trial reached every row), not only the search's share.
  Status RunBatch(const std::vector<std::pair<const Learner*, nlohmann::json>>& batch,
                  TrialRunner::Shape shape, bool must_finish = false);
  bool Stopped() const { return env_.should_stop && env_.should_stop(); }
  // Whether score a beats score b on the run's metric.
  bool Better(double a, double b) const { return HigherIsBetter(metric_) ? a > b : a < b; }
  // The best successful trial on every row so far; null before any.
  const TrialRecord* BestFullTrial() const;
  // Whether some learner's typical trial still fits before the search's share of the
  // budget ends.
  bool SearchTimeLeft() const;
  // The median seconds of a learner's trials so far, scaled to every row (0 before any; all
  // learners when null). With `params`: the median seconds per unit of Learner::Cost times
  // the cost of a trial with those parameters.
  double ExpectedSeconds(const Learner* learner, const nlohmann::json* params = nullptr) const;
  bool Fits(double seconds) const;
  // Stops a trial after its second fold (or later) when its folds so far score more than
  // kPruneMargin worse than the best trial's same folds, and worse than the median trial's;
  // null until kPruneAfterTrials trials ran every fold. Reads a snapshot of the trials, so
  // the batch's threads may call it while trials_ grows.
  TrialRunner::PruneCheck MakePruneCheck() const;
  // Whether a trial of `learner` with `params` fits the memory allowance on the training
  // rows of a fold (each of the `parallel_` trials running side by side gets its share),
  // after halving its n_estimators as often as needed (params then changes); logs the trial
  // that is shrunk or skipped.
  bool FitsInMemory(const Learner& learner, nlohmann::json& params);
  // The options a trial's learner is trained with, for its estimates.
  TrainOptions TrialOptions() const;
  const Learner* NextLearner();
  // Whether refitting these trials' models on every row (`bags` times each) is expected to
  // end within the budget: each trial's seconds per fold, scaled to every row and 10% more
  // rounds, one after the other. Always true when the ensemble was asked for by name. Logs
  // the ensemble (`kind`) it leaves out.
  bool RefitFits(const std::string& kind, const std::vector<const TrialRecord*>& members,
                 int bags) const;
  // The best of the single best trial and the ensembles over the leaderboard, by
  // out-of-fold score; `predictions` and `score` receive the chosen model's.
  ChosenModel ChooseModel(const std::vector<const TrialRecord*>& eligible,
                          nlohmann::json& ensembles, std::vector<double>& predictions,
                          double& score);
  // Each line starts with the seconds since the run began: "[12.3 s] chosen: ...".
  void Log(const std::string& line) const {
    if (!env_.log) return;
    char prefix[32];
    std::snprintf(prefix, sizeof prefix, "[%.1f s] ", Seconds(Clock::now() - start_));
    env_.log(prefix + line);
  }
  void Progress(int percent, const std::string& message) const {
    if (env_.progress) env_.progress(std::clamp(percent, 0, 100), message);
  }

  const Frame& frame_;
  const TrainingSpec& spec_;
  const AutoMlEnvironment& env_;
  const LearnerRegistry& learners_;
  Clock::time_point start_, search_until_, finish_by_;

  Task task_ = Task::kRegression;
  Metric metric_ = Metric::kRmse;
  Target target_;
  Frame data_;
  std::unique_ptr<TrialRunner> runner_;
  std::vector<const Learner*> active_;
  std::map<const Learner*, std::unique_ptr<Sampler>> samplers_;
  std::set<const Learner*> exhausted_;
  std::map<const Learner*, int> skipped_;       // trials left out for memory
  std::map<const Learner*, int> skipped_time_;  // trials left out for time
  size_t next_learner_ = 0;
  int parallel_ = 1;
  int trial_threads_ = 1;
  std::vector<TrialRecord> trials_;
};

}  // namespace aimass::train::automl_internal
