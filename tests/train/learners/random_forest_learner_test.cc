#include <gtest/gtest.h>

#include <cmath>

#include "train/learner.h"
#include "train/learners/synthetic_data.h"

namespace aimass::train {
namespace {
using namespace testing;  // NOLINT: the synthetic problems and metrics
using nlohmann::json;

const Learner& Forest() { return **LearnerRegistry::Builtin().Get("rf"); }

std::unique_ptr<TrainedModel> TrainOk(const Problem& problem, const json& params,
                                      const TrainOptions& options) {
  auto model = Forest().Train(problem.Input(), params, options);
  EXPECT_TRUE(model.has_value()) << model.error().message;
  return model ? std::move(*model) : nullptr;
}

std::vector<double> PredictOk(const TrainedModel& model, const Matrix& features) {
  auto predictions = model.Predict(features);
  EXPECT_TRUE(predictions.has_value()) << predictions.error().message;
  return predictions ? *predictions : std::vector<double>();
}

TEST(RandomForestLearnerTest, BinaryBeatsChance) {
  const Problem train = MakeBinary(2000, 8, 1);
  const Problem test = MakeBinary(1000, 8, 2);
  auto model = TrainOk(train, {{"n_estimators", 50}, {"max_depth", 8}}, Options(Task::kBinary, 2));
  ASSERT_TRUE(model);
  const auto predictions = PredictOk(*model, test.features);
  ASSERT_EQ(predictions.size(), 2000u);
  for (size_t i = 0; i < predictions.size(); i += 2) {
    ASSERT_GE(predictions[i + 1], 0);
    ASSERT_LE(predictions[i + 1], 1);
    ASSERT_DOUBLE_EQ(predictions[i] + predictions[i + 1], 1);
  }
  EXPECT_GT(Auc(Column(predictions, 2, 1), test.labels), 0.85);
  EXPECT_EQ(model->Info()["trees"], 50);
  EXPECT_EQ(model->Info()["rounds"], 1);
}

TEST(RandomForestLearnerTest, MulticlassAccuracy) {
  const Problem train = MakeMulticlass(1500, 6, 4, 3);
  const Problem test = MakeMulticlass(600, 6, 4, 4);
  auto model =
      TrainOk(train, {{"n_estimators", 20}, {"max_depth", 8}}, Options(Task::kMulticlass, 4));
  ASSERT_TRUE(model);
  const auto predictions = PredictOk(*model, test.features);
  ASSERT_EQ(predictions.size(), 600u * 4);
  for (size_t i = 0; i < predictions.size(); i += 4) {
    EXPECT_NEAR(predictions[i] + predictions[i + 1] + predictions[i + 2] + predictions[i + 3], 1,
                1e-12);
  }
  EXPECT_GT(Accuracy(predictions, 4, test.labels), 0.8);
}

TEST(RandomForestLearnerTest, RegressionFitsASmoothFunction) {
  const Problem train = MakeRegression(2000, 4, 5, 1.0);
  const Problem test = MakeRegression(500, 4, 6, 1.0);
  auto model = TrainOk(train, {{"n_estimators", 30}, {"colsample_bynode", 1.0}},
                       Options(Task::kRegression, 0));
  ASSERT_TRUE(model);
  EXPECT_GT(RSquared(PredictOk(*model, test.features), test.labels), 0.8);
}

TEST(RandomForestLearnerTest, SeedDecidesTheForest) {
  const Problem train = MakeBinary(800, 6, 7);
  const json params = {{"n_estimators", 20}};
  auto first = TrainOk(train, params, Options(Task::kBinary, 2, 1));
  auto again = TrainOk(train, params, Options(Task::kBinary, 2, 1));
  auto other = TrainOk(train, params, Options(Task::kBinary, 2, 2));
  ASSERT_TRUE(first && again && other);
  const auto predictions = PredictOk(*first, train.features);
  EXPECT_EQ(predictions, PredictOk(*again, train.features));
  EXPECT_NE(predictions, PredictOk(*other, train.features));
}

TEST(RandomForestLearnerTest, SerializeThenLoadPredictsIdentically) {
  const Problem train = MakeRegression(500, 4, 8, 1.0);
  auto model = TrainOk(train, {{"n_estimators", 20}}, Options(Task::kRegression, 0));
  ASSERT_TRUE(model);
  auto loaded = Forest().Load(*model->Serialize(), Task::kRegression, 0);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(PredictOk(**loaded, train.features), PredictOk(*model, train.features));
  EXPECT_EQ((*loaded)->Info(), model->Info());
}

TEST(RandomForestLearnerTest, ImportanceAndContributions) {
  const Problem train = MakeBinary(1500, 6, 9);
  auto model = TrainOk(train, {{"n_estimators", 30}}, Options(Task::kBinary, 2));
  ASSERT_TRUE(model);
  const auto importance = model->Importance();
  ASSERT_EQ(importance.size(), 6u);
  EXPECT_GT(importance[0], 3 * importance[5]);
  const Problem test = MakeBinary(20, 6, 10);
  auto contributions = model->Contributions(test.features);
  ASSERT_TRUE(contributions) << contributions.error().message;
  const auto predictions = PredictOk(*model, test.features);
  for (size_t i = 0; i < 20; ++i) {
    double sum = 0;
    for (size_t j = 0; j < 7; ++j) sum += (*contributions)[i * 7 + j];
    const double p = predictions[2 * i + 1];
    EXPECT_NEAR(sum, std::log(p / (1 - p)), 1e-4);
  }
}

TEST(RandomForestLearnerTest, ParametersAreChecked) {
  const Problem train = MakeBinary(100, 3, 11);
  auto model = Forest().Train(train.Input(), {{"subsample", 0.95}}, Options(Task::kBinary, 2));
  ASSERT_FALSE(model);
  EXPECT_EQ(model.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(model.error().message.find("'subsample'"), std::string::npos);
  EXPECT_NE(model.error().message.find("[0.3, 0.9]"), std::string::npos);
  // A boosting parameter is not a forest parameter.
  EXPECT_FALSE(Forest().Train(train.Input(), {{"learning_rate", 0.1}}, Options(Task::kBinary, 2)));
}

TEST(RandomForestLearnerTest, ShouldStopCancels) {
  const Problem train = MakeBinary(100, 3, 12);
  TrainOptions options = Options(Task::kBinary, 2);
  options.should_stop = [] { return true; };
  auto model = Forest().Train(train.Input(), {}, options);
  ASSERT_FALSE(model);
  EXPECT_EQ(model.error().code, ErrorCode::kCancelled);
}

TEST(RandomForestLearnerTest, MemoryEstimateCountsTheTrees) {
  const TrainOptions options = Options(Task::kMulticlass, 5);
  EXPECT_GT(Forest().EstimateMemory(100'000, 20, {{"n_estimators", 300}}, options),
            Forest().EstimateMemory(100'000, 20, {{"n_estimators", 50}}, options));
}

}  // namespace
}  // namespace aimass::train
