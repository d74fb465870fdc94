#include "train/training_spec.h"

#include <cmath>
#include <cstdlib>

#include "common/duration.h"
#include "train/learner.h"

namespace aimass::train {
namespace {

constexpr double kMaxBudgetSeconds = 7 * 24 * 3600.0;

// The string value of `key`, or a clear error when it has another type.
Result<std::optional<std::string>> StringField(const nlohmann::json& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) {
    return Fail(ErrorCode::kInvalidArgument, std::string("'") + key + "' must be a string");
  }
  return std::optional<std::string>(it->get<std::string>());
}

Result<std::vector<std::string>> StringList(const nlohmann::json& body, const char* key) {
  std::vector<std::string> out;
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return out;
  if (it->is_string()) {  // "xgboost,rf" as the CLI writes it
    std::string text = it->get<std::string>();
    for (size_t start = 0; start <= text.size();) {
      size_t comma = text.find(',', start);
      if (comma == std::string::npos) comma = text.size();
      if (comma > start) out.push_back(text.substr(start, comma - start));
      start = comma + 1;
    }
    return out;
  }
  if (!it->is_array()) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string("'") + key + "' must be a list of names, e.g. [\"a\",\"b\"]");
  }
  for (const auto& item : *it) {
    if (!item.is_string()) {
      return Fail(ErrorCode::kInvalidArgument, std::string("'") + key + "' must list names");
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

}  // namespace

std::string_view EnsembleModeName(EnsembleMode mode) {
  switch (mode) {
    case EnsembleMode::kAuto: return "auto";
    case EnsembleMode::kVoting: return "voting";
    case EnsembleMode::kStacking: return "stacking";
    case EnsembleMode::kBagging: return "bagging";
    case EnsembleMode::kNone: return "none";
  }
  return "auto";
}

Result<EnsembleMode> ParseEnsembleMode(std::string_view name) {
  for (auto mode : {EnsembleMode::kAuto, EnsembleMode::kVoting, EnsembleMode::kStacking,
                    EnsembleMode::kBagging, EnsembleMode::kNone}) {
    if (name == EnsembleModeName(mode)) return mode;
  }
  return Fail(ErrorCode::kInvalidArgument,
              "unknown ensemble '" + std::string(name) +
                  "'; use auto, voting, stacking, bagging or none");
}

Result<double> ParseBudget(const nlohmann::json& value) {
  AIMASS_ASSIGN_OR_RETURN(const double seconds, ParseDurationSeconds(value, "budget"));
  if (!(seconds > 0)) {
    return Fail(ErrorCode::kInvalidArgument,
                "budget must be more than 0 seconds; for example --budget 60s");
  }
  if (seconds > kMaxBudgetSeconds) {
    return Fail(ErrorCode::kInvalidArgument, "budget must be at most 7 days (168h)");
  }
  return seconds;
}

Result<TrainingSpec> ParseTrainingSpec(const nlohmann::json& body) {
  if (!body.is_object()) {
    return Fail(ErrorCode::kInvalidArgument,
                "the request body must be a JSON object such as "
                "{\"dataset\":\"credit@1\",\"target\":\"Status\"}");
  }
  TrainingSpec spec;
  AIMASS_ASSIGN_OR_RETURN(auto dataset, StringField(body, "dataset"));
  AIMASS_ASSIGN_OR_RETURN(auto target, StringField(body, "target"));
  if (!dataset || dataset->empty()) {
    return Fail(ErrorCode::kInvalidArgument, "'dataset' is required, e.g. \"credit@1\"");
  }
  if (!target || target->empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "'target' is required: the column to predict (--target COLUMN)");
  }
  spec.dataset = *dataset;
  spec.target = *target;
  AIMASS_ASSIGN_OR_RETURN(auto task, StringField(body, "task"));
  if (task && *task != "auto") {
    AIMASS_ASSIGN_OR_RETURN(spec.task, ParseTask(*task));
  }
  AIMASS_ASSIGN_OR_RETURN(auto metric, StringField(body, "metric"));
  spec.metric = metric.value_or("");
  if (body.contains("budget")) {
    AIMASS_ASSIGN_OR_RETURN(spec.budget_seconds, ParseBudget(body["budget"]));
  } else if (body.contains("budget_seconds")) {
    AIMASS_ASSIGN_OR_RETURN(spec.budget_seconds, ParseBudget(body["budget_seconds"]));
  }
  AIMASS_ASSIGN_OR_RETURN(spec.learners, StringList(body, "learners"));
  for (const auto& name : spec.learners) {
    AIMASS_RETURN_IF_ERROR(LearnerRegistry::Builtin().Get(name));
  }
  AIMASS_ASSIGN_OR_RETURN(auto search, StringField(body, "search"));
  if (search) {
    AIMASS_ASSIGN_OR_RETURN(spec.search, ParseSearchKind(*search));
  }
  const bool has_cv = body.contains("cv") && !body["cv"].is_null();
  const bool has_holdout = body.contains("holdout") && !body["holdout"].is_null();
  if (has_cv && has_holdout) {
    return Fail(ErrorCode::kInvalidArgument, "give either cv (folds) or holdout, not both");
  }
  if (has_cv) {
    if (!body["cv"].is_number_integer() || body["cv"].get<int64_t>() < 2 ||
        body["cv"].get<int64_t>() > 20) {
      return Fail(ErrorCode::kInvalidArgument, "cv must be a number of folds from 2 to 20");
    }
    spec.cv_folds = body["cv"].get<int>();
  }
  if (has_holdout) {
    const auto& holdout = body["holdout"];
    if (!holdout.is_number() || !(holdout.get<double>() > 0 && holdout.get<double>() < 1)) {
      return Fail(ErrorCode::kInvalidArgument,
                  "holdout must be the share of rows kept for validation, between 0 and 1 "
                  "(e.g. 0.2)");
    }
    spec.holdout = holdout.get<double>();
  }
  AIMASS_ASSIGN_OR_RETURN(auto ensemble, StringField(body, "ensemble"));
  if (ensemble) {
    AIMASS_ASSIGN_OR_RETURN(spec.ensemble, ParseEnsembleMode(*ensemble));
  }
  if (body.contains("seed") && !body["seed"].is_null()) {
    if (!body["seed"].is_number_integer() || body["seed"].get<int64_t>() < 0) {
      return Fail(ErrorCode::kInvalidArgument, "seed must be a whole number >= 0");
    }
    spec.seed = body["seed"].get<uint64_t>();
  }
  if (body.contains("max_trials") && !body["max_trials"].is_null()) {
    if (!body["max_trials"].is_number_integer() || body["max_trials"].get<int64_t>() < 1 ||
        body["max_trials"].get<int64_t>() > 100000) {
      return Fail(ErrorCode::kInvalidArgument, "max_trials must be a whole number from 1");
    }
    spec.max_trials = body["max_trials"].get<int>();
  }
  if (body.contains("threads") && !body["threads"].is_null()) {
    if (!body["threads"].is_number_integer() || body["threads"].get<int64_t>() < 1 ||
        body["threads"].get<int64_t>() > 1024) {
      return Fail(ErrorCode::kInvalidArgument, "threads must be a whole number from 1");
    }
    spec.threads = body["threads"].get<int>();
  }
  AIMASS_ASSIGN_OR_RETURN(auto register_as, StringField(body, "register"));
  spec.register_as = register_as.value_or("");
  AIMASS_ASSIGN_OR_RETURN(spec.exclude, StringList(body, "exclude"));
  return spec;
}

nlohmann::json TrainingSpec::ToJson() const {
  nlohmann::json out = {{"dataset", dataset},
                        {"target", target},
                        {"task", task ? std::string(TaskName(*task)) : "auto"},
                        {"metric", metric},
                        {"budget_seconds", budget_seconds},
                        {"learners", learners},
                        {"search", SearchKindName(search)},
                        {"ensemble", EnsembleModeName(ensemble)},
                        {"seed", seed},
                        {"register", register_as},
                        {"exclude", exclude}};
  if (holdout) {
    out["holdout"] = *holdout;
  } else {
    out["cv"] = cv_folds;
  }
  if (max_trials) out["max_trials"] = *max_trials;
  if (threads) out["threads"] = *threads;
  return out;
}

}  // namespace aimass::train
