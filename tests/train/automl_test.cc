// The whole AutoML run on small synthetic frames: it learns, respects its budget and seed,
// saves a pipeline that predicts raw records, and refuses bad input clearly.
#include "train/automl.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>

#include "train/automl_frames.h"

namespace aimass::train {
namespace {
using namespace testing;  // NOLINT: the synthetic frames

TEST(AutoMlTest, BinaryRunLearnsAndItsPipelinePredictsRecords) {
  const Frame frame = MakeFrame(600, Task::kBinary);
  TrainingSpec spec = Spec();
  spec.max_trials = 6;
  std::vector<std::string> lines;
  AutoMlEnvironment environment = Environment();
  environment.log = [&](const std::string& line) { lines.push_back(line); };
  auto result = RunAutoMl(frame, spec, environment);
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(result->task, Task::kBinary);
  EXPECT_EQ(result->metric, Metric::kRocAuc);
  EXPECT_EQ(result->classes, (std::vector<std::string>{"no", "yes"}));
  EXPECT_GT(result->score, 0.9);
  EXPECT_GE(result->trials.size(), 6u);
  EXPECT_FALSE(result->leaderboard.empty());
  EXPECT_EQ(result->evaluation["confusion_matrix"]["classes"].size(), 2u);
  ASSERT_FALSE(result->importance.empty());
  EXPECT_EQ(result->importance[0]["feature"], "x1");

  const nlohmann::json records = {{{"x1", 2.5}, {"x2", 0.0}, {"x3", 0.1}, {"city", "oslo"}},
                                  {{"x1", -2.5}, {"city", "atlantis"}}};
  auto predicted = result->pipeline->PredictRecords(records);
  ASSERT_TRUE(predicted.has_value()) << predicted.error().message;
  EXPECT_EQ((*predicted)[0]["prediction"], "yes");
  EXPECT_EQ((*predicted)[1]["prediction"], "no");  // an unseen city is not an error
  const auto& p = (*predicted)[0]["probabilities"];
  EXPECT_NEAR(p["yes"].get<double>() + p["no"].get<double>(), 1.0, 1e-9);

  // Saved and loaded back, it predicts the same numbers.
  auto files = result->pipeline->Save();
  ASSERT_TRUE(files.has_value()) << files.error().message;
  auto loaded = Pipeline::Load(files->Reader(), LearnerRegistry::Builtin());
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
  EXPECT_EQ(*(*loaded)->PredictRecords(records), *predicted);
}

TEST(AutoMlTest, MulticlassAndRegressionRuns) {
  TrainingSpec spec = Spec(8);
  spec.max_trials = 4;
  const AutoMlEnvironment env = Environment();
  auto multiclass = RunAutoMl(MakeFrame(600, Task::kMulticlass), spec, env);
  ASSERT_TRUE(multiclass.has_value()) << multiclass.error().message;
  EXPECT_EQ(multiclass->task, Task::kMulticlass);
  EXPECT_EQ(multiclass->metric, Metric::kLogLoss);
  EXPECT_LT(multiclass->score, 0.7);  // chance is ln 3 = 1.10
  auto regression = RunAutoMl(MakeFrame(600, Task::kRegression), spec, env);
  ASSERT_TRUE(regression.has_value()) << regression.error().message;
  EXPECT_EQ(regression->task, Task::kRegression);
  EXPECT_LT(regression->score, 0.8);  // the target's standard deviation is about 2.3
}

TEST(AutoMlTest, SameSeedGivesTheSameLeaderboard) {
  TrainingSpec spec = Spec(600);
  spec.max_trials = 8;
  spec.search = SearchKind::kBayes;
  spec.ensemble = EnsembleMode::kNone;
  const Frame frame = MakeFrame(400, Task::kBinary);
  auto a = RunAutoMl(frame, spec, Environment());
  auto b = RunAutoMl(frame, spec, Environment());
  ASSERT_TRUE(a.has_value() && b.has_value());
  ASSERT_EQ(a->trials.size(), b->trials.size());
  for (size_t i = 0; i < a->trials.size(); ++i) {
    EXPECT_EQ(a->trials[i].params, b->trials[i].params) << i;
    EXPECT_EQ(a->trials[i].status, b->trials[i].status) << i;
    EXPECT_EQ(a->trials[i].fold_scores, b->trials[i].fold_scores) << i;  // pruned: no score
    if (a->trials[i].ok()) {
      EXPECT_EQ(a->trials[i].score, b->trials[i].score) << i;
    }
  }
}

TEST(AutoMlTest, EverySearchStrategyRuns) {
  for (auto search : {SearchKind::kRandom, SearchKind::kGrid, SearchKind::kHalving}) {
    TrainingSpec spec = Spec();
    spec.search = search;
    spec.max_trials = 12;
    auto result = RunAutoMl(MakeFrame(900, Task::kBinary), spec, Environment());
    ASSERT_TRUE(result.has_value()) << SearchKindName(search) << ": " << result.error().message;
    EXPECT_GT(result->score, 0.9) << SearchKindName(search);
  }
}

TEST(AutoMlTest, FinishesWithinItsBudget) {
#ifdef __SANITIZE_ADDRESS__
  GTEST_SKIP() << "a sanitizer slows our code, not XGBoost's: the Release run checks the time";
#endif
  const auto start = std::chrono::steady_clock::now();
  auto result = RunAutoMl(MakeFrame(2000, Task::kBinary), Spec(4), Environment());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_LE(seconds, 4 * 1.1 + 0.5);
  EXPECT_GE(result->trials.size(), 2u);
}

TEST(AutoMlTest, StopRequestCancels) {
  AutoMlEnvironment environment = Environment();
  int trials = 0;
  environment.trial_finished = [&](const TrialRecord&, Metric) { ++trials; };
  environment.should_stop = [&] { return trials >= 1; };
  auto result = RunAutoMl(MakeFrame(600, Task::kBinary), Spec(), environment);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kCancelled);
}

TEST(AutoMlTest, BadInputIsRefusedClearly) {
  const Frame frame = MakeFrame(100, Task::kBinary);
  TrainingSpec spec = Spec();
  spec.target = "nope";
  auto missing = RunAutoMl(frame, spec, Environment());
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message.find("x1, x2"), std::string::npos) << missing.error().message;

  Frame constant = frame;
  for (auto& text : constant.columns.back().texts) text = "same";
  auto one_value = RunAutoMl(constant, Spec(), Environment());
  ASSERT_FALSE(one_value.has_value());
  EXPECT_EQ(one_value.error().code, ErrorCode::kInvalidArgument);

  spec = Spec();
  spec.cv_folds = 20;
  auto few_rows = RunAutoMl(MakeFrame(12, Task::kBinary), spec, Environment());
  ASSERT_FALSE(few_rows.has_value());
  EXPECT_NE(few_rows.error().message.find("fold"), std::string::npos) << few_rows.error().message;
}

TEST(AutoMlTest, TrialsThatWouldNotFitInMemoryAreSkippedAndSaidSo) {
  AutoMlEnvironment environment = Environment();
  environment.memory_limit_bytes = 64 << 10;  // the folds fit, no trial does
  std::vector<std::string> lines;
  environment.log = [&](const std::string& line) { lines.push_back(line); };
  auto result = RunAutoMl(MakeFrame(300, Task::kBinary), Spec(), environment);
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().message.find("more memory than the"), std::string::npos)
      << result.error().message;
  bool logged = false;
  for (const auto& line : lines)
    logged |= line.find("skipped a xgboost trial") != std::string::npos;
  EXPECT_TRUE(logged);
}

TEST(TrainingSpecTest, RefusesBadFields) {
  const auto message = [](nlohmann::json body) {
    auto spec = ParseTrainingSpec(body);
    return spec ? std::string() : spec.error().message;
  };
  const nlohmann::json base = {{"dataset", "d"}, {"target", "y"}};
  EXPECT_EQ(message(base), "");
  EXPECT_NE(message({{"dataset", "d"}}).find("'target' is required"), std::string::npos);
  auto with = [&](const char* key, nlohmann::json value) {
    nlohmann::json body = base;
    body[key] = std::move(value);
    return message(body);
  };
  EXPECT_NE(with("budget", 0).find("more than 0 seconds"), std::string::npos);
  EXPECT_NE(with("budget", "-5m").find("more than 0 seconds"), std::string::npos);
  EXPECT_NE(with("budget", "soon").find("90s, 5m or 1h"), std::string::npos);
  EXPECT_EQ(*ParseBudget("5m"), 300);
  EXPECT_NE(with("learners", "xgboost,magic").find("unknown learner 'magic'"), std::string::npos);
  EXPECT_NE(with("search", "genetic").find("random, grid, bayes or halving"), std::string::npos);
  EXPECT_NE(with("ensemble", "soup").find("voting"), std::string::npos);
  EXPECT_NE(with("cv", 1).find("2 to 20"), std::string::npos);
  EXPECT_NE(with("holdout", 1.5).find("between 0 and 1"), std::string::npos);
  EXPECT_NE(with("task", "ranking").find("binary, multiclass or regression"), std::string::npos);
}

}  // namespace
}  // namespace aimass::train
