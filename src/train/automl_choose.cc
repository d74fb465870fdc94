// The model an AutoML run keeps: the best trial, or an ensemble over the leaderboard
// (voting, stacking, bagging) when it beats that trial out of fold.
#include <cmath>

#include "train/automl_run.h"
#include "train/ensemble.h"

namespace aimass::train::automl_internal {

bool AutoMlRun::RefitFits(const std::string& kind, const std::vector<const TrialRecord*>& members,
                          int bags) const {
  if (spec_.ensemble != EnsembleMode::kAuto) return true;  // asked for: the refit deadline rules
  const double folds = static_cast<double>(runner_->folds().size());
  const double share = static_cast<double>(data_.rows) /
                       static_cast<double>(std::max<size_t>(1, runner_->folds()[0].train.size()));
  double seconds = 0;
  for (const auto* member : members) seconds += member->seconds / folds * share * 1.1 * bags;
  const double left = Seconds(finish_by_ - Clock::now());
  if (seconds <= left) return true;
  Log(kind + " left out: refitting its " + std::to_string(members.size() * bags) +
      " model(s) would take about " + std::to_string(static_cast<int>(std::ceil(seconds))) +
      " s, and " + std::to_string(static_cast<int>(std::max(0.0, left))) + " s are left");
  return false;
}

ChosenModel AutoMlRun::ChooseModel(const std::vector<const TrialRecord*>& eligible,
                                   nlohmann::json& ensembles, std::vector<double>& predictions,
                                   double& best) {
  ChosenModel chosen;
  chosen.members = {eligible[0]};
  best = eligible[0]->score;
  predictions = eligible[0]->predictions;
  const auto better = [&](double score) { return Better(score, best); };
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
  const auto wants = [&](EnsembleMode kind) { return mode == kind || mode == EnsembleMode::kAuto; };
  if (members.size() >= 2 && wants(EnsembleMode::kVoting)) {
    if (auto voting = SelectVoting(members, context)) {
      ensembles.push_back({{"kind", "voting"},
                           {"trials", voting->trial_ids},
                           {"weights", voting->weights},
                           {"score", voting->score}});
      Log("voting over trials " + nlohmann::json(voting->trial_ids).dump() + ": " +
          std::to_string(voting->score));
      std::vector<const TrialRecord*> voters;
      for (int id : voting->trial_ids) voters.push_back(trial_by_id(id));
      if (voting->trial_ids.size() > 1 && better(voting->score) && RefitFits("voting", voters, 1)) {
        best = voting->score;
        chosen = {};
        chosen.combination = "voting";
        chosen.members = voters;
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
        ensembles.push_back(
            {{"kind", "stacking"}, {"trials", stacking->trial_ids}, {"score", stacking->score}});
        Log("stacking over trials " + nlohmann::json(stacking->trial_ids).dump() + ": " +
            std::to_string(stacking->score));
        std::vector<const TrialRecord*> stacked;
        for (int id : stacking->trial_ids) stacked.push_back(trial_by_id(id));
        if (better(stacking->score) && RefitFits("stacking", stacked, 1)) {
          best = stacking->score;
          chosen = {};
          chosen.combination = "stacking";
          chosen.members = stacked;
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
      TrialRecord bagged =
          runner_->Run(static_cast<int>(trials_.size()) + 1, **learner, base.params, {1, kBags},
                       std::max(1, trial_threads_ * parallel_), forced ? finish_by_ : bagging_until,
                       env_.should_stop);
      if (!forced && Clock::now() >= bagging_until) {
        Log("bagging ran out of time; left out");
      } else if (bagged.ok()) {
        ensembles.push_back(
            {{"kind", "bagging"}, {"trials", {base.id}}, {"bags", kBags}, {"score", bagged.score}});
        Log("bagging trial " + std::to_string(base.id) + " x" + std::to_string(kBags) + ": " +
            std::to_string(bagged.score));
        if (better(bagged.score) && RefitFits("bagging", {&base}, kBags)) {
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

}  // namespace aimass::train::automl_internal
