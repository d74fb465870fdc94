// How an AutoML run keeps its trials within time and memory: a learner that cannot be
// interrupted (like a random forest) has trials predicted from Learner::Cost and left out
// when they would end past the search's time; a trial over its memory allowance is shrunk
// (fewer trees) before it is skipped; a trial whose first folds score far worse than the
// best trial's is pruned. Fake learners make each exact.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <thread>

#include "train/automl_frames.h"
#include "train/learners/param_values.h"

namespace aimass::train {
namespace {
using namespace testing;  // NOLINT: the synthetic frames

// Predicts the same for every row (each class's share, or `value`): enough for the search
// to score it.
class ConstantModel final : public TrainedModel {
 public:
  explicit ConstantModel(int width, double value = NAN) : width_(width), value_(value) {}
  Result<std::vector<double>> Predict(const Matrix& features) const override {
    return std::vector<double>(static_cast<size_t>(features.rows * width_),
                               std::isnan(value_) ? 1.0 / width_ : value_);
  }
  int OutputWidth() const override { return width_; }
  std::vector<double> Importance() const override { return {}; }
  Result<std::vector<double>> Contributions(const Matrix&) const override {
    return std::vector<double>();
  }
  Result<std::string> Serialize() const override { return std::string(); }

 private:
  int width_;
  double value_;
};

// Sleeps `work` x 30 ms whatever the deadline, as one forest that cannot be interrupted;
// needs n_estimators KiB of memory.
class SlowLearner final : public Learner {
 public:
  std::string_view name() const override { return "slow"; }
  bool Supports(Task) const override { return true; }
  ParamSpace Space(Task) const override {
    return {IntParam("work", 1, 60, 1, {1, 60}), IntParam("n_estimators", 10, 100, 100, {100})};
  }
  Result<std::unique_ptr<TrainedModel>> Train(const TrainInput&, const nlohmann::json& params,
                                              const TrainOptions& options) const override {
    const ParamValues values = ParamValues::ResolveOrDefaults(name(), Space(options.task), params);
    std::this_thread::sleep_for(std::chrono::milliseconds(30 * values.Int("work")));
    return std::make_unique<ConstantModel>(options.task == Task::kRegression ? 1
                                                                             : options.num_classes);
  }
  Result<std::unique_ptr<TrainedModel>> Load(std::string_view, Task, int) const override {
    return Fail(ErrorCode::kInvalidArgument, "not saved");
  }
  int64_t EstimateMemory(int64_t, int64_t, const nlohmann::json& params,
                         const TrainOptions& options) const override {
    const ParamValues values = ParamValues::ResolveOrDefaults(name(), Space(options.task), params);
    return int64_t{values.Int("n_estimators")} << 10;
  }
  double Cost(int64_t, const nlohmann::json& params, const TrainOptions& options) const override {
    return ParamValues::ResolveOrDefaults(name(), Space(options.task), params).Int("work");
  }
};

// A regression "model" that predicts `guess` for every row: the further from the target's
// mean, the worse its RMSE.
class GuessLearner final : public Learner {
 public:
  std::string_view name() const override { return "guess"; }
  bool Supports(Task task) const override { return task == Task::kRegression; }
  ParamSpace Space(Task) const override { return {FloatParam("guess", -50, 50, 0, {0})}; }
  Result<std::unique_ptr<TrainedModel>> Train(const TrainInput&, const nlohmann::json& params,
                                              const TrainOptions& options) const override {
    const ParamValues values = ParamValues::ResolveOrDefaults(name(), Space(options.task), params);
    return std::make_unique<ConstantModel>(1, values.Double("guess"));
  }
  Result<std::unique_ptr<TrainedModel>> Load(std::string_view, Task, int) const override {
    return Fail(ErrorCode::kInvalidArgument, "not saved");
  }
  int64_t EstimateMemory(int64_t, int64_t, const nlohmann::json&,
                         const TrainOptions&) const override {
    return 0;
  }
};

const LearnerRegistry& SlowRegistry() {
  static const LearnerRegistry* registry = [] {
    auto* out = new LearnerRegistry;
    out->Add(std::make_unique<SlowLearner>());
    return out;
  }();
  return *registry;
}

bool Logged(const std::vector<std::string>& lines, const std::string& text) {
  for (const auto& line : lines) {
    if (line.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(AutoMlLimitsTest, TrialsThatWouldOverrunTheSearchAreLeftOut) {
  AutoMlEnvironment environment = Environment();
  environment.learners = &SlowRegistry();
  std::vector<std::string> lines;
  environment.log = [&](const std::string& line) { lines.push_back(line); };
  TrainingSpec spec = Spec(2);
  spec.search = SearchKind::kRandom;
  spec.ensemble = EnsembleMode::kNone;
  const auto start = std::chrono::steady_clock::now();
  auto result = RunAutoMl(MakeFrame(200, Task::kBinary), spec, environment);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(result.has_value()) << result.error().message;
  // Trials of up to 60 x 30 ms per fold would each run far past a 2 s budget.
  EXPECT_LE(seconds, 2 * 1.1);
  EXPECT_TRUE(Logged(lines, "skipped a slow trial: expected to take"));
  for (const auto& trial : result->trials) {
    EXPECT_LE(trial.seconds, 2 * 0.85) << trial.ToJson(result->metric).dump();
  }
}

TEST(AutoMlLimitsTest, TrialsOverTheirMemoryAreShrunkBeforeTheyAreSkipped) {
  AutoMlEnvironment environment = Environment();
  environment.learners = &SlowRegistry();
  // Two trials side by side get 40 KiB each: 100 "trees" need 100 KiB, 25 fit.
  environment.memory_limit_bytes = 80 << 10;
  std::vector<std::string> lines;
  environment.log = [&](const std::string& line) { lines.push_back(line); };
  TrainingSpec spec = Spec(2);
  spec.max_trials = 2;
  spec.ensemble = EnsembleMode::kNone;
  auto result = RunAutoMl(MakeFrame(200, Task::kBinary), spec, environment);
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_TRUE(Logged(lines, "shrank a slow trial from 100 to 25 trees")) << lines.size();
  ASSERT_FALSE(result->trials.empty());
  EXPECT_EQ(result->trials[0].params["n_estimators"], 25);
}

TEST(AutoMlLimitsTest, TrialsFarWorseThanTheBestOnTheirFirstFoldsArePruned) {
  LearnerRegistry registry;
  registry.Add(std::make_unique<GuessLearner>());
  AutoMlEnvironment environment = Environment();
  environment.learners = &registry;
  TrainingSpec spec = Spec(600);
  spec.search = SearchKind::kRandom;
  spec.ensemble = EnsembleMode::kNone;
  spec.max_trials = 16;
  auto result = RunAutoMl(MakeFrame(300, Task::kRegression), spec, environment);
  ASSERT_TRUE(result.has_value()) << result.error().message;
  ASSERT_EQ(result->trials.size(), 16u);
  const size_t folds = result->trials[0].fold_scores.size();
  ASSERT_GE(folds, 3u);
  int pruned = 0;
  for (const auto& trial : result->trials) {
    const std::string line = trial.ToJson(result->metric).dump();
    if (trial.pruned()) {
      ++pruned;
      // After the second fold, with its reason; no score, no predictions.
      EXPECT_EQ(trial.fold_scores.size(), 2u) << line;
      EXPECT_NE(trial.status.find("the best trial's"), std::string::npos) << line;
      EXPECT_TRUE(std::isnan(trial.score)) << line;
      EXPECT_TRUE(trial.predictions.empty()) << line;
    } else {
      EXPECT_TRUE(trial.ok()) << line;
      EXPECT_EQ(trial.fold_scores.size(), folds) << line;
    }
  }
  EXPECT_GE(pruned, 4);
  // The first trials run every fold: there is nothing yet to compare with.
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(result->trials[i].ok()) << i;
  ASSERT_EQ(result->chosen.rfind("trial ", 0), 0u) << result->chosen;  // a single trial
  EXPECT_TRUE(result->trials.at(std::stoul(result->chosen.substr(6)) - 1).ok()) << result->chosen;
}

}  // namespace
}  // namespace aimass::train
