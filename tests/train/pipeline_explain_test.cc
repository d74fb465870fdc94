// Per-prediction contributions of trained pipelines: per input column (one-hot parts summed),
// adding up with the bias to the model's margin, for trees and linear models of every task;
// ensembles say why they cannot.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "train/automl_frames.h"

namespace aimass::train {
namespace {
using namespace testing;  // NOLINT: the synthetic frames

std::shared_ptr<const Pipeline> TrainSingle(const Frame& frame, const std::string& learner) {
  TrainingSpec spec = Spec();
  spec.learners = {learner};
  spec.ensemble = EnsembleMode::kNone;
  spec.max_trials = 2;
  auto result = RunAutoMl(frame, spec, Environment());
  EXPECT_TRUE(result.has_value()) << result.error().message;
  return result ? result->pipeline : nullptr;
}

// Row r, group g: bias + the sum of the columns' contributions.
double Margin(const Pipeline::Explanation& explained, size_t row, size_t group) {
  const size_t width = explained.columns.size() + 1;
  const double* values = explained.values.data() + (row * explained.groups.size() + group) * width;
  return std::accumulate(values, values + width, 0.0);
}

class PipelineExplainTest : public ::testing::TestWithParam<std::string> {};

TEST_P(PipelineExplainTest, BinaryContributionsAddUpToTheLogOdds) {
  const Frame frame = MakeFrame(500, Task::kBinary);
  auto pipeline = TrainSingle(frame, GetParam());
  ASSERT_NE(pipeline, nullptr);
  auto explained = pipeline->Explain(frame);
  ASSERT_TRUE(explained) << explained.error().message;
  EXPECT_EQ(explained->columns, (std::vector<std::string>{"x1", "x2", "x3", "city"}));
  EXPECT_EQ(explained->groups, (std::vector<std::string>{""}));
  auto predicted = pipeline->Predict(frame);
  ASSERT_TRUE(predicted);
  std::vector<double> mean_abs(4, 0.0);
  for (size_t r = 0; r < static_cast<size_t>(frame.rows); ++r) {
    // Beyond log-odds of +-25 a probability in double no longer pins its log-odds to 1e-3.
    const double p = (*predicted)[2 * r + 1];
    if (p > 1e-11 && p < 1 - 1e-11) {
      ASSERT_NEAR(Margin(*explained, r, 0), std::log(p / (1 - p)), 1e-3) << "row " << r;
    }
    for (size_t j = 0; j < 4; ++j) mean_abs[j] += std::abs(explained->values[r * 5 + j]);
  }
  // y leans on x1 most and not at all on x3.
  EXPECT_GT(mean_abs[0], mean_abs[1]);
  EXPECT_GT(mean_abs[0], 3 * mean_abs[2]);
}

TEST_P(PipelineExplainTest, MulticlassHasOneSetPerClassAndRegressionIsTheNumber) {
  const Frame classes = MakeFrame(500, Task::kMulticlass);
  auto pipeline = TrainSingle(classes, GetParam());
  ASSERT_NE(pipeline, nullptr);
  auto explained = pipeline->Explain(classes);
  ASSERT_TRUE(explained) << explained.error().message;
  EXPECT_EQ(explained->groups, pipeline->classes());
  auto predicted = pipeline->Predict(classes);
  ASSERT_TRUE(predicted);
  const size_t k = explained->groups.size();
  for (size_t r = 0; r < static_cast<size_t>(classes.rows); ++r) {
    // The margins give the probabilities by their softmax (trees, and the multinomial
    // linear model).
    const auto link = [](double margin) { return std::exp(margin); };
    double total = 0;
    for (size_t g = 0; g < k; ++g) total += link(Margin(*explained, r, g));
    for (size_t g = 0; g < k; ++g) {
      ASSERT_NEAR(link(Margin(*explained, r, g)) / total, (*predicted)[r * k + g], 1e-4);
    }
  }
  auto records = pipeline->ExplainRecords(
      nlohmann::json::array({{{"x1", 1.5}, {"x2", nullptr}, {"x3", 0}, {"city", "lima"}}}));
  ASSERT_TRUE(records) << records.error().message;
  for (const auto& name : pipeline->classes()) {
    EXPECT_TRUE((*records)[0]["bias"][name].is_number()) << records->dump();
    EXPECT_TRUE((*records)[0]["contributions"][name]["city"].is_number()) << records->dump();
  }

  const Frame numbers = MakeFrame(400, Task::kRegression);
  pipeline = TrainSingle(numbers, GetParam());
  ASSERT_NE(pipeline, nullptr);
  explained = pipeline->Explain(numbers);
  ASSERT_TRUE(explained) << explained.error().message;
  predicted = pipeline->Predict(numbers);
  ASSERT_TRUE(predicted);
  for (size_t r = 0; r < static_cast<size_t>(numbers.rows); ++r) {
    ASSERT_NEAR(Margin(*explained, r, 0), (*predicted)[r], 1e-3) << "row " << r;
  }
}

INSTANTIATE_TEST_SUITE_P(Learners, PipelineExplainTest, ::testing::Values("xgboost", "linear"));

TEST(PipelineExplainRecordsTest, RecordsNameTheColumnsAndEnsemblesSayWhyNot) {
  const Frame frame = MakeFrame(300, Task::kBinary);
  auto pipeline = TrainSingle(frame, "xgboost");
  ASSERT_NE(pipeline, nullptr);
  const auto records =
      nlohmann::json::array({{{"x1", 2.0}, {"x2", 0.1}, {"x3", 0}, {"city", "oslo"}},
                             {{"x1", -2.0}, {"x2", nullptr}, {"x3", 0}, {"city", "never seen"}}});
  auto explained = pipeline->ExplainRecords(records);
  ASSERT_TRUE(explained) << explained.error().message;
  ASSERT_EQ(explained->size(), 2u);
  EXPECT_GT((*explained)[0]["contributions"]["x1"].get<double>(), 0);
  EXPECT_LT((*explained)[1]["contributions"]["x1"].get<double>(), 0);
  EXPECT_EQ((*explained)[0]["contributions"].size(), 4u);

  Pipeline::Parts parts = pipeline->parts();
  parts.members.push_back(parts.members.front());
  parts.combination = "voting";
  parts.weights = {0.5, 0.5};
  const Pipeline voting(std::move(parts));
  auto refused = voting.ExplainRecords(records);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("voting ensemble of 2 models"), std::string::npos)
      << refused.error().message;
}

}  // namespace
}  // namespace aimass::train
