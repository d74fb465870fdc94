// The evaluation JSON: metrics, confusion matrix, ROC curve, residuals.
#include "train/evaluation.h"

#include <gtest/gtest.h>

#include <random>

namespace aimass::train {
namespace {

TEST(EvaluationTest, BinaryHasMetricsConfusionAndRocCurve) {
  const std::vector<std::string> classes = {"no", "yes"};
  const std::vector<float> labels = {0, 0, 1, 1, 1};
  const std::vector<double> p = {0.9, 0.1, 0.3, 0.7, 0.2, 0.8, 0.6, 0.4, 0.3, 0.7};
  auto json = Evaluate(Task::kBinary, classes, labels, p, 2, 0);
  ASSERT_TRUE(json.has_value()) << json.error().message;
  EXPECT_EQ((*json)["task"], "binary");
  EXPECT_EQ((*json)["rows"], 5);
  EXPECT_EQ((*json)["metrics"].size(), 5u);
  EXPECT_DOUBLE_EQ((*json)["metrics"]["accuracy"].get<double>(), 0.6);
  const auto& confusion = (*json)["confusion_matrix"];
  EXPECT_EQ(confusion["classes"], nlohmann::json({"no", "yes"}));
  // Row = actual: "no" once right, once called "yes"; "yes" twice right, once called "no".
  EXPECT_EQ(confusion["counts"], nlohmann::json({{1, 1}, {1, 2}}));
  const auto& roc = (*json)["roc_curve"];
  EXPECT_EQ(roc["fpr"].front(), 0.0);
  EXPECT_EQ(roc["tpr"].front(), 0.0);
  EXPECT_EQ(roc["fpr"].back(), 1.0);
  EXPECT_EQ(roc["tpr"].back(), 1.0);
  EXPECT_TRUE(roc["thresholds"].front().is_null());
  EXPECT_EQ(roc["fpr"].size(), 5u);  // start + 4 distinct scores (0.7 twice)
  EXPECT_FALSE(json->contains("residuals"));
}

TEST(EvaluationTest, RocCurveIsThinnedAndUndefinedMetricsAreNull) {
  std::mt19937_64 rng(1);
  std::vector<float> labels;
  std::vector<double> p;
  for (int i = 0; i < 5000; ++i) {
    labels.push_back(static_cast<float>(rng() % 2));
    p.push_back(static_cast<double>(rng() % 1000000) / 1e6);
  }
  auto json = Evaluate(Task::kBinary, {}, labels, p, 1, 0);
  ASSERT_TRUE(json.has_value()) << json.error().message;
  EXPECT_LE((*json)["roc_curve"]["fpr"].size(), kMaxRocPoints);
  EXPECT_GE((*json)["roc_curve"]["fpr"].size(), kMaxRocPoints - 1);
  EXPECT_EQ((*json)["roc_curve"]["tpr"].back(), 1.0);
  EXPECT_EQ((*json)["confusion_matrix"]["classes"], nlohmann::json({"0", "1"}));

  const std::vector<float> one_class = {1, 1};
  const std::vector<double> two = {0.4, 0.9};
  auto undefined = Evaluate(Task::kBinary, {}, one_class, two, 1, 0);
  ASSERT_TRUE(undefined.has_value()) << undefined.error().message;
  EXPECT_TRUE((*undefined)["metrics"]["roc_auc"].is_null());
  EXPECT_EQ((*undefined)["metrics"]["accuracy"], 0.5);

  const std::vector<double> wrong_size = {0.4};
  EXPECT_FALSE(Evaluate(Task::kBinary, {}, one_class, wrong_size, 1, 0).has_value());
}

TEST(EvaluationTest, MulticlassConfusion) {
  const std::vector<std::string> classes = {"a", "b", "c"};
  const std::vector<float> labels = {0, 1, 2, 2};
  const std::vector<double> p = {.8, .1, .1, .2, .7, .1, .1, .6, .3, .1, .1, .8};
  auto json = Evaluate(Task::kMulticlass, classes, labels, p, 3, 0);
  ASSERT_TRUE(json.has_value()) << json.error().message;
  EXPECT_EQ((*json)["confusion_matrix"]["counts"],
            nlohmann::json({{1, 0, 0}, {0, 1, 0}, {0, 1, 1}}));
  EXPECT_FALSE(json->contains("roc_curve"));
  EXPECT_TRUE((*json)["metrics"].contains("log_loss"));
}

TEST(EvaluationTest, RegressionResidualsAreSampledDeterministically) {
  std::vector<float> labels;
  std::vector<double> predictions;
  for (int i = 0; i < 5000; ++i) {
    labels.push_back(static_cast<float>(i));
    predictions.push_back(i + 0.5);
  }
  auto a = Evaluate(Task::kRegression, {}, labels, predictions, 1, 9);
  auto b = Evaluate(Task::kRegression, {}, labels, predictions, 1, 9);
  auto c = Evaluate(Task::kRegression, {}, labels, predictions, 1, 10);
  ASSERT_TRUE(a && b && c);
  const auto& residuals = (*a)["residuals"];
  ASSERT_EQ(residuals["actual"].size(), kMaxResiduals);
  for (size_t i = 0; i < kMaxResiduals; ++i) {
    EXPECT_EQ(residuals["predicted"][i].get<double>(), residuals["actual"][i].get<double>() + 0.5);
  }
  EXPECT_EQ(residuals, (*b)["residuals"]);
  EXPECT_NE(residuals, (*c)["residuals"]);
  EXPECT_GT(residuals["actual"].back().get<double>(), 4000) << "sampled across all rows";
  EXPECT_DOUBLE_EQ((*a)["metrics"]["mae"].get<double>(), 0.5);
  EXPECT_EQ((*a)["metrics"].size(), 3u);
}

}  // namespace
}  // namespace aimass::train
