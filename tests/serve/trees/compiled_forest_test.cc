// Models trained by aimass's xgboost and rf learners, compiled, predict what XGBoost's own
// predictor gives on the same rows (missing values included); files the runtime does not
// cover or cannot trust are refused with the right code.
#include "serve/trees/compiled_forest.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <thread>

#include "serve/trees/agreement.h"
#include "train/learner.h"
#include "train/learners/synthetic_data.h"

namespace aimass::serve {
namespace {

using nlohmann::json;
using testing::ExpectAgree;
using testing::WithMissing;
using train::Matrix;
using train::Task;
using train::TrainedModel;
using train::testing::Problem;

struct Case {
  const char* name;
  const char* learner;
  Task task;
  int classes;
  int trees;  // n_estimators: rounds for xgboost (x classes trees), trees for rf
  int depth;
};

std::ostream& operator<<(std::ostream& out, const Case& c) { return out << c.name; }

constexpr int64_t kCols = 8;

Problem MakeProblem(Task task, int classes, int64_t rows, uint64_t seed) {
  switch (task) {
    case Task::kBinary:
      return train::testing::MakeBinary(rows, kCols, seed);
    case Task::kMulticlass:
      return train::testing::MakeMulticlass(rows, kCols, classes, seed);
    case Task::kRegression:
      return train::testing::MakeRegression(rows, kCols, seed, 2.0);
  }
  return {};
}

std::unique_ptr<TrainedModel> Train(const Case& c, const Problem& problem) {
  const train::Learner& learner = **train::LearnerRegistry::Builtin().Get(c.learner);
  auto model = learner.Train(problem.Input(), {{"n_estimators", c.trees}, {"max_depth", c.depth}},
                             train::testing::Options(c.task, c.classes));
  EXPECT_TRUE(model) << model.error().message;
  return model ? std::move(*model) : nullptr;
}

std::unique_ptr<CompiledForest> CompileOk(const TrainedModel& model, Task task, int classes) {
  auto bytes = model.Serialize();
  EXPECT_TRUE(bytes) << bytes.error().message;
  if (!bytes) return nullptr;
  auto forest = CompiledForest::Compile(*bytes, task, classes);
  EXPECT_TRUE(forest) << forest.error().message;
  return forest ? std::move(*forest) : nullptr;
}

class TrainedModelTest : public ::testing::TestWithParam<Case> {};

TEST_P(TrainedModelTest, CompiledPredictsAsXgboost) {
  const Case& c = GetParam();
  Problem train = MakeProblem(c.task, c.classes, 2000, 11);
  train.features = WithMissing(std::move(train.features), 0.1, 12);
  auto model = Train(c, train);
  ASSERT_TRUE(model);
  auto forest = CompileOk(*model, c.task, c.classes);
  ASSERT_TRUE(forest);
  EXPECT_EQ(forest->OutputWidth(), model->OutputWidth());
  EXPECT_EQ(forest->num_features(), kCols);

  // New rows, some with missing values, some far outside the training range.
  Matrix rows = WithMissing(MakeProblem(c.task, c.classes, 1500, 13).features, 0.15, 14);
  for (int64_t c2 = 0; c2 < kCols; ++c2) {
    rows.values[1 * kCols + c2] = 1e30f;
    rows.values[2 * kCols + c2] = -1e30f;
    rows.values[3 * kCols + c2] = 0.0f;
  }
  auto expected = model->Predict(rows);
  ASSERT_TRUE(expected) << expected.error().message;
  auto compiled = forest->Predict(rows);
  ASSERT_TRUE(compiled) << compiled.error().message;
  ExpectAgree(*compiled, *expected, model->OutputWidth());

  // The rows the probe check uses sit on the model's thresholds, where < matters.
  const Matrix probe = forest->ProbeRows(500, 3);
  auto probe_expected = model->Predict(probe);
  ASSERT_TRUE(probe_expected) << probe_expected.error().message;
  ExpectAgree(*forest->Predict(probe), *probe_expected, model->OutputWidth());
}

INSTANTIATE_TEST_SUITE_P(
    Learners, TrainedModelTest,
    ::testing::Values(Case{"xgboost_binary_depth2", "xgboost", Task::kBinary, 2, 20, 2},
                      Case{"xgboost_binary_depth6_500", "xgboost", Task::kBinary, 2, 500, 6},
                      Case{"xgboost_binary_depth10", "xgboost", Task::kBinary, 2, 60, 10},
                      Case{"xgboost_multiclass4_depth4", "xgboost", Task::kMulticlass, 4, 150, 4},
                      Case{"xgboost_multiclass3_depth8", "xgboost", Task::kMulticlass, 3, 30, 8},
                      Case{"xgboost_regression_depth3", "xgboost", Task::kRegression, 0, 200, 3},
                      Case{"xgboost_regression_depth7_520", "xgboost", Task::kRegression, 0, 520,
                           7},
                      Case{"rf_binary_depth10", "rf", Task::kBinary, 2, 100, 10},
                      Case{"rf_multiclass3_depth6", "rf", Task::kMulticlass, 3, 50, 6},
                      Case{"rf_regression_depth14", "rf", Task::kRegression, 0, 30, 14}),
    [](const auto& info) { return std::string(info.param.name); });

// A small binary model shared by the tests below.
class CompiledForestTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const Case c{"binary", "xgboost", Task::kBinary, 2, 40, 4};
    Problem train = MakeProblem(c.task, 2, 1000, 21);
    train.features = WithMissing(std::move(train.features), 0.1, 22);
    model_ = Train(c, train).release();
    ASSERT_NE(model_, nullptr);
    auto bytes = model_->Serialize();
    ASSERT_TRUE(bytes);
    bytes_ = new std::string(*bytes);
  }
  static void TearDownTestSuite() {
    delete model_;
    delete bytes_;
  }

  // The model file as JSON, for tests that damage or change it.
  static json Document() { return json::from_ubjson(*bytes_); }
  static json& FirstTree(json& document) {
    return document["learner"]["gradient_booster"]["model"]["trees"][0];
  }
  static Result<std::unique_ptr<CompiledForest>> CompileJson(const json& document) {
    return CompiledForest::Compile(document.dump(), Task::kBinary, 2);
  }

  static inline TrainedModel* model_ = nullptr;
  static inline std::string* bytes_ = nullptr;
};

TEST_F(CompiledForestTest, ReadsTheJsonFileAsTheUbjsonFile) {
  auto from_ubjson = CompiledForest::Compile(*bytes_, Task::kBinary, 2);
  auto from_json = CompileJson(Document());
  ASSERT_TRUE(from_ubjson) << from_ubjson.error().message;
  ASSERT_TRUE(from_json) << from_json.error().message;
  const Matrix rows = WithMissing(MakeProblem(Task::kBinary, 2, 300, 23).features, 0.1, 24);
  EXPECT_EQ(*(*from_ubjson)->Predict(rows), *(*from_json)->Predict(rows));
  EXPECT_EQ((*from_ubjson)->num_trees(), 40u);
}

TEST_F(CompiledForestTest, AnyNumberOfRowsAcrossBlockEdges) {
  auto forest = CompiledForest::Compile(*bytes_, Task::kBinary, 2);
  ASSERT_TRUE(forest);
  const Matrix all = WithMissing(MakeProblem(Task::kBinary, 2, 300, 25).features, 0.1, 26);
  for (const int64_t rows : {0, 1, 2, 63, 64, 65, 127, 128, 129, 300}) {
    SCOPED_TRACE(rows);
    const std::vector<int64_t> indexes = [&] {
      std::vector<int64_t> out(static_cast<size_t>(rows));
      for (int64_t i = 0; i < rows; ++i) out[i] = i;
      return out;
    }();
    const Matrix part = train::TakeRows(all, indexes);
    auto compiled = (*forest)->Predict(part);
    ASSERT_TRUE(compiled) << compiled.error().message;
    ASSERT_EQ(compiled->size(), static_cast<size_t>(2 * rows));
    if (rows == 0) continue;
    auto expected = model_->Predict(part);
    ASSERT_TRUE(expected);
    ExpectAgree(*compiled, *expected, 2);
    auto margins = (*forest)->PredictMargin(part);
    ASSERT_TRUE(margins);
    EXPECT_EQ(margins->size(), static_cast<size_t>(rows));
  }
}

TEST_F(CompiledForestTest, ManyThreadsPredictAtOnce) {
  auto forest = CompiledForest::Compile(*bytes_, Task::kBinary, 2);
  ASSERT_TRUE(forest);
  const Matrix rows = WithMissing(MakeProblem(Task::kBinary, 2, 500, 27).features, 0.1, 28);
  const std::vector<double> expected = *(*forest)->Predict(rows);
  std::vector<int> wrong(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 30; ++i) {
        auto predicted = (*forest)->Predict(rows);
        if (!predicted || *predicted != expected) ++wrong[t];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong, std::vector<int>(4, 0));
}

TEST_F(CompiledForestTest, WrongColumnCountIsAnError) {
  auto forest = CompiledForest::Compile(*bytes_, Task::kBinary, 2);
  ASSERT_TRUE(forest);
  const Matrix wide = MakeProblem(Task::kBinary, 2, 10, 29).features;
  Matrix narrow{10, kCols - 1, std::vector<float>(10 * (kCols - 1), 0.5f)};
  auto result = (*forest)->Predict(narrow);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(result.error().message.find("7 columns, the model 8"), std::string::npos)
      << result.error().message;
  Matrix short_values = wide;
  short_values.values.pop_back();
  EXPECT_FALSE((*forest)->PredictMargin(short_values));
}

TEST_F(CompiledForestTest, TaskMustMatchTheObjective) {
  auto as_regression = CompiledForest::Compile(*bytes_, Task::kRegression, 0);
  ASSERT_FALSE(as_regression);
  EXPECT_EQ(as_regression.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(as_regression.error().message.find("binary:logistic"), std::string::npos);
  auto as_multiclass = CompiledForest::Compile(*bytes_, Task::kMulticlass, 3);
  ASSERT_FALSE(as_multiclass);
  EXPECT_EQ(as_multiclass.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(CompiledForestTest, CategoricalSplitsAreNotCovered) {
  json document = Document();
  FirstTree(document)["split_type"][0] = 1;
  auto forest = CompileJson(document);
  ASSERT_FALSE(forest);
  EXPECT_EQ(forest.error().code, kNotCovered);
  EXPECT_NE(forest.error().message.find("categorical"), std::string::npos);
}

TEST_F(CompiledForestTest, OtherBoostersAndObjectivesAreNotCovered) {
  json dart = Document();
  dart["learner"]["gradient_booster"]["name"] = "dart";
  EXPECT_EQ(CompileJson(dart).error().code, kNotCovered);
  json linear = Document();
  linear["learner"]["gradient_booster"] = {{"name", "gblinear"}, {"model", json::object()}};
  EXPECT_EQ(CompileJson(linear).error().code, kNotCovered);
  json quantile = Document();
  quantile["learner"]["objective"]["name"] = "reg:quantileerror";
  auto forest = CompiledForest::Compile(quantile.dump(), Task::kRegression, 0);
  ASSERT_FALSE(forest);
  EXPECT_EQ(forest.error().code, kNotCovered);
  EXPECT_NE(forest.error().message.find("reg:quantileerror"), std::string::npos);
}

TEST_F(CompiledForestTest, DamagedFilesAreInvalidArguments) {
  std::vector<std::pair<std::string, std::string>> files;
  files.emplace_back("not a model", "hello");
  files.emplace_back("cut short", bytes_->substr(0, bytes_->size() / 2));
  files.emplace_back("empty", "");
  files.emplace_back("no learner", R"({"version":[1,7,4]})");
  auto changed = [&](const std::string& name, auto change) {
    json document = Document();
    change(document);
    files.emplace_back(name, document.dump());
  };
  changed("child out of range", [](json& d) { FirstTree(d)["left_children"][0] = 100000; });
  changed("child is the root", [](json& d) { FirstTree(d)["right_children"][0] = 0; });
  changed("negative child", [](json& d) { FirstTree(d)["left_children"][0] = -7; });
  changed("feature out of range", [](json& d) { FirstTree(d)["split_indices"][0] = kCols; });
  changed("short array", [](json& d) { FirstTree(d)["split_conditions"].erase(0); });
  changed("text in an array", [](json& d) { FirstTree(d)["split_conditions"][0] = "x"; });
  changed("group out of range",
          [](json& d) { d["learner"]["gradient_booster"]["model"]["tree_info"][0] = 1; });
  changed("tree_info short",
          [](json& d) { d["learner"]["gradient_booster"]["model"]["tree_info"].erase(0); });
  changed("base_score not a number",
          [](json& d) { d["learner"]["learner_model_param"]["base_score"] = "half"; });
  changed("base_score out of (0, 1)",
          [](json& d) { d["learner"]["learner_model_param"]["base_score"] = "1.5"; });
  changed("no trees", [](json& d) { d["learner"]["gradient_booster"]["model"].erase("trees"); });
  for (const auto& [name, file] : files) {
    SCOPED_TRACE(name);
    auto forest = CompiledForest::Compile(file, Task::kBinary, 2);
    ASSERT_FALSE(forest);
    EXPECT_EQ(forest.error().code, ErrorCode::kInvalidArgument) << forest.error().message;
  }
}

TEST_F(CompiledForestTest, ThresholdsOfMinusInfinityAreNotCovered) {
  // XGBoost never writes one; the block's stand-in for a missing value could not tell.
  json document = Document();
  FirstTree(document)["split_conditions"][0] = -std::numeric_limits<double>::infinity();
  std::vector<uint8_t> ubjson = json::to_ubjson(document);
  auto forest =
      CompiledForest::Compile(std::string(ubjson.begin(), ubjson.end()), Task::kBinary, 2);
  ASSERT_FALSE(forest);
  EXPECT_EQ(forest.error().code, kNotCovered);
}

TEST_F(CompiledForestTest, TreesThatAreOneLeafMatchXgboost) {
  // Trees with no split (a round that found no gain) beside deep ones, in every lane.
  json document = Document();
  json& trees = document["learner"]["gradient_booster"]["model"]["trees"];
  for (size_t t = 0; t < trees.size(); t += 3) {
    json& tree = trees[t];
    for (const char* key :
         {"left_children", "right_children", "parents", "split_indices", "split_conditions",
          "default_left", "split_type", "base_weights", "loss_changes", "sum_hessian"}) {
      tree[key] = json::array({tree[key][0]});
    }
    tree["left_children"][0] = -1;
    tree["right_children"][0] = -1;
    tree["split_conditions"][0] = 0.125 * static_cast<double>(t % 5) - 0.25;
    tree["tree_param"]["num_nodes"] = "1";
  }
  const std::string file = document.dump();
  auto original = train::LearnerRegistry::Builtin().Find("xgboost")->Load(file, Task::kBinary, 2);
  ASSERT_TRUE(original) << original.error().message;
  auto forest = CompiledForest::Compile(file, Task::kBinary, 2);
  ASSERT_TRUE(forest) << forest.error().message;
  const Matrix rows = WithMissing(MakeProblem(Task::kBinary, 2, 100, 33).features, 0.1, 34);
  ExpectAgree(*(*forest)->Predict(rows), *(*original)->Predict(rows), 2);
}

TEST_F(CompiledForestTest, ExtremeLeafValuesStillMatchXgboost) {
  // Margins far beyond where exp overflows in float: the link must behave as XGBoost's.
  json document = Document();
  json& tree = FirstTree(document);
  float value = 100.0f;
  for (size_t i = 0; i < tree["left_children"].size(); ++i) {
    if (tree["left_children"][i] != -1) continue;
    tree["split_conditions"][i] = value;
    value = -value * 3;
  }
  const std::string file = document.dump();
  auto original = train::LearnerRegistry::Builtin().Find("xgboost")->Load(file, Task::kBinary, 2);
  ASSERT_TRUE(original) << original.error().message;
  auto forest = CompiledForest::Compile(file, Task::kBinary, 2);
  ASSERT_TRUE(forest) << forest.error().message;
  const Matrix rows = WithMissing(MakeProblem(Task::kBinary, 2, 400, 31).features, 0.1, 32);
  // Exactly: XGBoost 1.7.4 caps exp's argument at 88.7 (3.0e-39 rather than 0 far below), a
  // difference only a bitwise comparison sees. Elsewhere the tests allow 1e-6 relative,
  // though the two agree to the bit there as well.
  EXPECT_EQ(*(*forest)->Predict(rows), *(*original)->Predict(rows));
}

}  // namespace
}  // namespace aimass::serve
