#include <gtest/gtest.h>
#include <linear.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>

#include "common/files.h"
#include "common/hash.h"
#include "train/learner.h"
#include "train/learners/synthetic_data.h"

namespace aimass::train {
namespace {
namespace fs = std::filesystem;
using namespace testing;  // NOLINT: the synthetic problems and metrics
using nlohmann::json;

const Learner& Linear() { return **LearnerRegistry::Builtin().Get("linear"); }

std::unique_ptr<TrainedModel> TrainOk(const Problem& problem, const json& params,
                                      const TrainOptions& options) {
  auto model = Linear().Train(problem.Input(), params, options);
  EXPECT_TRUE(model.has_value()) << model.error().message;
  return model ? std::move(*model) : nullptr;
}

std::vector<double> PredictOk(const TrainedModel& model, const Matrix& features) {
  auto predictions = model.Predict(features);
  EXPECT_TRUE(predictions.has_value()) << predictions.error().message;
  return predictions ? *predictions : std::vector<double>();
}

void ExpectProbabilities(std::span<const double> values, int width) {
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

// liblinear used directly, as its own tools would: sparse rows plus a bias feature of 1.
struct DirectProblem {
  explicit DirectProblem(const Problem& source) {
    const Matrix& x = source.features;
    for (int64_t i = 0; i < x.rows; ++i) {
      starts.push_back(nodes.size());
      for (int64_t j = 0; j < x.cols; ++j) {
        if (x.at(i, j) != 0) nodes.push_back({static_cast<int>(j) + 1, x.at(i, j)});
      }
      nodes.push_back({static_cast<int>(x.cols) + 1, 1.0});
      nodes.push_back({-1, 0});
      targets.push_back(source.labels[i]);
    }
    for (size_t start : starts) rows.push_back(nodes.data() + start);
    data = {static_cast<int>(x.rows), static_cast<int>(x.cols) + 1, targets.data(), rows.data(),
            1.0};
  }
  std::vector<feature_node> nodes;
  std::vector<size_t> starts;
  std::vector<feature_node*> rows;
  std::vector<double> targets;
  problem data{};
};

class LinearLearnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("aimass-linear-" + RandomHex(6));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(LinearLearnerTest, BinaryL2AndL1BeatChance) {
  const Problem train = MakeBinary(2000, 8, 1);
  const Problem test = MakeBinary(1000, 8, 2);
  for (const char* penalty : {"l2", "l1"}) {
    SCOPED_TRACE(penalty);
    auto model = TrainOk(train, {{"penalty", penalty}}, Options(Task::kBinary, 2));
    ASSERT_TRUE(model);
    const auto predictions = PredictOk(*model, test.features);
    ASSERT_EQ(predictions.size(), 2000u);
    ExpectProbabilities(predictions, 2);
    EXPECT_GT(Auc(Column(predictions, 2, 1), test.labels), 0.85);
  }
}

TEST_F(LinearLearnerTest, L1PenaltyZeroesNoiseWeights) {
  const Problem train = MakeBinary(2000, 10, 3);
  auto model = TrainOk(train, {{"penalty", "l1"}, {"C", 0.01}}, Options(Task::kBinary, 2));
  ASSERT_TRUE(model);
  const auto importance = model->Importance();
  int zeros = 0;
  for (int j = 4; j < 10; ++j) zeros += importance[j] == 0;
  EXPECT_GE(zeros, 3);
  EXPECT_GT(importance[0], 0);
}

TEST_F(LinearLearnerTest, MulticlassAndAClassMissingFromTraining) {
  // Four classes; training rows hold only 0, 1, 2.
  Problem train = MakeMulticlass(1500, 6, 3, 4);
  const Problem test = MakeMulticlass(600, 6, 3, 5);
  auto model = TrainOk(train, {}, Options(Task::kMulticlass, 4));
  ASSERT_TRUE(model);
  EXPECT_EQ(model->OutputWidth(), 4);
  const auto predictions = PredictOk(*model, test.features);
  ASSERT_EQ(predictions.size(), 600u * 4);
  ExpectProbabilities(predictions, 4);
  // The softmax gives the unseen class little, never nothing (log loss stays finite).
  for (size_t i = 3; i < predictions.size(); i += 4) {
    ASSERT_GT(predictions[i], 0);
    ASSERT_LT(predictions[i], 0.05);
  }
  EXPECT_GT(Accuracy(predictions, 4, test.labels), 0.85);
  EXPECT_EQ(model->Info()["classes_seen"], 3);
}

double LogLoss(std::span<const double> probabilities, int width, std::span<const float> labels) {
  double sum = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    sum -= std::log(std::max(1e-15, probabilities[i * width + static_cast<size_t>(labels[i])]));
  }
  return sum / static_cast<double>(labels.size());
}

TEST_F(LinearLearnerTest, MulticlassIsMultinomialAndBetterCalibratedThanOneVsRest) {
  const Problem train = MakeMulticlass(1500, 6, 4, 21);
  const Problem test = MakeMulticlass(1000, 6, 4, 22);
  auto model = TrainOk(train, {{"C", 1.0}}, Options(Task::kMulticlass, 4));
  ASSERT_TRUE(model);
  const auto ours = PredictOk(*model, test.features);
  ExpectProbabilities(ours, 4);
  EXPECT_EQ(model->Info()["solver"], "MULTINOMIAL_LR");
  EXPECT_NE(model->Serialize()->find("solver_type MULTINOMIAL_LR\n"), std::string::npos);

  // liblinear's one-vs-rest logistic regression with the same C, used directly.
  DirectProblem direct(train);
  parameter param{};
  param.solver_type = L2R_LR;
  param.eps = 0.01;
  param.C = 1.0;
  struct model* trained = ::train(&direct.data, &param);
  int labels[4];
  get_labels(trained, labels);
  DirectProblem direct_test(test);
  std::vector<double> theirs(test.labels.size() * 4);
  std::vector<double> probability(4);
  for (size_t i = 0; i < test.labels.size(); ++i) {
    predict_probability(trained, direct_test.rows[i], probability.data());
    for (int p = 0; p < 4; ++p) theirs[i * 4 + labels[p]] = probability[p];
  }
  free_and_destroy_model(&trained);
  EXPECT_LT(LogLoss(ours, 4, test.labels), LogLoss(theirs, 4, test.labels));
  EXPECT_GE(Accuracy(ours, 4, test.labels), Accuracy(theirs, 4, test.labels) - 0.01);

  // Row weights are fine here; a heavier class gets more probability.
  Problem weighted = train;
  for (float label : weighted.labels) weighted.weights.push_back(label == 2 ? 4.0f : 1.0f);
  auto heavier = TrainOk(weighted, {}, Options(Task::kMulticlass, 4));
  ASSERT_TRUE(heavier);
  const auto shifted = PredictOk(*heavier, test.features);
  double before = 0, after = 0;
  for (size_t i = 2; i < ours.size(); i += 4) before += ours[i], after += shifted[i];
  EXPECT_GT(after, before * 1.1);
}

TEST_F(LinearLearnerTest, BinaryWithOneClassStillSumsToOne) {
  Problem train = MakeBinary(100, 3, 6);
  for (float& label : train.labels) label = 1;
  auto model = TrainOk(train, {}, Options(Task::kBinary, 2));
  ASSERT_TRUE(model);
  const auto predictions = PredictOk(*model, train.features);
  ExpectProbabilities(predictions, 2);
  EXPECT_EQ(predictions[1], 1);
}

TEST_F(LinearLearnerTest, RegressionOnAShiftedScaledTarget) {
  const Problem train = MakeRegression(2000, 6, 7, 2.0);
  const Problem test = MakeRegression(1000, 6, 8, 2.0);
  auto model = TrainOk(train, {}, Options(Task::kRegression, 0));
  ASSERT_TRUE(model);
  EXPECT_GT(RSquared(PredictOk(*model, test.features), test.labels), 0.8);
  EXPECT_EQ(model->Info()["solver"], "L2R_L2LOSS_SVR");
  // Ridge on 2000 rows: the weights are the generating ones (20, -10), scaled back.
  const auto importance = model->Importance();
  EXPECT_NEAR(importance[0], 20, 1.5);
  EXPECT_NEAR(importance[1], 10, 1.5);
}

TEST_F(LinearLearnerTest, ModelTextIsLiblinearsOwn) {
  const Problem train = MakeBinary(600, 5, 9);
  auto model = TrainOk(train, {{"C", 0.5}}, Options(Task::kBinary, 2));
  ASSERT_TRUE(model);
  auto text = model->Serialize();
  ASSERT_TRUE(text);

  // The same training through liblinear's API writes the same file.
  DirectProblem direct(train);
  parameter param{};
  param.solver_type = L2R_LR;
  param.eps = 0.01;
  param.C = 0.5;
  struct model* trained = ::train(&direct.data, &param);
  const fs::path theirs = dir_ / "theirs.model";
  ASSERT_EQ(save_model(theirs.c_str(), trained), 0);
  free_and_destroy_model(&trained);
  EXPECT_EQ(*ReadFile(theirs), *text);

  // liblinear's load_model reads ours, and its probabilities are ours.
  const fs::path ours = dir_ / "ours.model";
  ASSERT_TRUE(WriteFileAtomically(ours, *text));
  struct model* loaded = load_model(ours.c_str());
  ASSERT_NE(loaded, nullptr);
  const auto predictions = PredictOk(*model, train.features);
  std::vector<double> probability(2);
  int labels[2];
  get_labels(loaded, labels);
  for (int64_t i = 0; i < train.features.rows; ++i) {
    predict_probability(loaded, direct.rows[i], probability.data());
    for (int p = 0; p < 2; ++p) {
      ASSERT_EQ(predictions[i * 2 + labels[p]], probability[p]) << "row " << i;
    }
  }
  free_and_destroy_model(&loaded);
}

TEST_F(LinearLearnerTest, SerializeThenLoadPredictsIdentically) {
  const Problem regression = MakeRegression(300, 4, 10, 1.0);
  auto model = TrainOk(regression, {{"epsilon", 0.1}}, Options(Task::kRegression, 0));
  ASSERT_TRUE(model);
  auto loaded = Linear().Load(*model->Serialize(), Task::kRegression, 0);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(PredictOk(**loaded, regression.features), PredictOk(*model, regression.features));
  // A regression model is not a classifier, and text that is no model is refused.
  EXPECT_FALSE(Linear().Load(*model->Serialize(), Task::kBinary, 2));
  auto junk = Linear().Load("solver_type L2R_LR\nnr_class 2\nw\n1 2\n", Task::kBinary, 2);
  ASSERT_FALSE(junk);
  EXPECT_EQ(junk.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(LinearLearnerTest, ContributionsSumToTheMargin) {
  const Problem binary = MakeBinary(500, 4, 11);
  auto model = TrainOk(binary, {}, Options(Task::kBinary, 2));
  ASSERT_TRUE(model);
  auto contributions = model->Contributions(binary.features);
  ASSERT_TRUE(contributions);
  ASSERT_EQ(contributions->size(), 500u * 5);
  const auto predictions = PredictOk(*model, binary.features);
  for (size_t i = 0; i < 500; ++i) {
    double sum = 0;
    for (size_t j = 0; j < 5; ++j) sum += (*contributions)[i * 5 + j];
    const double p = predictions[2 * i + 1];
    ASSERT_NEAR(sum, std::log(p / (1 - p)), 1e-9) << "row " << i;
  }

  const Problem regression = MakeRegression(300, 3, 12, 1.0);
  auto regressor = TrainOk(regression, {}, Options(Task::kRegression, 0));
  ASSERT_TRUE(regressor);
  auto parts = regressor->Contributions(regression.features);
  ASSERT_TRUE(parts);
  const auto values = PredictOk(*regressor, regression.features);
  for (size_t i = 0; i < 300; ++i) {
    ASSERT_NEAR((*parts)[i * 4] + (*parts)[i * 4 + 1] + (*parts)[i * 4 + 2] + (*parts)[i * 4 + 3],
                values[i], 1e-9);
  }

  const Problem multiclass = MakeMulticlass(300, 4, 3, 13);
  auto classifier = TrainOk(multiclass, {}, Options(Task::kMulticlass, 3));
  ASSERT_TRUE(classifier);
  auto per_class = classifier->Contributions(multiclass.features);
  ASSERT_TRUE(per_class);
  ASSERT_EQ(per_class->size(), 300u * 3 * 5);
  const auto probabilities = PredictOk(*classifier, multiclass.features);
  for (size_t i = 0; i < 300; ++i) {  // the softmax of the per-class margins
    double exp_margin[3], total = 0;
    for (size_t c = 0; c < 3; ++c) {
      double margin = 0;
      for (size_t j = 0; j < 5; ++j) margin += (*per_class)[(i * 3 + c) * 5 + j];
      exp_margin[c] = std::exp(margin);
      total += exp_margin[c];
    }
    for (size_t c = 0; c < 3; ++c) {
      ASSERT_NEAR(exp_margin[c] / total, probabilities[i * 3 + c], 1e-9);
    }
  }
}

TEST_F(LinearLearnerTest, NanFeaturesCountAsZero) {
  Problem train = MakeBinary(300, 4, 14);
  Problem zeros = train;
  for (size_t i = 0; i < train.features.values.size(); i += 5) {
    train.features.values[i] = std::numeric_limits<float>::quiet_NaN();
    zeros.features.values[i] = 0;
  }
  auto with_nan = TrainOk(train, {}, Options(Task::kBinary, 2));
  auto with_zero = TrainOk(zeros, {}, Options(Task::kBinary, 2));
  ASSERT_TRUE(with_nan && with_zero);
  EXPECT_EQ(*with_nan->Serialize(), *with_zero->Serialize());
  EXPECT_EQ(PredictOk(*with_nan, train.features), PredictOk(*with_zero, zeros.features));
}

TEST_F(LinearLearnerTest, ClassWeightsAreAcceptedRowWeightsAreNot) {
  Problem train = MakeBinary(500, 4, 15);
  auto plain = TrainOk(train, {}, Options(Task::kBinary, 2));
  for (float label : train.labels) train.weights.push_back(label == 1 ? 5.0f : 1.0f);
  auto weighted = TrainOk(train, {}, Options(Task::kBinary, 2));
  ASSERT_TRUE(plain && weighted);
  const auto a = PredictOk(*plain, train.features);
  const auto b = PredictOk(*weighted, train.features);
  double mean_a = 0, mean_b = 0;
  for (size_t i = 1; i < a.size(); i += 2) mean_a += a[i], mean_b += b[i];
  EXPECT_GT(mean_b, mean_a * 1.2);

  train.weights[7] = 2.5f;
  train.weights[8] = 3.5f;
  train.labels[7] = train.labels[8] = 0;
  auto refused = Linear().Train(train.Input(), {}, Options(Task::kBinary, 2));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(refused.error().message.find("one weight per class"), std::string::npos);
}

TEST_F(LinearLearnerTest, ParametersStopAndDeadline) {
  const Problem train = MakeBinary(100, 3, 16);
  auto penalty = Linear().Train(train.Input(), {{"penalty", "l3"}}, Options(Task::kBinary, 2));
  ASSERT_FALSE(penalty);
  EXPECT_EQ(penalty.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(penalty.error().message.find(R"(one of "l2", "l1")"), std::string::npos);
  auto c = Linear().Train(train.Input(), {{"C", 1e4}}, Options(Task::kBinary, 2));
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("'C' = 10000.0 is out of range; use a number in [0.001, 1000]"),
            std::string::npos)
      << c.error().message;
  // epsilon belongs to regression only.
  EXPECT_FALSE(Linear().Train(train.Input(), {{"epsilon", 0.1}}, Options(Task::kBinary, 2)));

  TrainOptions stop = Options(Task::kBinary, 2);
  stop.should_stop = [] { return true; };
  auto cancelled = Linear().Train(train.Input(), {}, stop);
  ASSERT_FALSE(cancelled);
  EXPECT_EQ(cancelled.error().code, ErrorCode::kCancelled);

  TrainOptions late = Options(Task::kBinary, 2);
  late.deadline = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  auto expired = Linear().Train(train.Input(), {}, late);
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().code, ErrorCode::kDeadlineExceeded);
}

TEST_F(LinearLearnerTest, SameSeedSameL1Model) {
  const json l1 = {{"penalty", "l1"}};
  const Problem binary = MakeBinary(500, 6, 17);
  auto first = TrainOk(binary, l1, Options(Task::kBinary, 2, 5));
  auto again = TrainOk(binary, l1, Options(Task::kBinary, 2, 5));
  ASSERT_TRUE(first && again);
  EXPECT_EQ(*first->Serialize(), *again->Serialize());
  // The multinomial model on one thread and on two: the same numbers.
  const Problem multiclass = MakeMulticlass(500, 6, 3, 17);
  auto one = TrainOk(multiclass, l1, Options(Task::kMulticlass, 3, 5, 1));
  auto two = TrainOk(multiclass, l1, Options(Task::kMulticlass, 3, 5, 2));
  auto three = TrainOk(multiclass, l1, Options(Task::kMulticlass, 3, 5, 2));
  ASSERT_TRUE(one && two && three);
  EXPECT_EQ(*two->Serialize(), *three->Serialize());
  const auto a = PredictOk(*one, multiclass.features);
  const auto b = PredictOk(*two, multiclass.features);
  for (size_t i = 0; i < a.size(); ++i) ASSERT_NEAR(a[i], b[i], 1e-6) << i;
  // And it survives its file.
  auto loaded = Linear().Load(*one->Serialize(), Task::kMulticlass, 3);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(PredictOk(**loaded, multiclass.features), a);
}

TEST_F(LinearLearnerTest, MemoryEstimate) {
  const TrainOptions options = Options(Task::kBinary, 2);
  const int64_t l2 = Linear().EstimateMemory(1'000'000, 50, {}, options);
  EXPECT_GT(l2, 1'000'000LL * 52 * 16);
  EXPECT_GT(Linear().EstimateMemory(1'000'000, 50, {{"penalty", "l1"}}, options), l2);
}

}  // namespace
}  // namespace aimass::train
