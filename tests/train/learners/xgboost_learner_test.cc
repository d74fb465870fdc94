#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <thread>

#include "train/learner.h"
#include "train/learners/synthetic_data.h"

namespace aimass::train {
namespace {
using namespace testing;  // NOLINT: the synthetic problems and metrics
using nlohmann::json;

const Learner& Xgboost() { return **LearnerRegistry::Builtin().Get("xgboost"); }

std::unique_ptr<TrainedModel> TrainOk(const Problem& problem, const json& params,
                                      const TrainOptions& options) {
  auto model = Xgboost().Train(problem.Input(), params, options);
  EXPECT_TRUE(model.has_value()) << model.error().message;
  return model ? std::move(*model) : nullptr;
}

std::vector<double> PredictOk(const TrainedModel& model, const Matrix& features) {
  auto predictions = model.Predict(features);
  EXPECT_TRUE(predictions.has_value()) << predictions.error().message;
  return predictions ? *predictions : std::vector<double>();
}

void ExpectProbabilities(std::span<const double> values, int width) {
  ASSERT_EQ(values.size() % width, 0u);
  for (size_t i = 0; i < values.size(); i += width) {
    double sum = 0;
    for (int c = 0; c < width; ++c) {
      EXPECT_GE(values[i + c], 0);
      EXPECT_LE(values[i + c], 1);
      sum += values[i + c];
    }
    EXPECT_NEAR(sum, 1, 1e-12) << "row " << i / width;
  }
}

TEST(XgboostLearnerTest, BinaryBeatsChanceAndGivesTwoProbabilities) {
  const Problem train = MakeBinary(2000, 8, 1);
  const Problem test = MakeBinary(1000, 8, 2);
  auto model = TrainOk(train, {{"n_estimators", 100}}, Options(Task::kBinary, 2));
  ASSERT_TRUE(model);
  EXPECT_EQ(model->OutputWidth(), 2);
  const auto predictions = PredictOk(*model, test.features);
  ASSERT_EQ(predictions.size(), 2000u);
  ExpectProbabilities(predictions, 2);
  EXPECT_GT(Auc(Column(predictions, 2, 1), test.labels), 0.85);
}

TEST(XgboostLearnerTest, MulticlassProbabilitiesSumToOne) {
  const Problem train = MakeMulticlass(1500, 6, 3, 3);
  const Problem test = MakeMulticlass(600, 6, 3, 4);
  auto model = TrainOk(train, {{"n_estimators", 60}}, Options(Task::kMulticlass, 3));
  ASSERT_TRUE(model);
  EXPECT_EQ(model->OutputWidth(), 3);
  const auto predictions = PredictOk(*model, test.features);
  ExpectProbabilities(predictions, 3);
  EXPECT_GT(Accuracy(predictions, 3, test.labels), 0.85);
}

TEST(XgboostLearnerTest, RegressionFitsASmoothFunction) {
  const Problem train = MakeRegression(2000, 6, 5, 2.0);
  const Problem test = MakeRegression(1000, 6, 6, 2.0);
  auto model = TrainOk(train, {{"n_estimators", 150}}, Options(Task::kRegression, 0));
  ASSERT_TRUE(model);
  EXPECT_EQ(model->OutputWidth(), 1);
  EXPECT_GT(RSquared(PredictOk(*model, test.features), test.labels), 0.9);
}

TEST(XgboostLearnerTest, SerializeThenLoadPredictsIdentically) {
  const Problem train = MakeMulticlass(800, 5, 3, 8);
  const Problem validation = MakeMulticlass(300, 5, 3, 9);
  const TrainInput held_out = validation.Input();
  TrainOptions options = Options(Task::kMulticlass, 3);
  options.validation = &held_out;
  auto model = TrainOk(train, {{"n_estimators", 40}}, options);
  ASSERT_TRUE(model);
  auto bytes = model->Serialize();
  ASSERT_TRUE(bytes) << bytes.error().message;
  EXPECT_EQ((*bytes)[0], '{');  // UBJSON opens an object with '{' too, then a length marker
  auto loaded = Xgboost().Load(*bytes, Task::kMulticlass, 3);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(PredictOk(**loaded, validation.features), PredictOk(*model, validation.features));
  EXPECT_EQ((*loaded)->Importance(), model->Importance());
  EXPECT_EQ((*loaded)->Info(), model->Info());
}

TEST(XgboostLearnerTest, SameSeedSamePredictionsOtherSeedOthers) {
  const Problem train = MakeBinary(500, 6, 10);
  const json params = {{"n_estimators", 10}, {"subsample", 0.7}, {"colsample_bytree", 0.6}};
  // Two threads: the histograms are summed in parallel, and must still be reproducible.
  auto first = TrainOk(train, params, Options(Task::kBinary, 2, 1, 2));
  auto again = TrainOk(train, params, Options(Task::kBinary, 2, 1, 2));
  auto other = TrainOk(train, params, Options(Task::kBinary, 2, 2, 2));
  ASSERT_TRUE(first && again && other);
  const auto predictions = PredictOk(*first, train.features);
  EXPECT_EQ(predictions, PredictOk(*again, train.features));
  EXPECT_NE(predictions, PredictOk(*other, train.features));
  EXPECT_EQ(*first->Serialize(), *again->Serialize());
}

TEST(XgboostLearnerTest, EarlyStoppingKeepsTheBestRoundsOnANoisyTarget) {
  // 30% of the labels flipped: some signal, then the trees learn the noise and the
  // validation loss turns up again.
  Problem train = MakeBinary(1000, 5, 11);
  Problem validation = MakeBinary(500, 5, 12);
  std::mt19937_64 random(13);
  for (auto* problem : {&train, &validation}) {
    for (float& label : problem->labels) {
      if (random() % 10 < 3) label = 1 - label;
    }
  }
  const TrainInput held_out = validation.Input();
  TrainOptions options = Options(Task::kBinary, 2);
  options.validation = &held_out;
  const json params = {{"n_estimators", 500}, {"learning_rate", 0.1}, {"max_depth", 3}};
  auto model = TrainOk(train, params, options);
  ASSERT_TRUE(model);
  const json info = model->Info();
  ASSERT_TRUE(info.contains("best_iteration")) << info.dump();
  const int best = info["best_iteration"];
  EXPECT_EQ(info["stopped"], "early_stopping");
  EXPECT_EQ(info["rounds"], best + 1);
  EXPECT_EQ(info["trained_rounds"], best + 31);
  EXPECT_LT(info["trained_rounds"].get<int>(), 500);
  EXPECT_EQ(info["metric"], "logloss");

  // The kept model is the model of the best round: the same as training best + 1 rounds.
  ASSERT_GE(best + 1, 10) << info.dump();
  json exact = params;
  exact["n_estimators"] = best + 1;
  auto same = TrainOk(train, exact, Options(Task::kBinary, 2));
  ASSERT_TRUE(same);
  EXPECT_EQ(PredictOk(*model, validation.features), PredictOk(*same, validation.features));
  EXPECT_EQ(same->Info()["stopped"], "max_rounds");
  // And its validation logloss is the best score reported.
  const auto predictions = PredictOk(*model, validation.features);
  double logloss = 0;
  for (size_t i = 0; i < validation.labels.size(); ++i) {
    logloss -=
        std::log(std::max(predictions[2 * i + static_cast<size_t>(validation.labels[i])], 1e-15));
  }
  EXPECT_NEAR(logloss / validation.labels.size(), info["best_score"].get<double>(), 1e-5);
}

TEST(XgboostLearnerTest, ConcurrentPredictionsOfALoadedModelAgree) {
  const Problem train = MakeMulticlass(500, 4, 3, 27);
  auto model = TrainOk(train, {{"n_estimators", 20}}, Options(Task::kMulticlass, 3));
  ASSERT_TRUE(model);
  const auto expected = PredictOk(*model, train.features);
  // Freshly loaded: the first predictions also race on XGBoost's lazy configuration.
  auto loaded = Xgboost().Load(*model->Serialize(), Task::kMulticlass, 3);
  ASSERT_TRUE(loaded);
  std::vector<std::vector<double>> results(4);
  std::vector<std::thread> threads;
  for (auto& result : results) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) result = *(*loaded)->Predict(train.features);
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& result : results) EXPECT_EQ(result, expected);
}

TEST(XgboostLearnerTest, DeadlineInThePastStillGivesAModelQuickly) {
  const Problem train = MakeBinary(2000, 8, 14);
  TrainOptions options = Options(Task::kBinary, 2);
  options.deadline = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  const auto start = std::chrono::steady_clock::now();
  auto model = TrainOk(train, {{"n_estimators", 2000}}, options);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  ASSERT_TRUE(model);
  EXPECT_EQ(model->Info()["stopped"], "deadline");
  EXPECT_EQ(model->Info()["rounds"], 1);
  const auto predictions = PredictOk(*model, train.features);
  ExpectProbabilities(predictions, 2);
  EXPECT_GT(Auc(Column(predictions, 2, 1), train.labels), 0.7);
}

TEST(XgboostLearnerTest, ShouldStopCancels) {
  const Problem train = MakeBinary(500, 4, 15);
  TrainOptions options = Options(Task::kBinary, 2);
  int polls = 0;
  options.should_stop = [&] { return ++polls > 3; };
  auto model = Xgboost().Train(train.Input(), {{"n_estimators", 100}}, options);
  ASSERT_FALSE(model);
  EXPECT_EQ(model.error().code, ErrorCode::kCancelled);
  EXPECT_EQ(polls, 4);
}

TEST(XgboostLearnerTest, UnknownAndOutOfRangeParametersAreRejected) {
  const Problem train = MakeBinary(200, 4, 16);
  const TrainOptions options = Options(Task::kBinary, 2);
  auto unknown = Xgboost().Train(train.Input(), {{"max_dept", 3}}, options);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(unknown.error().message.find("'max_dept'"), std::string::npos);
  EXPECT_NE(unknown.error().message.find("max_depth"), std::string::npos);  // the known ones

  auto deep = Xgboost().Train(train.Input(), {{"max_depth", 50}}, options);
  ASSERT_FALSE(deep);
  EXPECT_EQ(deep.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(deep.error().message.find("'max_depth' = 50"), std::string::npos);
  EXPECT_NE(deep.error().message.find("an integer in [2, 12]"), std::string::npos);

  for (const json& bad : {json{{"max_depth", 3.5}}, json{{"learning_rate", 0}},
                          json{{"subsample", "0.5"}}, json::array({1})}) {
    auto model = Xgboost().Train(train.Input(), bad, options);
    ASSERT_FALSE(model) << bad.dump();
    EXPECT_EQ(model.error().code, ErrorCode::kInvalidArgument) << bad.dump();
  }
  // A whole number written as 3.0 is an integer.
  EXPECT_TRUE(Xgboost().Train(train.Input(), {{"max_depth", 3.0}, {"n_estimators", 10}}, options));
}

TEST(XgboostLearnerTest, BadLabelsAndShapesAreInvalidArguments) {
  Problem train = MakeBinary(100, 4, 17);
  train.labels[42] = 2;
  auto model = Xgboost().Train(train.Input(), {}, Options(Task::kBinary, 2));
  ASSERT_FALSE(model);
  EXPECT_EQ(model.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(model.error().message.find("row 42"), std::string::npos) << model.error().message;

  train.labels[42] = 1;
  auto trained = TrainOk(train, {{"n_estimators", 10}}, Options(Task::kBinary, 2));
  ASSERT_TRUE(trained);
  const Problem narrow = MakeBinary(10, 3, 18);
  auto predictions = trained->Predict(narrow.features);
  ASSERT_FALSE(predictions);
  EXPECT_EQ(predictions.error().code, ErrorCode::kInvalidArgument);
}

TEST(XgboostLearnerTest, ImportanceRanksInformativeAboveNoise) {
  const Problem train = MakeBinary(2000, 8, 19);
  auto model = TrainOk(train, {{"n_estimators", 50}}, Options(Task::kBinary, 2));
  ASSERT_TRUE(model);
  const auto importance = model->Importance();
  ASSERT_EQ(importance.size(), 8u);
  EXPECT_GT(importance[0], 5 * importance[7]);
  EXPECT_GT(importance[1], 5 * importance[6]);
}

TEST(XgboostLearnerTest, UnusedFeatureHasZeroImportance) {
  Problem train = MakeBinary(500, 5, 20);
  for (int64_t i = 0; i < train.features.rows; ++i) train.features.values[i * 5 + 4] = 1.0f;
  auto model = TrainOk(train, {{"n_estimators", 20}}, Options(Task::kBinary, 2));
  ASSERT_TRUE(model);
  EXPECT_EQ(model->Importance()[4], 0);
}

TEST(XgboostLearnerTest, BinaryContributionsSumToTheLogit) {
  const Problem train = MakeBinary(1000, 6, 21);
  const Problem test = MakeBinary(50, 6, 22);
  auto model = TrainOk(train, {{"n_estimators", 50}}, Options(Task::kBinary, 2));
  ASSERT_TRUE(model);
  auto contributions = model->Contributions(test.features);
  ASSERT_TRUE(contributions) << contributions.error().message;
  ASSERT_EQ(contributions->size(), 50u * 7);
  const auto predictions = PredictOk(*model, test.features);
  for (size_t i = 0; i < 50; ++i) {
    double sum = 0;
    for (size_t j = 0; j < 7; ++j) sum += (*contributions)[i * 7 + j];
    const double p = predictions[2 * i + 1];
    EXPECT_NEAR(sum, std::log(p / (1 - p)), 1e-4) << "row " << i;
  }
}

TEST(XgboostLearnerTest, MulticlassContributionsGiveTheSoftmax) {
  const Problem train = MakeMulticlass(600, 4, 3, 23);
  const Problem test = MakeMulticlass(20, 4, 3, 24);
  auto model = TrainOk(train, {{"n_estimators", 20}}, Options(Task::kMulticlass, 3));
  ASSERT_TRUE(model);
  auto contributions = model->Contributions(test.features);
  ASSERT_TRUE(contributions) << contributions.error().message;
  ASSERT_EQ(contributions->size(), 20u * 3 * 5);
  const auto predictions = PredictOk(*model, test.features);
  for (size_t i = 0; i < 20; ++i) {
    double margins[3] = {0, 0, 0};
    for (size_t c = 0; c < 3; ++c) {
      for (size_t j = 0; j < 5; ++j) margins[c] += (*contributions)[(i * 3 + c) * 5 + j];
    }
    const double total = std::exp(margins[0]) + std::exp(margins[1]) + std::exp(margins[2]);
    for (size_t c = 0; c < 3; ++c) {
      EXPECT_NEAR(std::exp(margins[c]) / total, predictions[i * 3 + c], 1e-5);
    }
  }
}

TEST(XgboostLearnerTest, MissingValuesAndWeights) {
  Problem train = MakeBinary(1000, 5, 25);
  for (size_t i = 0; i < train.features.values.size(); i += 7) {
    train.features.values[i] = std::numeric_limits<float>::quiet_NaN();
  }
  const json params = {{"n_estimators", 20}};
  auto plain = TrainOk(train, params, Options(Task::kBinary, 2));
  // Positive rows weigh 10: the model predicts class 1 more often.
  for (float label : train.labels) train.weights.push_back(label == 1 ? 10.0f : 1.0f);
  auto weighted = TrainOk(train, params, Options(Task::kBinary, 2));
  ASSERT_TRUE(plain && weighted);
  const auto a = PredictOk(*plain, train.features);
  const auto b = PredictOk(*weighted, train.features);
  double mean_a = 0, mean_b = 0;
  for (size_t i = 1; i < a.size(); i += 2) mean_a += a[i], mean_b += b[i];
  EXPECT_GT(mean_b, mean_a * 1.2);
}

TEST(XgboostLearnerTest, LoadRejectsWhatIsNotAModelForTheTask) {
  auto junk = Xgboost().Load("not a model", Task::kBinary, 2);
  ASSERT_FALSE(junk);
  EXPECT_EQ(junk.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(Xgboost().Load("", Task::kBinary, 2));

  const Problem train = MakeBinary(200, 3, 26);
  auto model = TrainOk(train, {{"n_estimators", 10}}, Options(Task::kBinary, 2));
  ASSERT_TRUE(model);
  auto as_multiclass = Xgboost().Load(*model->Serialize(), Task::kMulticlass, 3);
  ASSERT_FALSE(as_multiclass);
  EXPECT_NE(as_multiclass.error().message.find("binary:logistic"), std::string::npos);
  EXPECT_FALSE(Xgboost().Load(*model->Serialize(), Task::kRegression, 0));
}

TEST(XgboostLearnerTest, MemoryEstimateGrowsWithTheProblem) {
  const TrainOptions options = Options(Task::kBinary, 2);
  const int64_t small = Xgboost().EstimateMemory(10'000, 10, {}, options);
  const int64_t large = Xgboost().EstimateMemory(1'000'000, 50, {}, options);
  EXPECT_GT(small, 10'000 * 10 * 8);
  EXPECT_GT(large, 1'000'000LL * 50 * 9);  // at least the CSR copy and the quantized index
  EXPECT_LT(large, 4LL << 30);             // ~1 GB for the default depth 6
  EXPECT_GT(Xgboost().EstimateMemory(1'000'000, 50, {{"max_depth", 12}}, options), large);
  // Invalid parameters do not break an estimate.
  EXPECT_EQ(Xgboost().EstimateMemory(1'000'000, 50, {{"nope", 1}}, options), large);
}

}  // namespace
}  // namespace aimass::train
