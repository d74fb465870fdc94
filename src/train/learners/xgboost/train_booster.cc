#include "train/learners/xgboost/train_booster.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "train/learners/input_check.h"

namespace aimass::train::xgb {
namespace {

const char* MetricFor(Task task) {
  switch (task) {
    case Task::kBinary:
      return "logloss";
    case Task::kMulticlass:
      return "mlogloss";
    case Task::kRegression:
      return "rmse";
  }
  return "rmse";
}

// The labels' (weighted) mean: where boosting starts for regression, as XGBoost 2.0 does by
// itself; 1.7 starts at 0.5 and spends its first rounds walking to the mean.
double MeanLabel(const TrainInput& train) {
  double sum = 0;
  double total = 0;
  for (size_t i = 0; i < train.labels.size(); ++i) {
    const double weight = train.weights.empty() ? 1.0 : train.weights[i];
    sum += weight * train.labels[i];
    total += weight;
  }
  return total > 0 ? sum / total : 0;
}

Result<DMatrix> BuildDMatrix(const TrainInput& input, int threads) {
  AIMASS_ASSIGN_OR_RETURN(DMatrix data, DMatrix::FromMatrix(*input.features, threads));
  AIMASS_RETURN_IF_ERROR(data.SetFloatInfo("label", input.labels));
  if (!input.weights.empty()) {
    AIMASS_RETURN_IF_ERROR(data.SetFloatInfo("weight", input.weights));
  }
  return data;
}

// "[12]\tvalidation-logloss:0.2531" → 0.2531; NaN when the text holds no number.
double ParseEval(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) return std::numeric_limits<double>::quiet_NaN();
  char* end = nullptr;
  const double value = std::strtod(text.c_str() + colon + 1, &end);
  return end == text.c_str() + colon + 1 ? std::numeric_limits<double>::quiet_NaN() : value;
}

Status SetObjective(Booster& booster, const TrainInput& train, const TrainOptions& options) {
  switch (options.task) {
    case Task::kBinary:
      AIMASS_RETURN_IF_ERROR(booster.SetParam("objective", "binary:logistic"));
      break;
    case Task::kMulticlass:
      AIMASS_RETURN_IF_ERROR(booster.SetParam("objective", "multi:softprob"));
      AIMASS_RETURN_IF_ERROR(booster.SetParam("num_class", std::to_string(options.num_classes)));
      break;
    case Task::kRegression:
      AIMASS_RETURN_IF_ERROR(booster.SetParam("objective", "reg:squarederror"));
      AIMASS_RETURN_IF_ERROR(booster.SetParam("base_score", ParamText(MeanLabel(train))));
      break;
  }
  return booster.SetParam("eval_metric", MetricFor(options.task));
}

}  // namespace

std::string ParamText(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

Result<std::unique_ptr<BoostedModel>> TrainBooster(std::string_view learner,
                                                   const TrainInput& train,
                                                   const TrainOptions& options,
                                                   const BoostingPlan& plan) {
  AIMASS_RETURN_IF_ERROR(CheckTrainInput(learner, train, options));
  const int threads = std::max(1, options.threads);
  AIMASS_ASSIGN_OR_RETURN(DMatrix train_data, BuildDMatrix(train, threads));
  std::optional<DMatrix> validation_data;
  std::vector<DMatrixHandle> cache = {train_data.get()};
  if (options.validation != nullptr) {
    AIMASS_ASSIGN_OR_RETURN(validation_data, BuildDMatrix(*options.validation, threads));
    cache.push_back(validation_data->get());
  }
  // Both sets in the booster's cache: each round then updates their predictions by one
  // round's trees instead of predicting every tree again (as Python's xgb.train does).
  AIMASS_ASSIGN_OR_RETURN(Booster booster, Booster::Create(cache));
  AIMASS_RETURN_IF_ERROR(booster.SetParam("verbosity", "0"));
  AIMASS_RETURN_IF_ERROR(booster.SetParam("nthread", std::to_string(threads)));
  // XGBoost's seed is an int64; the top bit is dropped so that every uint64 is accepted.
  AIMASS_RETURN_IF_ERROR(
      booster.SetParam("seed", std::to_string(options.seed & static_cast<uint64_t>(INT64_MAX))));
  AIMASS_RETURN_IF_ERROR(SetObjective(booster, train, options));
  for (const auto& [name, value] : plan.params) {
    AIMASS_RETURN_IF_ERROR(booster.SetParam(name, value));
  }

  const bool early_stopping = validation_data && plan.early_stopping_rounds > 0;
  double best_score = std::numeric_limits<double>::infinity();
  int best_round = -1;
  int rounds = 0;
  std::string stopped = "max_rounds";
  for (; rounds < plan.max_rounds; ++rounds) {
    if (options.should_stop && options.should_stop()) {
      return Fail(ErrorCode::kCancelled, std::string(learner) + " training was cancelled after " +
                                             std::to_string(rounds) + " rounds");
    }
    // At least one round, so that a deadline already past still yields a model.
    if (rounds > 0 && std::chrono::steady_clock::now() >= options.deadline) {
      stopped = "deadline";
      break;
    }
    AIMASS_RETURN_IF_ERROR(booster.UpdateOneIter(rounds, train_data));
    if (!validation_data) continue;
    AIMASS_ASSIGN_OR_RETURN(const std::string text,
                            booster.EvalOneIter(rounds, *validation_data, "validation"));
    const double score = ParseEval(text);
    // Strictly better, as Python's early stopping; NaN never is.
    if (score < best_score) {
      best_score = score;
      best_round = rounds;
    } else if (early_stopping && rounds - best_round >= plan.early_stopping_rounds) {
      ++rounds;
      stopped = "early_stopping";
      break;
    }
  }
  const int kept = early_stopping && best_round >= 0 ? best_round + 1 : rounds;
  // Slicing also leaves the updaters' buffers (histograms, row partitions: as large as the
  // training set) behind with the old booster, so even an unsliced model is copied.
  AIMASS_ASSIGN_OR_RETURN(Booster model, booster.Slice(0, kept));

  nlohmann::json info = plan.info;
  info["rounds"] = kept;
  info["trained_rounds"] = rounds;
  info["stopped"] = stopped;
  if (validation_data) {
    info["metric"] = MetricFor(options.task);
    if (best_round >= 0) {
      info["best_iteration"] = best_round;
      info["best_score"] = best_score;
      // The attributes Python's early stopping writes, for tools that read the model file.
      AIMASS_RETURN_IF_ERROR(model.SetAttr("best_iteration", std::to_string(best_round)));
      AIMASS_RETURN_IF_ERROR(model.SetAttr("best_score", ParamText(best_score)));
    }
  }
  AIMASS_RETURN_IF_ERROR(model.SetAttr("aimass_info", info.dump()));
  return BoostedModel::Create(std::move(model), options.task, options.num_classes, threads);
}

}  // namespace aimass::train::xgb
