#include "train/refit.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>

namespace aimass::train {

nlohmann::json RefitParams(const Learner& learner, Task task, nlohmann::json params,
                           int best_rounds) {
  if (best_rounds <= 0) return params;
  for (const auto& spec : learner.Space(task)) {
    if (spec.name != "n_estimators") continue;
    const double rounds = std::ceil(best_rounds * 1.1);
    params["n_estimators"] = static_cast<int64_t>(std::clamp(rounds, spec.low, spec.high));
  }
  return params;
}

Result<std::shared_ptr<const Pipeline>> Refit(const ChosenModel& chosen,
                                              const RefitContext& context, nlohmann::json extra) {
  const Target& target = *context.target;
  const int64_t rows = context.data->rows;
  std::vector<int64_t> all(static_cast<size_t>(rows));
  for (int64_t r = 0; r < rows; ++r) all[static_cast<size_t>(r)] = r;

  Pipeline::Parts parts;
  parts.task = target.task;
  parts.target = target.column;
  parts.classes = target.classes;
  parts.extra = std::move(extra);
  std::map<std::string, Matrix> features;
  for (const auto* member : chosen.members) {
    const std::string flavour(FlavourName(FlavourOf(member->learner)));
    if (features.contains(flavour)) continue;
    PreprocessOptions options;
    options.for_linear = flavour == "linear";
    options.seed = context.seed;
    options.exclude = context.exclude;
    auto preprocessor = std::make_shared<Preprocessor>();
    AIMASS_ASSIGN_OR_RETURN(features[flavour],
                            preprocessor->FitTransform(*context.data, all, target, options));
    parts.preprocessors[flavour] = std::move(preprocessor);
  }

  TrainOptions options;
  options.task = target.task;
  options.num_classes = IsClassification(target.task) ? target.num_classes() : 0;
  options.threads = context.threads;
  options.deadline = context.deadline;
  options.should_stop = context.should_stop;
  const int bags = chosen.combination == "bagging" ? chosen.bags : 1;
  for (size_t m = 0; m < chosen.members.size(); ++m) {
    const TrialRecord& trial = *chosen.members[m];
    AIMASS_ASSIGN_OR_RETURN(const Learner* learner, context.learners->Get(trial.learner));
    const std::string flavour(FlavourName(FlavourOf(trial.learner)));
    const nlohmann::json params =
        RefitParams(*learner, target.task, trial.params, trial.best_rounds);
    for (int bag = 0; bag < bags; ++bag) {
      options.seed = context.seed + m * 1009 + static_cast<uint64_t>(bag);
      const Matrix* train = &features.at(flavour);
      std::span<const float> labels = target.labels;
      Matrix sample;
      std::vector<float> sample_labels;
      if (bags > 1) {  // a bootstrap sample of every row
        std::mt19937_64 random(options.seed);
        std::vector<int64_t> picked(static_cast<size_t>(rows));
        for (auto& row : picked) row = static_cast<int64_t>(random() % static_cast<uint64_t>(rows));
        std::sort(picked.begin(), picked.end());
        sample = TakeRows(*train, picked);
        for (int64_t row : picked) sample_labels.push_back(target.labels[row]);
        train = &sample;
        labels = sample_labels;
      }
      const auto started = std::chrono::steady_clock::now();
      AIMASS_ASSIGN_OR_RETURN(auto model, learner->Train({train, labels, {}}, params, options));
      if (context.log) {
        char line[160];
        std::snprintf(
            line, sizeof line, "final %s (trial %d%s) trained in %.2f s", trial.learner.c_str(),
            trial.id, bags > 1 ? (", bag " + std::to_string(bag + 1)).c_str() : "",
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        context.log(line);
      }
      parts.members.push_back({trial.learner, params, flavour, std::move(model)});
    }
  }
  if (chosen.combination == "voting") {
    parts.combination = "voting";
    parts.weights = chosen.weights;
  } else if (chosen.combination == "bagging") {
    parts.combination = "voting";
    parts.weights.assign(parts.members.size(), 1.0 / static_cast<double>(parts.members.size()));
  } else if (chosen.combination == "stacking") {
    parts.combination = "stacking";
    parts.stacker = chosen.stacker;
    parts.stacker_params = chosen.stacker_params;
  }
  parts.temperature = chosen.temperature;
  return std::make_shared<const Pipeline>(std::move(parts));
}

}  // namespace aimass::train
