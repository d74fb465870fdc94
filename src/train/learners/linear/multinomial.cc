#include "train/learners/linear/multinomial.h"

#include <cmath>
#include <cstdlib>
#include <limits>

#include "train/learners/xgboost/booster.h"
#include "train/learners/xgboost/train_booster.h"

namespace aimass::train {
namespace {

// "[3]\ttrain-mlogloss:0.25" → 0.25; NaN without a number.
double EvalNumber(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) return std::numeric_limits<double>::quiet_NaN();
  return std::strtod(text.c_str() + colon + 1, nullptr);
}

// gblinear's model: "weights" holds (num_feature + 1) x num_class numbers, feature-major,
// the biases last: liblinear's layout with a bias feature of value 1.
Result<std::vector<double>> ReadWeights(const xgb::Booster& booster, size_t expected) {
  AIMASS_ASSIGN_OR_RETURN(const std::string text, booster.Save("json"));
  try {
    const auto model = nlohmann::json::parse(text);
    const auto& weights = model.at("learner").at("gradient_booster").at("model").at("weights");
    std::vector<double> out = weights.get<std::vector<double>>();
    if (out.size() != expected) {
      return Fail(ErrorCode::kInternal, "linear: XGBoost's gblinear model holds " +
                                            std::to_string(out.size()) + " weights, not " +
                                            std::to_string(expected));
    }
    return out;
  } catch (const nlohmann::json::exception& error) {
    return Fail(ErrorCode::kInternal,
                std::string("linear: cannot read XGBoost's gblinear model: ") + error.what());
  }
}

}  // namespace

Result<LinearWeights> TrainMultinomial(const TrainInput& train, const TrainOptions& options,
                                       const MultinomialPlan& plan) {
  const int threads = std::max(1, options.threads);
  AIMASS_ASSIGN_OR_RETURN(xgb::DMatrix data, xgb::DMatrix::FromMatrix(*train.features, threads));
  AIMASS_RETURN_IF_ERROR(data.SetFloatInfo("label", train.labels));
  if (!train.weights.empty()) AIMASS_RETURN_IF_ERROR(data.SetFloatInfo("weight", train.weights));
  const DMatrixHandle cache[] = {data.get()};
  AIMASS_ASSIGN_OR_RETURN(xgb::Booster booster, xgb::Booster::Create(cache));
  // XGBoost normalises lambda and alpha by the rows' total weight: the loss summed over rows
  // plus n * lambda / 2 |w|^2 is liblinear's objective divided by C for lambda = 1 / (C n).
  double total_weight = 0;
  for (size_t i = 0; i < train.labels.size(); ++i) {
    total_weight += train.weights.empty() ? 1.0 : train.weights[i];
  }
  const double penalty = 1 / (plan.c * std::max(1.0, total_weight));
  // shotgun on one thread and coord_descent on several give the same numbers; shotgun on
  // several threads would not be reproducible.
  const std::pair<const char*, std::string> params[] = {
      {"verbosity", "0"},
      {"nthread", std::to_string(threads)},
      {"booster", "gblinear"},
      {"updater", threads == 1 ? "shotgun" : "coord_descent"},
      {"objective", "multi:softprob"},
      {"num_class", std::to_string(options.num_classes)},
      {"eval_metric", "mlogloss"},
      {"eta", "1"},  // whole Newton steps per coordinate, as glmnet takes
      {"lambda", xgb::ParamText(plan.l1 ? 0 : penalty)},
      {"alpha", xgb::ParamText(plan.l1 ? penalty : 0)},
      {"seed", std::to_string(options.seed & static_cast<uint64_t>(INT64_MAX))},
  };
  for (const auto& [name, value] : params) AIMASS_RETURN_IF_ERROR(booster.SetParam(name, value));

  double last = std::numeric_limits<double>::infinity();
  for (int round = 0; round < plan.max_rounds; ++round) {
    if (options.should_stop && options.should_stop()) {
      return Fail(ErrorCode::kCancelled,
                  "linear training was cancelled after " + std::to_string(round) + " rounds");
    }
    if (round > 0 && std::chrono::steady_clock::now() >= options.deadline) break;
    AIMASS_RETURN_IF_ERROR(booster.UpdateOneIter(round, data));
    AIMASS_ASSIGN_OR_RETURN(const std::string text, booster.EvalOneIter(round, data, "train"));
    const double loss = EvalNumber(text);
    if (!(loss < last * (1 - plan.tolerance))) break;  // converged, or NaN
    last = loss;
  }

  LinearWeights weights;
  weights.solver_type = kMultinomialLr;
  weights.nr_class = options.num_classes;
  for (int c = 0; c < options.num_classes; ++c) weights.labels.push_back(c);
  weights.nr_feature = static_cast<int>(train.features->cols);
  weights.bias = 1;
  AIMASS_ASSIGN_OR_RETURN(
      weights.w, ReadWeights(booster, static_cast<size_t>(weights.Rows()) * weights.Columns()));
  return weights;
}

}  // namespace aimass::train
