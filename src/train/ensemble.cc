#include "train/ensemble.h"

#include <algorithm>
#include <cmath>

#include "train/splits.h"

namespace aimass::train {
namespace {

// True when `a` is a better score than `b` for the metric.
bool Better(Metric metric, double a, double b) { return HigherIsBetter(metric) ? a > b : a < b; }

Result<double> ScoreOf(const ScoringContext& context, std::span<const double> predictions) {
  return Score(context.metric, context.task, context.labels, predictions, context.width);
}

}  // namespace

std::vector<double> Blend(std::span<const std::vector<double>* const> predictions,
                          std::span<const double> weights) {
  std::vector<double> out(predictions.empty() ? 0 : predictions[0]->size(), 0.0);
  for (size_t m = 0; m < predictions.size(); ++m) {
    const auto& p = *predictions[m];
    for (size_t i = 0; i < out.size(); ++i) out[i] += weights[m] * p[i];
  }
  return out;
}

Result<VotingPlan> SelectVoting(std::span<const EnsembleMember> members,
                                const ScoringContext& context, int rounds) {
  if (members.size() < 2) {
    return Fail(ErrorCode::kInvalidArgument, "voting needs at least two models");
  }
  const size_t size = members[0].predictions->size();
  std::vector<double> sum(size, 0.0), candidate(size);
  std::vector<int> picks(members.size(), 0);
  int picked = 0;
  double current = 0;
  for (int round = 0; round < rounds; ++round) {
    int best = -1;
    double best_score = 0;
    for (size_t m = 0; m < members.size(); ++m) {
      const auto& p = *members[m].predictions;
      for (size_t i = 0; i < size; ++i) candidate[i] = (sum[i] + p[i]) / (picked + 1);
      AIMASS_ASSIGN_OR_RETURN(double score, ScoreOf(context, candidate));
      if (best < 0 || Better(context.metric, score, best_score)) {
        best = static_cast<int>(m);
        best_score = score;
      }
    }
    if (picked > 0 && !Better(context.metric, best_score, current)) break;
    const auto& p = *members[static_cast<size_t>(best)].predictions;
    for (size_t i = 0; i < size; ++i) sum[i] += p[i];
    ++picks[static_cast<size_t>(best)];
    ++picked;
    current = best_score;
  }
  VotingPlan plan;
  std::vector<const std::vector<double>*> used;
  for (size_t m = 0; m < members.size(); ++m) {
    if (picks[m] == 0) continue;
    plan.trial_ids.push_back(members[m].trial_id);
    plan.weights.push_back(static_cast<double>(picks[m]) / picked);
    used.push_back(members[m].predictions);
  }
  plan.predictions = Blend(used, plan.weights);
  plan.score = current;
  return plan;
}

Matrix StackingFeatures(std::span<const std::vector<double>* const> predictions, Task task,
                        int width) {
  const int per_member = task == Task::kBinary ? 1 : width;
  Matrix features;
  features.rows = predictions.empty() ? 0 : static_cast<int64_t>(predictions[0]->size()) / width;
  features.cols = static_cast<int64_t>(predictions.size()) * per_member;
  features.values.resize(static_cast<size_t>(features.rows * features.cols));
  for (int64_t r = 0; r < features.rows; ++r) {
    for (size_t m = 0; m < predictions.size(); ++m) {
      const double* row = predictions[m]->data() + r * width;
      for (int c = 0; c < per_member; ++c) {
        double value = row[task == Task::kBinary ? 1 : c];
        if (task == Task::kBinary) {
          const double p = std::clamp(value, 1e-6, 1 - 1e-6);
          value = std::log(p / (1 - p));
        }
        features.values[static_cast<size_t>(r * features.cols) + m * per_member + c] =
            static_cast<float>(value);
      }
    }
  }
  return features;
}

Result<StackingPlan> FitStacking(std::span<const EnsembleMember> members,
                                 const ScoringContext& context, const Learner& linear, int folds,
                                 uint64_t seed) {
  if (members.size() < 2) {
    return Fail(ErrorCode::kInvalidArgument, "stacking needs at least two models");
  }
  std::vector<const std::vector<double>*> predictions;
  StackingPlan plan;
  for (const auto& member : members) {
    predictions.push_back(member.predictions);
    plan.trial_ids.push_back(member.trial_id);
  }
  const Matrix features = StackingFeatures(predictions, context.task, context.width);
  TrainOptions options;
  options.task = context.task;
  options.num_classes = IsClassification(context.task) ? context.width : 0;
  options.seed = seed;
  plan.stacker_params = {{"C", 1.0}};
  AIMASS_ASSIGN_OR_RETURN(auto split, KFold(features.rows, folds, seed));
  plan.predictions.assign(context.labels.size() * static_cast<size_t>(context.width), 0.0);
  for (const auto& fold : split) {
    const Matrix train = TakeRows(features, fold.train);
    std::vector<float> labels;
    for (int64_t row : fold.train) labels.push_back(context.labels[static_cast<size_t>(row)]);
    AIMASS_ASSIGN_OR_RETURN(auto model,
                            linear.Train({&train, labels, {}}, plan.stacker_params, options));
    AIMASS_ASSIGN_OR_RETURN(auto predicted, model->Predict(TakeRows(features, fold.valid)));
    for (size_t i = 0; i < fold.valid.size(); ++i) {
      std::copy_n(predicted.begin() + static_cast<int64_t>(i) * context.width, context.width,
                  plan.predictions.begin() + fold.valid[i] * context.width);
    }
  }
  AIMASS_ASSIGN_OR_RETURN(plan.score, ScoreOf(context, plan.predictions));
  AIMASS_ASSIGN_OR_RETURN(plan.stacker, linear.Train({&features, context.labels, {}},
                                                     plan.stacker_params, options));
  return plan;
}

}  // namespace aimass::train
