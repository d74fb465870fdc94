#include "train/learners/linear/linear_learner.h"

#include <linear.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <map>
#include <mutex>
#include <set>

#include "train/learners/input_check.h"
#include "train/learners/linear/linear_model.h"
#include "train/learners/linear/multinomial.h"
#include "train/learners/param_values.h"

namespace aimass::train {
namespace {

// liblinear prints its iterations to stdout unless told otherwise, process-wide.
void SilenceLiblinear() {
  static std::once_flag once;
  std::call_once(once, [] { set_print_string_function([](const char*) {}); });
}

// How row weights map onto liblinear, which only knows a C per class.
struct WeightPlan {
  double c_scale = 1;
  std::vector<int> weight_label;
  std::vector<double> weight;
};

Result<WeightPlan> PlanWeights(const TrainInput& train, const TrainOptions& options) {
  WeightPlan plan;
  if (train.weights.empty()) return plan;
  const float first = train.weights[0];
  bool all_equal = true;
  for (float weight : train.weights) all_equal = all_equal && weight == first;
  if (all_equal) {
    plan.c_scale = first;
    return plan;
  }
  if (IsClassification(options.task)) {
    std::map<int, float> per_class;
    for (size_t i = 0; i < train.weights.size(); ++i) {
      const int label = static_cast<int>(train.labels[i]);
      auto [it, inserted] = per_class.emplace(label, train.weights[i]);
      if (!inserted && it->second != train.weights[i]) {
        return Fail(ErrorCode::kInvalidArgument,
                    "linear: row " + std::to_string(i) + " of class " + std::to_string(label) +
                        " weighs " + std::to_string(train.weights[i]) + ", another row of it " +
                        std::to_string(it->second) +
                        "; liblinear takes one weight per class, so give every row of a class "
                        "the same weight or use xgboost");
      }
    }
    for (const auto& [label, weight] : per_class) {
      plan.weight_label.push_back(label);
      plan.weight.push_back(weight);
    }
    return plan;
  }
  return Fail(ErrorCode::kInvalidArgument,
              "linear: regression rows must all weigh the same (liblinear has no per-row "
              "weights); drop the weights or use xgboost");
}

// liblinear's problem over the rows: sparse rows (zeros and NaN left out), then the bias
// feature, then the terminator.
class LiblinearProblem {
 public:
  static Result<std::unique_ptr<LiblinearProblem>> Build(const Matrix& features,
                                                         std::vector<double> targets) {
    auto out = std::unique_ptr<LiblinearProblem>(new LiblinearProblem());
    size_t total = 0;
    for (int64_t i = 0; i < features.rows; ++i) {
      for (int64_t j = 0; j < features.cols; ++j) {
        const float value = features.at(i, j);
        if (std::isinf(value)) {
          return Fail(ErrorCode::kInvalidArgument,
                      "linear: row " + std::to_string(i) + ", column " + std::to_string(j) +
                          " is infinite; clip or drop such values before a linear learner");
        }
        total += value != 0 && !std::isnan(value);
      }
      total += 2;
    }
    out->nodes_.reserve(total);
    std::vector<size_t> starts;
    starts.reserve(static_cast<size_t>(features.rows));
    const int bias_index = static_cast<int>(features.cols) + 1;
    for (int64_t i = 0; i < features.rows; ++i) {
      starts.push_back(out->nodes_.size());
      for (int64_t j = 0; j < features.cols; ++j) {
        const float value = features.at(i, j);
        if (value != 0 && !std::isnan(value)) {
          out->nodes_.push_back({static_cast<int>(j) + 1, value});
        }
      }
      out->nodes_.push_back({bias_index, kBias});
      out->nodes_.push_back({-1, 0});
    }
    for (size_t start : starts) out->rows_.push_back(out->nodes_.data() + start);
    out->targets_ = std::move(targets);
    out->problem_.l = static_cast<int>(features.rows);
    out->problem_.n = bias_index;
    out->problem_.y = out->targets_.data();
    out->problem_.x = out->rows_.data();
    out->problem_.bias = kBias;
    return out;
  }
  const problem* get() const { return &problem_; }

  // The bias feature's value: 1, so its weight is the intercept.
  static constexpr double kBias = 1;

 private:
  LiblinearProblem() = default;
  std::vector<feature_node> nodes_;
  std::vector<feature_node*> rows_;
  std::vector<double> targets_;
  problem problem_{};
};

// Regression learns the standardised target, so that C and epsilon mean the same on any
// scale and the (penalised) bias need not reach a large mean; the weights are scaled back.
struct TargetScale {
  double mean = 0;
  double scale = 1;
};

TargetScale Standardize(std::vector<double>& targets) {
  TargetScale out;
  for (double y : targets) out.mean += y;
  out.mean /= static_cast<double>(targets.size());
  double squares = 0;
  for (double y : targets) squares += (y - out.mean) * (y - out.mean);
  out.scale = std::sqrt(squares / static_cast<double>(targets.size()));
  if (!(out.scale > 0) || !std::isfinite(out.scale)) out.scale = 1;
  for (double& y : targets) y = (y - out.mean) / out.scale;
  return out;
}

struct FreeModel {
  void operator()(model* trained) const { free_and_destroy_model(&trained); }
};

Result<LinearWeights> RunLiblinear(const LiblinearProblem& data, parameter param, uint64_t seed) {
  if (const char* error = check_parameter(data.get(), &param)) {
    return Fail(ErrorCode::kInvalidArgument, std::string("linear: liblinear refused: ") + error);
  }
  SilenceLiblinear();
  std::unique_ptr<model, FreeModel> trained;
  if (param.solver_type == L1R_LR) {
    // newGLMNET shuffles with rand(): one L1 training at a time, from the caller's seed.
    static std::mutex rand_mutex;
    std::lock_guard lock(rand_mutex);
    std::srand(static_cast<unsigned>(seed ^ (seed >> 32)));
    trained.reset(::train(data.get(), &param));
  } else {
    trained.reset(::train(data.get(), &param));
  }
  if (!trained) return Fail(ErrorCode::kInternal, "linear: liblinear returned no model");
  LinearWeights weights;
  weights.solver_type = trained->param.solver_type;
  weights.nr_class = trained->nr_class;
  if (trained->label != nullptr)
    weights.labels.assign(trained->label, trained->label + trained->nr_class);
  weights.nr_feature = trained->nr_feature;
  weights.bias = trained->bias;
  weights.w.assign(trained->w,
                   trained->w + static_cast<size_t>(weights.Rows()) * weights.Columns());
  return weights;
}

// Several classes: multinomial logistic regression (XGBoost's gblinear), whose
// probabilities are far better calibrated than liblinear's one-vs-rest ones.
Result<std::unique_ptr<TrainedModel>> TrainSoftmax(const TrainInput& train,
                                                   const ParamValues& values,
                                                   const TrainOptions& options) {
  MultinomialPlan plan;
  plan.c = values.Double("C");
  plan.l1 = values.String("penalty") == "l1";
  AIMASS_ASSIGN_OR_RETURN(LinearWeights trained, TrainMultinomial(train, options, plan));
  const std::set<float> seen(train.labels.begin(), train.labels.end());
  nlohmann::json info = {{"C", plan.c},
                         {"solver", std::string(SolverName(trained.solver_type))},
                         {"classes_seen", seen.size()}};
  AIMASS_ASSIGN_OR_RETURN(auto model, LinearModel::Create(std::move(trained), options.task,
                                                          options.num_classes, std::move(info)));
  return std::unique_ptr<TrainedModel>(std::move(model));
}

}  // namespace

ParamSpace LinearLearner::Space(Task task) const {
  if (task == Task::kRegression) {
    // epsilon is in standard deviations of the target (it is standardised for training).
    return {
        LogFloatParam("C", 1e-3, 1e3, 1, {0.01, 0.1, 1, 10, 100}),
        FloatParam("epsilon", 0, 1, 0, {0, 0.1}),
    };
  }
  return {
      ChoiceParam("penalty", {"l2", "l1"}, "l2"),
      LogFloatParam("C", 1e-3, 1e3, 1, {0.01, 0.1, 1, 10, 100}),
  };
}

Result<std::unique_ptr<TrainedModel>> LinearLearner::Train(const TrainInput& train,
                                                           const nlohmann::json& params,
                                                           const TrainOptions& options) const {
  AIMASS_RETURN_IF_ERROR(CheckTrainInput(name(), train, options));
  AIMASS_ASSIGN_OR_RETURN(const ParamValues values,
                          ParamValues::Resolve(name(), Space(options.task), params));
  if (options.should_stop && options.should_stop()) {
    return Fail(ErrorCode::kCancelled, "linear training was cancelled before it started");
  }
  if (std::chrono::steady_clock::now() >= options.deadline) {
    return Fail(ErrorCode::kDeadlineExceeded,
                "linear: the deadline passed before training started");
  }

  if (options.task == Task::kMulticlass) return TrainSoftmax(train, values, options);
  AIMASS_ASSIGN_OR_RETURN(WeightPlan weights, PlanWeights(train, options));
  std::vector<double> targets(train.labels.begin(), train.labels.end());
  const TargetScale target =
      options.task == Task::kRegression ? Standardize(targets) : TargetScale{};
  AIMASS_ASSIGN_OR_RETURN(auto data, LiblinearProblem::Build(*train.features, std::move(targets)));

  parameter param{};
  param.C = values.Double("C") * weights.c_scale;
  param.nr_weight = static_cast<int>(weights.weight.size());
  param.weight_label = weights.weight_label.empty() ? nullptr : weights.weight_label.data();
  param.weight = weights.weight.empty() ? nullptr : weights.weight.data();
  param.init_sol = nullptr;
  nlohmann::json info = {{"C", param.C}};
  if (options.task == Task::kRegression) {
    param.solver_type = L2R_L2LOSS_SVR;
    param.eps = 0.0001;  // liblinear's default for this solver
    param.p = values.Double("epsilon");
    info["epsilon"] = param.p;
    info["target_mean"] = target.mean;
    info["target_scale"] = target.scale;
  } else {
    param.solver_type = values.String("penalty") == "l1" ? L1R_LR : L2R_LR;
    param.eps = 0.01;  // liblinear's default for both
  }
  AIMASS_ASSIGN_OR_RETURN(LinearWeights trained, RunLiblinear(*data, param, options.seed));
  if (options.task == Task::kRegression) {
    // y = scale * (w'x + b' * kBias) + mean = (scale w')x + (scale b' + mean / kBias) * kBias.
    for (int j = 0; j < trained.nr_feature; ++j) trained.w[j] *= target.scale;
    trained.w[trained.nr_feature] =
        target.scale * trained.w[trained.nr_feature] + target.mean / LiblinearProblem::kBias;
  }
  info["solver"] = std::string(SolverName(trained.solver_type));
  info["classes_seen"] = trained.IsRegression() ? 0 : trained.nr_class;
  AIMASS_ASSIGN_OR_RETURN(auto model, LinearModel::Create(std::move(trained), options.task,
                                                          options.num_classes, std::move(info)));
  return std::unique_ptr<TrainedModel>(std::move(model));
}

Result<std::unique_ptr<TrainedModel>> LinearLearner::Load(std::string_view bytes, Task task,
                                                          int num_classes) const {
  AIMASS_ASSIGN_OR_RETURN(LinearWeights weights, ParseLiblinearText(bytes));
  nlohmann::json info = {{"solver", std::string(SolverName(weights.solver_type))}};
  AIMASS_ASSIGN_OR_RETURN(auto model,
                          LinearModel::Create(std::move(weights), task, num_classes, info));
  return std::unique_ptr<TrainedModel>(std::move(model));
}

int64_t LinearLearner::EstimateMemory(int64_t rows, int64_t cols, const nlohmann::json& params,
                                      const TrainOptions& options) const {
  const ParamValues values = ParamValues::ResolveOrDefaults(name(), Space(options.task), params);
  const bool l1 = options.task != Task::kRegression && values.String("penalty") == "l1";
  const double classes = options.task == Task::kMulticlass ? options.num_classes : 1;
  // feature_nodes (16 bytes) for every value, as if none were 0, plus bias and terminator;
  // L1R_LR's solver keeps a column-major copy of them. Per row: the target, the row
  // pointer, about six solver vectors, and one-vs-rest's permuted copies of both.
  const double nodes = static_cast<double>(rows) * static_cast<double>(cols + 2) * 16;
  const double per_row = static_cast<double>(rows) * 8 * (8 + (classes > 1 ? 2 : 0));
  const double model = static_cast<double>(cols + 1) * classes * 8 * 3;
  const double total = nodes * (l1 ? 2 : 1) + per_row + model;
  return total >= 9.0e18 ? INT64_MAX : static_cast<int64_t>(total);
}

}  // namespace aimass::train
