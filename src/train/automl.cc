#include "train/automl.h"

#include <algorithm>
#include <cmath>
#include <future>
#include <map>
#include <set>

#include "train/ensemble.h"
#include "train/evaluation.h"
#include "train/refit.h"
#include "train/search/halving.h"

namespace aimass::train {
namespace {

using Clock = std::chrono::steady_clock;

// Share of the budget kept for ensembles and the final refit.
constexpr double kFinishShare = 0.15;
// Below this many rows x features, trials run side by side with one thread each; above it,
// one at a time with every thread (XGBoost then uses the threads well).
constexpr double kSmallTrialCells = 2e6;
constexpr int kEnsembleCandidates = 10;
constexpr int kBags = 5;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

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
    search_until_ = start_ + std::chrono::duration_cast<Clock::duration>(budget * (1 - kFinishShare));
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
  // Whether some learner's typical trial still fits before the search's share of the
  // budget ends.
  bool SearchTimeLeft() const;
  // The median seconds of a learner's trials so far, scaled to every row (0 before any; all
  // learners when null).
  double ExpectedSeconds(const Learner* learner) const;
  bool Fits(double seconds) const;
  // Whether a trial of `learner` with `params` fits the memory allowance on the training
  // rows of a fold (each of the `parallel_` trials running side by side gets its share);
  // logs the trial that is skipped.
  bool FitsInMemory(const Learner& learner, const nlohmann::json& params);
  const Learner* NextLearner();
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
  std::map<const Learner*, int> skipped_;  // trials left out for memory
  size_t next_learner_ = 0;
  int parallel_ = 1;
  int trial_threads_ = 1;
  std::vector<TrialRecord> trials_;
};

Status AutoMlRun::Setup() {
  const FrameColumn* column = frame_.Find(spec_.target);
  if (column == nullptr) {
    return Fail(ErrorCode::kInvalidArgument, "target column '" + spec_.target +
                                                 "' is not in the dataset; its columns are: " +
                                                 frame_.ColumnList());
  }
  if (spec_.task) {
    task_ = *spec_.task;
    Log("task: " + std::string(TaskName(task_)) + " (given)");
  } else {
    AIMASS_ASSIGN_OR_RETURN(TaskGuess guess, DetectTask(*column));
    task_ = guess.task;
    Log("task: " + std::string(TaskName(task_)) + " (" + guess.reason + ")");
  }
  AIMASS_ASSIGN_OR_RETURN(target_, ExtractTarget(frame_, spec_.target, task_));
  if (target_.missing > 0) {
    Log(std::to_string(target_.missing) + " rows have no '" + spec_.target +
        "' and are left out");
  }
  data_ = TakeRows(frame_, target_.rows);
  if (spec_.metric.empty()) {
    metric_ = DefaultMetric(task_);
  } else {
    AIMASS_ASSIGN_OR_RETURN(metric_, ParseMetric(spec_.metric, task_));
  }
  std::vector<std::string> names = spec_.learners;
  if (names.empty()) {
    // Boosting first (usually the best), then the cheap linear model, then the forest; any
    // other registered learner after them.
    names = {"xgboost", "linear", "rf"};
    for (const auto& name : learners_.Names()) {
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
    std::erase_if(names, [&](const std::string& name) { return !learners_.Find(name); });
  }
  for (const auto& name : names) {
    AIMASS_ASSIGN_OR_RETURN(const Learner* learner, learners_.Get(name));
    if (!learner->Supports(task_)) {
      Log("learner " + name + " does not do " + std::string(TaskName(task_)) + "; left out");
      continue;
    }
    active_.push_back(learner);
  }
  if (active_.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "none of the learners given can do " + std::string(TaskName(task_)));
  }
  const int64_t rows = data_.rows;
  std::vector<Fold> folds;
  const bool classification = IsClassification(task_);
  if (spec_.holdout) {
    std::optional<std::span<const float>> labels;
    if (classification) labels = std::span<const float>(target_.labels);
    AIMASS_ASSIGN_OR_RETURN(Fold fold, Holdout(rows, *spec_.holdout, spec_.seed, labels));
    folds.push_back(std::move(fold));
    Log("validation: holdout of " + std::to_string(folds[0].valid.size()) + " rows");
  } else if (classification) {
    AIMASS_ASSIGN_OR_RETURN(folds, StratifiedKFold(target_.labels, spec_.cv_folds, spec_.seed,
                                                   target_.classes));
    Log("validation: stratified " + std::to_string(spec_.cv_folds) + "-fold");
  } else {
    AIMASS_ASSIGN_OR_RETURN(folds, KFold(rows, spec_.cv_folds, spec_.seed));
    Log("validation: " + std::to_string(spec_.cv_folds) + "-fold");
  }
  // The fold matrices live for the whole run: refuse what cannot fit rather than be killed.
  const double fold_bytes = static_cast<double>(rows) * static_cast<double>(frame_.columns.size()) *
                            4.0 * 2 * static_cast<double>(folds.size());
  if (fold_bytes > 4.0 * static_cast<double>(env_.memory_limit_bytes)) {
    return Fail(ErrorCode::kInvalidArgument,
                "the fold matrices of " + std::to_string(rows) + " rows would need about " +
                    std::to_string(static_cast<int64_t>(fold_bytes / 1e6)) +
                    " MB; use --holdout 0.2 instead of cross-validation, or fewer rows");
  }
  runner_ = std::make_unique<TrialRunner>(data_, target_, std::move(folds), metric_, spec_.seed,
                                          spec_.exclude);
  std::set<Flavour> flavours;
  for (const auto* learner : active_) flavours.insert(FlavourOf(learner->name()));
  Progress(2, "preprocessing");
  for (Flavour flavour : flavours) {
    AIMASS_RETURN_IF_ERROR(runner_->Prepare(flavour));
  }
  for (const auto& note : runner_->Notes(*flavours.begin())) Log(note);
  const double cells =
      static_cast<double>(rows) * static_cast<double>(runner_->FeatureCount(*flavours.begin()));
  const int threads = std::max(1, spec_.threads.value_or(env_.threads));
  parallel_ = cells < kSmallTrialCells ? threads : 1;
  trial_threads_ = std::max(1, threads / parallel_);
  for (size_t i = 0; i < active_.size(); ++i) {
    samplers_[active_[i]] = MakeSampler(spec_.search, active_[i]->Space(task_), spec_.seed + i);
  }
  Log("metric: " + std::string(MetricName(metric_)) + "; learners: " +
      [&] {
        std::string list;
        for (const auto* learner : active_) list += (list.empty() ? "" : ", ") + std::string(learner->name());
        return list;
      }() +
      "; search: " + std::string(SearchKindName(spec_.search)) + "; " +
      std::to_string(parallel_) + " trial(s) at a time");
  return Ok();
}

double AutoMlRun::ExpectedSeconds(const Learner* learner) const {
  std::vector<double> times;
  for (const auto& trial : trials_) {
    if (trial.ok() && (learner == nullptr || trial.learner == learner->name())) {
      times.push_back(trial.seconds / trial.row_fraction);
    }
  }
  if (times.empty()) return 0;
  std::nth_element(times.begin(), times.begin() + times.size() / 2, times.end());
  return times[times.size() / 2];
}

bool AutoMlRun::Fits(double seconds) const {
  return Clock::now() + std::chrono::duration_cast<Clock::duration>(
                            std::chrono::duration<double>(seconds)) < search_until_;
}

bool AutoMlRun::FitsInMemory(const Learner& learner, const nlohmann::json& params) {
  TrainOptions options;
  options.task = task_;
  options.num_classes = IsClassification(task_) ? runner_->width() : 0;
  options.threads = trial_threads_;
  const int64_t rows = static_cast<int64_t>(runner_->folds()[0].train.size());
  const int64_t needed = learner.EstimateMemory(
      rows, runner_->FeatureCount(FlavourOf(learner.name())), params, options);
  const int64_t allowed = env_.memory_limit_bytes / std::max(1, parallel_);
  if (needed <= allowed) return true;
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
  const TrialRecord* best = nullptr;
  for (const auto& trial : trials_) {
    if (!trial.ok() || trial.row_fraction < 1) continue;
    const bool better = best == nullptr || (HigherIsBetter(metric_) ? trial.score > best->score
                                                                    : trial.score < best->score);
    if (better) best = &trial;
  }
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
  for (size_t i = 0; i < batch.size(); ++i) {
    running.push_back(std::async(std::launch::async, [&, i] {
      return runner_->Run(first_id + static_cast<int>(i), *batch[i].first, batch[i].second,
                          shape, trial_threads_, deadline, stop);
    }));
  }
  for (size_t i = 0; i < running.size(); ++i) {
    TrialRecord record = running[i].get();
    if (Stopped()) return Fail(ErrorCode::kCancelled, "training was cancelled");
    if (record.ok()) {
      samplers_[batch[i].first]->Report(record.params,
                                        HigherIsBetter(metric_) ? -record.score : record.score);
    }
    if (env_.trial_finished) env_.trial_finished(record, metric_);
    trials_.push_back(std::move(record));
  }
  const double elapsed = Seconds(Clock::now() - start_);
  const TrialRecord* best = nullptr;
  for (const auto& trial : trials_) {
    if (!trial.ok() || trial.row_fraction < 1) continue;
    if (best == nullptr ||
        (HigherIsBetter(metric_) ? trial.score > best->score : trial.score < best->score)) {
      best = &trial;
    }
  }
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
        ranked.push_back({HigherIsBetter(metric_) ? -trials_[t].score : trials_[t].score, t - first});
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

ChosenModel AutoMlRun::ChooseModel(const std::vector<const TrialRecord*>& eligible,
                                   nlohmann::json& ensembles, std::vector<double>& predictions,
                                   double& best) {
  ChosenModel chosen;
  chosen.members = {eligible[0]};
  best = eligible[0]->score;
  predictions = eligible[0]->predictions;
  const auto better = [&](double score) {
    return HigherIsBetter(metric_) ? score > best : score < best;
  };
  // Distinct configurations only, the best few.
  std::vector<EnsembleMember> members;
  std::vector<const TrialRecord*> member_trials;
  std::set<std::string> seen;
  for (const auto* trial : eligible) {
    if (static_cast<int>(members.size()) >= kEnsembleCandidates) break;
    if (!seen.insert(trial->learner + trial->params.dump()).second) continue;
    members.push_back({trial->id, &trial->predictions});
    member_trials.push_back(trial);
  }
  const auto trial_by_id = [&](int id) {
    for (const auto* trial : member_trials) {
      if (trial->id == id) return trial;
    }
    return member_trials[0];
  };
  ScoringContext context{task_, metric_, runner_->width(), runner_->ValidationLabels()};
  const EnsembleMode mode = spec_.ensemble;
  const auto wants = [&](EnsembleMode kind) {
    return mode == kind || mode == EnsembleMode::kAuto;
  };
  if (members.size() >= 2 && wants(EnsembleMode::kVoting)) {
    if (auto voting = SelectVoting(members, context)) {
      ensembles.push_back({{"kind", "voting"}, {"trials", voting->trial_ids},
                           {"weights", voting->weights}, {"score", voting->score}});
      Log("voting over trials " + nlohmann::json(voting->trial_ids).dump() + ": " +
          std::to_string(voting->score));
      if (voting->trial_ids.size() > 1 && better(voting->score)) {
        best = voting->score;
        chosen = {};
        chosen.combination = "voting";
        for (int id : voting->trial_ids) chosen.members.push_back(trial_by_id(id));
        chosen.weights = voting->weights;
        predictions = std::move(voting->predictions);
      }
    }
  }
  if (members.size() >= 2 && wants(EnsembleMode::kStacking) && Clock::now() < finish_by_) {
    const std::vector<EnsembleMember> top(members.begin(),
                                          members.begin() + std::min<size_t>(members.size(), 5));
    const Learner* linear = learners_.Find("linear");
    const int folds = std::min<int>(5, static_cast<int>(context.labels.size() / 20));
    if (linear != nullptr && folds >= 2) {
      if (auto stacking = FitStacking(top, context, *linear, folds, spec_.seed)) {
        ensembles.push_back({{"kind", "stacking"}, {"trials", stacking->trial_ids},
                             {"score", stacking->score}});
        Log("stacking over trials " + nlohmann::json(stacking->trial_ids).dump() + ": " +
            std::to_string(stacking->score));
        if (better(stacking->score)) {
          best = stacking->score;
          chosen = {};
          chosen.combination = "stacking";
          for (int id : stacking->trial_ids) chosen.members.push_back(trial_by_id(id));
          chosen.stacker = std::move(stacking->stacker);
          chosen.stacker_params = stacking->stacker_params;
          predictions = std::move(stacking->predictions);
        }
      }
    }
  }
  // Bagging retrains the best configuration kBags times per fold: only when that fits in
  // what is left before the refit's share of the budget, and discarded if it runs over.
  const auto bagging_until = finish_by_ - std::chrono::duration_cast<Clock::duration>(
                                              (finish_by_ - start_) * kFinishShare / 2);
  const double cost = 1.5 * kBags * eligible[0]->seconds * std::max(1, parallel_);
  if (wants(EnsembleMode::kBagging) &&
      (mode == EnsembleMode::kBagging || Seconds(bagging_until - Clock::now()) > cost)) {
    const TrialRecord& base = *eligible[0];
    auto learner = learners_.Get(base.learner);
    if (learner) {
      const bool forced = mode == EnsembleMode::kBagging;
      TrialRecord bagged = runner_->Run(
          static_cast<int>(trials_.size()) + 1, **learner, base.params, {1, kBags},
          std::max(1, trial_threads_ * parallel_), forced ? finish_by_ : bagging_until,
          env_.should_stop);
      if (!forced && Clock::now() >= bagging_until) {
        Log("bagging ran out of time; left out");
      } else if (bagged.ok()) {
        ensembles.push_back({{"kind", "bagging"}, {"trials", {base.id}}, {"bags", kBags},
                             {"score", bagged.score}});
        Log("bagging trial " + std::to_string(base.id) + " x" + std::to_string(kBags) + ": " +
            std::to_string(bagged.score));
        if (better(bagged.score)) {
          best = bagged.score;
          predictions = std::move(bagged.predictions);
          chosen = {};
          chosen.combination = "bagging";
          chosen.members = {&base};
          chosen.bags = kBags;
        }
      }
    }
  }
  return chosen;
}

Result<AutoMlResult> AutoMlRun::Go() {
  Progress(1, "reading the data");
  AIMASS_RETURN_IF_ERROR(Setup());
  AIMASS_RETURN_IF_ERROR(Search());
  std::vector<const TrialRecord*> eligible;
  for (const auto& trial : trials_) {
    if (trial.ok() && trial.row_fraction == 1) eligible.push_back(&trial);
  }
  const bool higher = HigherIsBetter(metric_);
  if (eligible.empty()) {
    // The budget ended before a halving bracket reached every row: the best early-rung
    // configuration trains on all of them.
    const TrialRecord* best = nullptr;
    for (const auto& trial : trials_) {
      if (trial.ok() && (best == nullptr || (higher ? trial.score > best->score
                                                    : trial.score < best->score))) {
        best = &trial;
      }
    }
    if (best != nullptr) {
      AIMASS_ASSIGN_OR_RETURN(const Learner* learner, learners_.Get(best->learner));
      const nlohmann::json params = best->params;
      AIMASS_RETURN_IF_ERROR(RunBatch({{learner, params}}, {}, /*must_finish=*/true));
      if (trials_.back().ok()) eligible.push_back(&trials_.back());
    }
  }
  std::stable_sort(eligible.begin(), eligible.end(), [&](const auto* a, const auto* b) {
    return higher ? a->score > b->score : a->score < b->score;
  });
  if (eligible.empty()) {
    std::string why = trials_.empty() ? "no trial ran" : trials_.back().status;
    if (trials_.empty() && !skipped_.empty()) {
      why = "every trial would need more memory than the " +
            std::to_string(env_.memory_limit_bytes >> 20) +
            " MiB allowed; use fewer rows or columns (a transform), or --holdout";
    }
    return Fail(ErrorCode::kInvalidArgument,
                "no model could be trained (" + why + "); check the data, or give a larger "
                "--budget");
  }
  Progress(86, "ensembles");
  AutoMlResult result;
  nlohmann::json ensembles = nlohmann::json::array();
  std::vector<double> predictions;
  ChosenModel chosen = ChooseModel(eligible, ensembles, predictions, result.score);
  if (Stopped()) return Fail(ErrorCode::kCancelled, "training was cancelled");
  result.chosen = chosen.combination == "single"
                      ? "trial " + std::to_string(chosen.members[0]->id) + " (" +
                            chosen.members[0]->learner + ")"
                      : chosen.combination + " of trial(s)";
  if (chosen.combination != "single") {
    for (const auto* member : chosen.members) result.chosen += " " + std::to_string(member->id);
  }
  Log("chosen: " + result.chosen + ", out-of-fold " + std::string(MetricName(metric_)) + " " +
      std::to_string(result.score));

  AIMASS_ASSIGN_OR_RETURN(result.evaluation,
                          Evaluate(task_, target_.classes, runner_->ValidationLabels(),
                                   predictions, runner_->width(), spec_.seed));
  Progress(90, "training the final model on every row");
  RefitContext refit;
  refit.data = &data_;
  refit.target = &target_;
  refit.learners = &learners_;
  refit.seed = spec_.seed;
  refit.exclude = spec_.exclude;
  refit.threads = std::max(1, trial_threads_ * parallel_);
  // Within the budget + 10%, but never so tight that the final model gets no rounds.
  refit.deadline = std::max(finish_by_ + (finish_by_ - start_) / 10,
                            Clock::now() + std::chrono::seconds(2));
  refit.should_stop = env_.should_stop;
  refit.log = [this](const std::string& line) { Log(line); };
  nlohmann::json extra = {{"metric", MetricName(metric_)},
                          {"score", result.score},
                          {"chosen", result.chosen}};
  AIMASS_ASSIGN_OR_RETURN(result.pipeline, Refit(chosen, refit, extra));
  Log("final model trained on all " + std::to_string(data_.rows) + " rows");

  // Importance from the first member's model, named by its preprocessor's features.
  const auto& member = result.pipeline->parts().members.at(0);
  const auto names = result.pipeline->parts().preprocessors.at(member.flavour)->FeatureNames();
  const auto importance = member.model->Importance();
  double total = 0;
  for (double value : importance) total += value;
  std::vector<std::pair<double, std::string>> ranked;
  for (size_t i = 0; i < importance.size() && i < names.size(); ++i) {
    ranked.push_back({importance[i] / (total > 0 ? total : 1), names[i]});
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  result.importance = nlohmann::json::array();
  for (size_t i = 0; i < ranked.size() && i < 50; ++i) {
    result.importance.push_back({{"feature", ranked[i].second}, {"importance", ranked[i].first}});
  }

  result.task = task_;
  result.metric = metric_;
  result.classes = target_.classes;
  result.leaderboard = nlohmann::json::array();
  for (const auto* trial : eligible) result.leaderboard.push_back(trial->ToJson(metric_));
  for (auto& ensemble : ensembles) {
    ensemble["learner"] = "ensemble";
    ensemble["metric"] = MetricName(metric_);
    result.leaderboard.push_back(std::move(ensemble));
  }
  std::stable_sort(result.leaderboard.begin(), result.leaderboard.end(),
                   [&](const nlohmann::json& a, const nlohmann::json& b) {
                     return higher ? a["score"].get<double>() > b["score"].get<double>()
                                   : a["score"].get<double>() < b["score"].get<double>();
                   });
  for (const auto& trial : trials_) {
    if (!trial.ok() || trial.row_fraction < 1) result.leaderboard.push_back(trial.ToJson(metric_));
  }
  result.trials = std::move(trials_);
  result.seconds = Seconds(Clock::now() - start_);
  Progress(99, "done");
  return result;
}

}  // namespace

Result<AutoMlResult> RunAutoMl(const Frame& frame, const TrainingSpec& spec,
                               const AutoMlEnvironment& environment) {
  try {
    AutoMlRun run(frame, spec, environment);
    return run.Go();
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kInternal, std::string("training failed: ") + e.what());
  }
}

}  // namespace aimass::train
