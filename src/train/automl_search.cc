// The search loop of an AutoML run: which learner goes next, batches of trials side by
// side, the time and memory each may take, and successive halving.
#include <cmath>
#include <future>
#include <numeric>

#include "train/automl_run.h"
#include "train/search/halving.h"

namespace aimass::train::automl_internal {

TrainOptions AutoMlRun::TrialOptions() const {
  TrainOptions options;
  options.task = task_;
  options.num_classes = IsClassification(task_) ? runner_->width() : 0;
  options.threads = trial_threads_;
  return options;
}

double AutoMlRun::ExpectedSeconds(const Learner* learner, const nlohmann::json* params) const {
  const int64_t rows = static_cast<int64_t>(runner_->folds()[0].train.size());
  const TrainOptions options = TrialOptions();
  std::vector<double> times;
  for (const auto& trial : trials_) {
    if (!trial.ok() || (learner != nullptr && trial.learner != learner->name())) continue;
    double seconds = trial.seconds / trial.row_fraction;
    if (params != nullptr) seconds /= std::max(1e-9, learner->Cost(rows, trial.params, options));
    times.push_back(seconds);
  }
  if (times.empty()) return 0;
  std::nth_element(times.begin(), times.begin() + times.size() / 2, times.end());
  const double median = times[times.size() / 2];
  return params == nullptr ? median : median * learner->Cost(rows, *params, options);
}

const TrialRecord* AutoMlRun::BestFullTrial() const {
  const TrialRecord* best = nullptr;
  for (const auto& trial : trials_) {
    if (!trial.ok() || trial.row_fraction < 1) continue;
    if (best == nullptr || Better(trial.score, best->score)) best = &trial;
  }
  return best;
}

bool AutoMlRun::Fits(double seconds) const {
  return Clock::now() +
             std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds)) <
         search_until_;
}

TrialRunner::PruneCheck AutoMlRun::MakePruneCheck() const {
  const size_t folds = runner_->folds().size();
  std::vector<std::vector<double>> done;  // fold scores of the trials that ran every fold
  for (const auto& trial : trials_) {
    if (trial.ok() && trial.row_fraction == 1 && trial.bags == 1 &&
        trial.fold_scores.size() == folds) {
      done.push_back(trial.fold_scores);
    }
  }
  if (folds < 3 || static_cast<int>(done.size()) < kPruneAfterTrials) return nullptr;
  const bool higher = HigherIsBetter(metric_);
  const Metric metric = metric_;
  return [done = std::move(done), higher, metric](const std::vector<double>& scores) {
    const size_t seen = scores.size();
    if (seen < 2) return std::string();
    const auto loss = [&](const std::vector<double>& fold_scores) {
      double sum = 0;
      for (size_t f = 0; f < seen; ++f) sum += fold_scores[f];
      return higher ? 1 - sum / seen : sum / seen;
    };
    const double mine = loss(scores);
    if (!std::isfinite(mine)) return std::string();
    std::vector<double> others;
    for (const auto& fold_scores : done) {
      if (const double other = loss(fold_scores); std::isfinite(other)) others.push_back(other);
    }
    if (others.empty()) return std::string();
    std::sort(others.begin(), others.end());
    const double best = others.front();
    const double median = others[others.size() / 2];
    if (mine <= best * kPruneMargin || mine <= median) return std::string();
    char why[160];
    std::snprintf(why, sizeof why, "its first %zu folds scored %s %.5g, the best trial's %.5g",
                  seen, std::string(MetricName(metric)).c_str(), higher ? 1 - mine : mine,
                  higher ? 1 - best : best);
    return std::string(why);
  };
}

bool AutoMlRun::FitsInMemory(const Learner& learner, nlohmann::json& params) {
  const TrainOptions options = TrialOptions();
  const int64_t rows = static_cast<int64_t>(runner_->folds()[0].train.size());
  const int64_t cols = runner_->FeatureCount(FlavourOf(learner.name()));
  const int64_t allowed = env_.memory_limit_bytes / std::max(1, parallel_);
  int64_t needed = learner.EstimateMemory(rows, cols, params, options);
  if (needed <= allowed) return true;
  // Fewer trees (or boosting rounds) first: the model is often what does not fit.
  if (params.contains("n_estimators") && params["n_estimators"].is_number_integer()) {
    const int64_t asked = params["n_estimators"].get<int64_t>();
    const auto spec = learner.Space(task_);
    int64_t lowest = 1;
    for (const auto& param : spec) {
      if (param.name == "n_estimators") lowest = static_cast<int64_t>(param.low);
    }
    nlohmann::json shrunk = params;
    for (int64_t trees = asked; trees > lowest;) {
      trees = std::max(lowest, trees / 2);
      shrunk["n_estimators"] = trees;
      if (learner.EstimateMemory(rows, cols, shrunk, options) <= allowed) {
        Log("shrank a " + std::string(learner.name()) + " trial from " + std::to_string(asked) +
            " to " + std::to_string(trees) + " trees to fit the " + std::to_string(allowed >> 20) +
            " MiB each trial may use");
        params = std::move(shrunk);
        return true;
      }
    }
  }
  Log("skipped a " + std::string(learner.name()) + " trial: it would need about " +
      std::to_string(needed >> 20) + " MiB, more than the " + std::to_string(allowed >> 20) +
      " MiB each trial may use " + params.dump());
  return false;
}

bool AutoMlRun::SearchTimeLeft() const {
  if (trials_.empty()) return true;  // the first batch always runs: a model at any budget
  double fastest = INFINITY;
  for (const auto* learner : active_) {
    if (!exhausted_.contains(learner)) fastest = std::min(fastest, ExpectedSeconds(learner));
  }
  return std::isfinite(fastest) && Fits(fastest);
}

// The defaults of each learner first; then the best learner so far gets every other trial
// and the rest share the others, in turn.
const Learner* AutoMlRun::NextLearner() {
  std::vector<const Learner*> open;
  for (const auto* learner : active_) {
    if (!exhausted_.contains(learner)) open.push_back(learner);
  }
  if (open.empty()) return nullptr;
  const size_t turn = next_learner_++;
  if (turn < active_.size()) return exhausted_.contains(active_[turn]) ? open[0] : active_[turn];
  const TrialRecord* best = BestFullTrial();
  if (best != nullptr && turn % 2 == 0) {
    for (const auto* learner : open) {
      if (learner->name() == best->learner) return learner;
    }
  }
  return open[(turn / 2) % open.size()];
}

Status AutoMlRun::RunBatch(const std::vector<std::pair<const Learner*, nlohmann::json>>& batch,
                           TrialRunner::Shape shape, bool must_finish) {
  std::vector<std::future<TrialRecord>> running;
  const int first_id = static_cast<int>(trials_.size()) + 1;
  const auto stop = env_.should_stop;
  const auto deadline = trials_.empty() || must_finish ? finish_by_ : search_until_;
  const auto prune =
      shape.row_fraction == 1 && shape.bags == 1 ? MakePruneCheck() : TrialRunner::PruneCheck();
  for (size_t i = 0; i < batch.size(); ++i) {
    running.push_back(std::async(std::launch::async, [&, i] {
      return runner_->Run(first_id + static_cast<int>(i), *batch[i].first, batch[i].second, shape,
                          trial_threads_, deadline, stop, prune);
    }));
  }
  for (size_t i = 0; i < running.size(); ++i) {
    TrialRecord record = running[i].get();
    if (Stopped()) return Fail(ErrorCode::kCancelled, "training was cancelled");
    if (record.ok() || record.pruned()) {  // a pruned trial reports its folds so far
      double score = record.score;
      if (record.pruned()) {
        score = std::accumulate(record.fold_scores.begin(), record.fold_scores.end(), 0.0) /
                static_cast<double>(record.fold_scores.size());
      }
      samplers_[batch[i].first]->Report(record.params, HigherIsBetter(metric_) ? -score : score);
    }
    if (env_.trial_finished) env_.trial_finished(record, metric_);
    trials_.push_back(std::move(record));
  }
  const double elapsed = Seconds(Clock::now() - start_);
  const TrialRecord* best = BestFullTrial();
  char message[128];
  std::snprintf(message, sizeof message, "%zu trials, best %s %.5g (%s)", trials_.size(),
                std::string(MetricName(metric_)).c_str(), best ? best->score : NAN,
                best ? best->learner.c_str() : "none yet");
  Progress(5 + static_cast<int>(80 * elapsed / spec_.budget_seconds), message);
  return Ok();
}

Status AutoMlRun::SearchRandomOrBayes() {
  while (SearchTimeLeft()) {
    if (Stopped()) return Fail(ErrorCode::kCancelled, "training was cancelled");
    std::vector<std::pair<const Learner*, nlohmann::json>> batch;
    while (static_cast<int>(batch.size()) < parallel_) {
      // The first batch holds each learner's defaults only: a sampled configuration waits
      // until its learner's time is known, since some cannot be interrupted.
      if (trials_.empty() && batch.size() >= active_.size()) break;
      if (spec_.max_trials &&
          static_cast<int>(trials_.size() + batch.size()) >= *spec_.max_trials) {
        break;
      }
      const Learner* learner = NextLearner();
      if (learner == nullptr) break;
      if (!trials_.empty() && !Fits(ExpectedSeconds(learner))) {
        exhausted_.insert(learner);  // its trials no longer fit in the search's time
        continue;
      }
      auto params = samplers_[learner]->Next();
      if (!params) {
        exhausted_.insert(learner);
        continue;
      }
      if (!FitsInMemory(*learner, *params)) {
        if (++skipped_[learner] >= 20) exhausted_.insert(learner);  // its space is too big
        continue;
      }
      // A trial that cannot be interrupted must not run past the search's time.
      const double expected = trials_.empty() ? 0 : ExpectedSeconds(learner, &*params);
      if (!Fits(expected)) {
        Log("skipped a " + std::string(learner->name()) + " trial: expected to take " +
            std::to_string(static_cast<int>(std::ceil(expected))) +
            " s, more than the search has left " + params->dump());
        if (++skipped_time_[learner] >= 20) exhausted_.insert(learner);
        continue;
      }
      batch.push_back({learner, std::move(*params)});
    }
    if (batch.empty()) break;
    AIMASS_RETURN_IF_ERROR(RunBatch(batch, {}));
  }
  return Ok();
}

Status AutoMlRun::SearchHalving() {
  const int64_t train_rows = static_cast<int64_t>(runner_->folds()[0].train.size());
  while (SearchTimeLeft()) {
    // One bracket: 9 configurations per learner on a ninth of the rows, the best third on
    // a third of them, the best of those on every row.
    std::vector<std::pair<const Learner*, nlohmann::json>> configs;
    int bracket = 9 * static_cast<int>(active_.size());
    if (spec_.max_trials) {  // a bracket of n configurations runs about 1.5 n trials
      const int left = *spec_.max_trials - static_cast<int>(trials_.size());
      bracket = std::min(bracket, std::max(1, left * 2 / 3));
    }
    for (int i = 0; i < bracket; ++i) {
      const Learner* learner = active_[static_cast<size_t>(i) % active_.size()];
      if (auto params = samplers_[learner]->Next()) configs.push_back({learner, *params});
    }
    const auto schedule = HalvingSchedule(train_rows, static_cast<int>(configs.size()));
    for (const auto& rung : schedule) {
      configs.resize(std::min(configs.size(), static_cast<size_t>(rung.configurations)));
      const size_t first = trials_.size();
      for (size_t i = 0; i < configs.size() && SearchTimeLeft(); i += parallel_) {
        if (spec_.max_trials && static_cast<int>(trials_.size()) >= *spec_.max_trials) break;
        const size_t end = std::min(configs.size(), i + static_cast<size_t>(parallel_));
        AIMASS_RETURN_IF_ERROR(RunBatch({configs.begin() + static_cast<int64_t>(i),
                                         configs.begin() + static_cast<int64_t>(end)},
                                        {rung.row_fraction, 1}));
      }
      // The survivors: this rung's configurations, best first.
      std::vector<std::pair<double, size_t>> ranked;
      for (size_t t = first; t < trials_.size(); ++t) {
        if (!trials_[t].ok()) continue;
        ranked.push_back(
            {HigherIsBetter(metric_) ? -trials_[t].score : trials_[t].score, t - first});
      }
      std::stable_sort(ranked.begin(), ranked.end());
      std::vector<std::pair<const Learner*, nlohmann::json>> survivors;
      for (const auto& [loss, index] : ranked) survivors.push_back(configs[index]);
      configs = std::move(survivors);
      if (configs.empty() || !SearchTimeLeft()) break;
    }
    if (spec_.max_trials && static_cast<int>(trials_.size()) >= *spec_.max_trials) break;
  }
  return Ok();
}

Status AutoMlRun::Search() {
  if (spec_.search == SearchKind::kHalving) return SearchHalving();
  return SearchRandomOrBayes();
}

}  // namespace aimass::train::automl_internal
