#include "train/automl.h"

#include <cmath>
#include <cstdio>

#include "train/automl_run.h"
#include "train/calibration.h"
#include "train/evaluation.h"

namespace aimass::train {
namespace automl_internal {

Status AutoMlRun::Setup() {
  const FrameColumn* column = frame_.Find(spec_.target);
  if (column == nullptr) {
    return Fail(ErrorCode::kInvalidArgument,
                "target column '" + spec_.target +
                    "' is not in the dataset; its columns are: " + frame_.ColumnList());
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
    Log(std::to_string(target_.missing) + " rows have no '" + spec_.target + "' and are left out");
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
    AIMASS_ASSIGN_OR_RETURN(
        folds, StratifiedKFold(target_.labels, spec_.cv_folds, spec_.seed, target_.classes));
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
        for (const auto* learner : active_)
          list += (list.empty() ? "" : ", ") + std::string(learner->name());
        return list;
      }() +
      "; search: " + std::string(SearchKindName(spec_.search)) + "; " + std::to_string(parallel_) +
      " trial(s) at a time");
  return Ok();
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
      if (trial.ok() && (best == nullptr || Better(trial.score, best->score))) best = &trial;
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
    return Fail(ErrorCode::kInvalidArgument, "no model could be trained (" + why +
                                                 "); check the data, or give a larger "
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
  if (IsClassification(task_)) {
    // Probabilities that are too timid or too sure get a temperature; classes and ranks stay.
    const Temperature temperature =
        FitTemperature(predictions, runner_->ValidationLabels(), runner_->width());
    if (temperature.value != 1) {
      chosen.temperature = temperature.value;
      ApplyTemperature(predictions, runner_->width(), temperature.value);
      if (metric_ == Metric::kLogLoss) result.score = temperature.after;
      char line[160];
      std::snprintf(line, sizeof line,
                    "calibrated: temperature %.3f, out-of-fold log loss %.5f -> %.5f",
                    temperature.value, temperature.before, temperature.after);
      Log(line);
    }
  }

  AIMASS_ASSIGN_OR_RETURN(result.evaluation,
                          Evaluate(task_, target_.classes, runner_->ValidationLabels(), predictions,
                                   runner_->width(), spec_.seed));
  Progress(90, "training the final model on every row");
  RefitContext refit;
  refit.data = &data_;
  refit.target = &target_;
  refit.learners = &learners_;
  refit.seed = spec_.seed;
  refit.exclude = spec_.exclude;
  refit.threads = std::max(1, trial_threads_ * parallel_);
  // Within the budget + 10%, but never so tight that the final model gets no rounds.
  refit.deadline =
      std::max(finish_by_ + (finish_by_ - start_) / 10, Clock::now() + std::chrono::seconds(2));
  refit.should_stop = env_.should_stop;
  refit.log = [this](const std::string& line) { Log(line); };
  nlohmann::json extra = {
      {"metric", MetricName(metric_)}, {"score", result.score}, {"chosen", result.chosen}};
  if (chosen.temperature != 1) extra["temperature"] = chosen.temperature;
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

}  // namespace automl_internal

Result<AutoMlResult> RunAutoMl(const Frame& frame, const TrainingSpec& spec,
                               const AutoMlEnvironment& environment) {
  try {
    automl_internal::AutoMlRun run(frame, spec, environment);
    return run.Go();
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kInternal, std::string("training failed: ") + e.what());
  }
}

}  // namespace aimass::train
