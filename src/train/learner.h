// A learner turns a feature matrix and labels into a TrainedModel. Learners register in a
// LearnerRegistry by name ("xgboost", "rf", "linear"); each lives in its own folder under
// train/learners/ and adds itself in learners/builtin.cc, so a new learner is a new folder
// and one line there. The search (train/search) knows learners only through this header.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "train/matrix.h"
#include "train/task.h"

namespace aimass::train {

// One hyperparameter a search may set, and the range it may take.
struct ParamSpec {
  enum class Type {
    kInt,       // an integer in [low, high]
    kFloat,     // a number in [low, high], sampled uniformly
    kLogFloat,  // a number in [low, high] (low > 0), sampled uniformly in log space
    kChoice,    // one of `choices`
  };
  std::string name;
  Type type = Type::kFloat;
  double low = 0;
  double high = 0;
  std::vector<nlohmann::json> choices;
  nlohmann::json default_value;      // what the learner uses when the search leaves it out
  std::vector<nlohmann::json> grid;  // the values a grid search tries (a few per parameter)
};
using ParamSpace = std::vector<ParamSpec>;

struct TrainInput {
  const Matrix* features = nullptr;
  std::span<const float> labels;   // class index 0..k-1, or the regression target
  std::span<const float> weights;  // empty: every row weighs 1
};

struct TrainOptions {
  Task task = Task::kRegression;
  int num_classes = 0;  // 2 for binary, k for multiclass, 0 for regression
  int threads = 1;
  uint64_t seed = 0;
  // Rows for early stopping (boosting rounds stop when its loss stops improving); null: none.
  const TrainInput* validation = nullptr;
  // Training gives up (kDeadlineExceeded) or returns what it has by then, as the learner
  // allows; max(): none.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  // Polled between iterations; true: stop now with kCancelled.
  std::function<bool()> should_stop;
};

// A trained model. Thread-compatible: const methods may run concurrently.
class TrainedModel {
 public:
  virtual ~TrainedModel() = default;
  // rows x OutputWidth() values, row-major: class probabilities (every class, summing to 1;
  // binary has 2 columns) or the predicted number.
  virtual Result<std::vector<double>> Predict(const Matrix& features) const = 0;
  virtual int OutputWidth() const = 0;
  // One value per feature column, >= 0, larger = more important (gain for trees, |weight|
  // for linear models).
  virtual std::vector<double> Importance() const = 0;
  // Per-row additive contributions in the model's raw (margin) space, rows x (cols + 1),
  // the last column being the bias; for multiclass, rows x classes x (cols + 1). Empty when
  // the learner has none.
  virtual Result<std::vector<double>> Contributions(const Matrix& features) const = 0;
  // The model in its learner's own format (XGBoost's UBJSON, liblinear's text model).
  virtual Result<std::string> Serialize() const = 0;
  // Facts worth keeping with the model, e.g. {"best_iteration": 212}.
  virtual nlohmann::json Info() const { return nlohmann::json::object(); }
};

class Learner {
 public:
  virtual ~Learner() = default;
  virtual std::string_view name() const = 0;
  virtual bool Supports(Task task) const = 0;
  virtual ParamSpace Space(Task task) const = 0;
  // `params` holds values for some of Space(task)'s names; the rest take their defaults.
  // Unknown names or values out of range are kInvalidArgument.
  virtual Result<std::unique_ptr<TrainedModel>> Train(const TrainInput& train,
                                                      const nlohmann::json& params,
                                                      const TrainOptions& options) const = 0;
  // Reads back what TrainedModel::Serialize wrote.
  virtual Result<std::unique_ptr<TrainedModel>> Load(std::string_view bytes, Task task,
                                                     int num_classes) const = 0;
  // A rough upper bound of the bytes one Train call needs for rows x cols features.
  virtual int64_t EstimateMemory(int64_t rows, int64_t cols, const nlohmann::json& params,
                                 const TrainOptions& options) const = 0;
  // A trial's work in the learner's own units (e.g. trees x levels grown) on `rows` training
  // rows: the search predicts how long a trial will take from the seconds per unit of the
  // trials before it, and leaves out one that would end past its time. Learners whose
  // training stops at the deadline anyway, or whose time hardly depends on their parameters,
  // keep 1.
  virtual double Cost(int64_t rows, const nlohmann::json& params,
                      const TrainOptions& options) const {
    (void)rows, (void)params, (void)options;
    return 1;
  }
};

class LearnerRegistry {
 public:
  // The registry with every built-in learner (learners/builtin.cc).
  static const LearnerRegistry& Builtin();

  void Add(std::unique_ptr<Learner> learner);
  // Null when no learner has that name.
  const Learner* Find(std::string_view name) const;
  // A learner or kInvalidArgument naming the known ones.
  Result<const Learner*> Get(std::string_view name) const;
  std::vector<std::string> Names() const;

 private:
  std::map<std::string, std::unique_ptr<Learner>, std::less<>> learners_;
};

}  // namespace aimass::train
