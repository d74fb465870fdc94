// What a user asks a training run for — `aimass train` and POST /api/v1/training-runs both
// come down to a TrainingSpec — with every field checked before a job is queued, so that a
// bad request fails at once with a message naming the field and the fix.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "train/search/sampler.h"
#include "train/task.h"

namespace aimass::train {

enum class EnsembleMode { kAuto, kVoting, kStacking, kBagging, kNone };
std::string_view EnsembleModeName(EnsembleMode mode);
Result<EnsembleMode> ParseEnsembleMode(std::string_view name);

struct TrainingSpec {
  std::string dataset;              // "credit@2", or "credit" for the newest version
  std::string target;               // the column to predict
  std::optional<Task> task;         // none: detected from the target
  std::string metric;               // empty: the task's default
  double budget_seconds = 60;       // wall clock for the whole run, search and refit
  std::vector<std::string> learners;  // empty: every built-in learner that fits the task
  SearchKind search = SearchKind::kBayes;
  int cv_folds = 5;                 // used when holdout is not set
  std::optional<double> holdout;    // a share of the rows for validation, instead of folds
  EnsembleMode ensemble = EnsembleMode::kAuto;
  uint64_t seed = 42;
  std::optional<int> max_trials;    // none: as many as the budget allows
  std::string register_as;          // the model name; empty: the dataset's name
  std::vector<std::string> exclude;  // columns left out of the features
  std::optional<int> threads;       // none: the worker's allowance

  nlohmann::json ToJson() const;
};

// Reads and checks a spec from JSON (the API's request body; the CLI builds the same JSON).
// `budget` may be a number of seconds or a string like "90s", "5m", "1h".
Result<TrainingSpec> ParseTrainingSpec(const nlohmann::json& body);

// "90s", "5m", "1.5h" or "90" (seconds) as seconds; errors name the accepted forms.
Result<double> ParseBudget(const nlohmann::json& value);

}  // namespace aimass::train
