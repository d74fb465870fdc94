// Models trained and saved by Python's xgboost 1.7.4 (/usr/bin/python3) load through
// Learner::Load and predict the numbers Python predicts.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

#include "common/files.h"
#include "common/hash.h"
#include "python_scripts.h"
#include "train/learner.h"
#include "train/learners/synthetic_data.h"

namespace aimass::train {
namespace {
namespace fs = std::filesystem;
using namespace testing;  // NOLINT: the synthetic problems

// Trains on x.f32/y.f32 (rows x cols float32) three models, as a user would in Python, and
// writes each as .json and .ubj with its predictions on x (float32, row-major).
constexpr const char* kScript = R"(
import sys, numpy as np, xgboost as xgb
d, rows, cols = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
x = np.fromfile(d + "/x.f32", dtype=np.float32).reshape(rows, cols)
binary = np.fromfile(d + "/binary.f32", dtype=np.float32)
klass = np.fromfile(d + "/class.f32", dtype=np.float32)
target = np.fromfile(d + "/target.f32", dtype=np.float32)
runs = {
  "binary": ({"objective": "binary:logistic", "max_depth": 4, "eta": 0.2, "subsample": 0.8,
              "colsample_bytree": 0.8, "seed": 3, "tree_method": "hist"}, binary),
  "softprob": ({"objective": "multi:softprob", "num_class": 3, "max_depth": 3, "eta": 0.3,
                "tree_method": "hist"}, klass),
  "softmax": ({"objective": "multi:softmax", "num_class": 3, "max_depth": 3, "eta": 0.3,
               "tree_method": "hist"}, klass),
  "regression": ({"objective": "reg:squarederror", "max_depth": 5, "eta": 0.1,
                  "tree_method": "hist"}, target),
}
for name, (params, y) in runs.items():
  params["nthread"] = 1
  booster = xgb.train(params, xgb.DMatrix(x, label=y, missing=np.nan), num_boost_round=25)
  booster.save_model(d + "/" + name + ".json")
  booster.save_model(d + "/" + name + ".ubj")
  booster.predict(xgb.DMatrix(x, missing=np.nan)).astype(np.float32).tofile(
      d + "/" + name + ".pred")
)";

class XgboostPythonTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() / ("aimass-xgb-python-" + RandomHex(6)));
    fs::create_directories(*dir_);
    Problem problem = MakeMulticlass(kRows, kCols, 3, 31);
    std::vector<float> binary, target;
    for (size_t i = 0; i < problem.labels.size(); ++i) {
      binary.push_back(problem.labels[i] == 2 ? 1.0f : 0.0f);
      target.push_back(problem.labels[i] * 3.0f + problem.features.values[i * kCols + 4]);
    }
    // Missing values, so that both sides must agree on NaN as missing.
    for (size_t i = 5; i < problem.features.values.size(); i += 11) {
      problem.features.values[i] = std::numeric_limits<float>::quiet_NaN();
    }
    features_ = new Matrix(problem.features);
    python_scripts::WriteFloats(*dir_ / "x.f32", problem.features.values);
    python_scripts::WriteFloats(*dir_ / "class.f32", problem.labels);
    python_scripts::WriteFloats(*dir_ / "binary.f32", binary);
    python_scripts::WriteFloats(*dir_ / "target.f32", target);
    python_ = python_scripts::Run(*dir_, kScript, {std::to_string(kRows), std::to_string(kCols)});
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
    delete features_;
  }
  void SetUp() override {
    if (!python_) GTEST_SKIP() << python_scripts::kMissing;
  }

  static std::vector<float> ReadFloats(const std::string& name) {
    return python_scripts::ReadFloats(*dir_ / name);
  }

  // Loads NAME.json and NAME.ubj and checks both predict as Python did, to 1e-6.
  void ExpectSamePredictions(const std::string& name, Task task, int num_classes) {
    const std::vector<float> expected = ReadFloats(name + ".pred");
    const Learner& xgboost = **LearnerRegistry::Builtin().Get("xgboost");
    for (const char* format : {".json", ".ubj"}) {
      SCOPED_TRACE(name + format);
      auto bytes = ReadFile(*dir_ / (name + format));
      ASSERT_TRUE(bytes);
      auto model = xgboost.Load(*bytes, task, num_classes);
      ASSERT_TRUE(model) << model.error().message;
      auto predictions = (*model)->Predict(*features_);
      ASSERT_TRUE(predictions) << predictions.error().message;
      const int width = (*model)->OutputWidth();
      if (task == Task::kBinary) {
        ASSERT_EQ(predictions->size(), expected.size() * 2);
        for (size_t i = 0; i < expected.size(); ++i) {
          ASSERT_NEAR((*predictions)[2 * i + 1], expected[i], 1e-6) << "row " << i;
        }
      } else if (name == "softmax") {
        // Python's softmax model predicts the class; ours gives its probabilities.
        ASSERT_EQ(predictions->size(), expected.size() * width);
        const auto softprob = ReadFloats("softprob.pred");
        for (size_t i = 0; i < softprob.size(); ++i) {
          ASSERT_NEAR((*predictions)[i], softprob[i], 1e-6) << "value " << i;
        }
      } else {
        ASSERT_EQ(predictions->size(), expected.size());
        for (size_t i = 0; i < expected.size(); ++i) {
          ASSERT_NEAR((*predictions)[i], expected[i], 1e-6 * std::max(1.0f, std::abs(expected[i])))
              << "value " << i;
        }
      }
      EXPECT_EQ((*model)->Info()["rounds"], 25);
      // Our own file of the imported model reads back to the same predictions.
      auto saved = (*model)->Serialize();
      ASSERT_TRUE(saved);
      auto again = xgboost.Load(*saved, task, num_classes);
      ASSERT_TRUE(again);
      EXPECT_EQ(*(*again)->Predict(*features_), *predictions);
    }
  }

  static constexpr int64_t kRows = 400;
  static constexpr int64_t kCols = 6;
  static inline fs::path* dir_ = nullptr;
  static inline Matrix* features_ = nullptr;
  static inline bool python_ = false;
};

TEST_F(XgboostPythonTest, BinaryModelPredictsAsInPython) {
  ExpectSamePredictions("binary", Task::kBinary, 2);
}

TEST_F(XgboostPythonTest, MulticlassModelPredictsAsInPython) {
  ExpectSamePredictions("softprob", Task::kMulticlass, 3);
}

TEST_F(XgboostPythonTest, SoftmaxModelGivesProbabilities) {
  ExpectSamePredictions("softmax", Task::kMulticlass, 3);
}

TEST_F(XgboostPythonTest, RegressionModelPredictsAsInPython) {
  ExpectSamePredictions("regression", Task::kRegression, 0);
}

TEST_F(XgboostPythonTest, ImportedModelHasImportanceAndContributions) {
  auto bytes = ReadFile(*dir_ / "binary.json");
  ASSERT_TRUE(bytes);
  auto model = LearnerRegistry::Builtin().Get("xgboost").value()->Load(*bytes, Task::kBinary, 2);
  ASSERT_TRUE(model) << model.error().message;
  const auto importance = (*model)->Importance();
  ASSERT_EQ(importance.size(), static_cast<size_t>(kCols));
  // Class 2 is told by column 2 (MakeMulticlass shifts column c for class c).
  EXPECT_EQ(std::max_element(importance.begin(), importance.end()) - importance.begin(), 2);
  auto contributions = (*model)->Contributions(*features_);
  ASSERT_TRUE(contributions) << contributions.error().message;
  EXPECT_EQ(contributions->size(), static_cast<size_t>(kRows * (kCols + 1)));
}

}  // namespace
}  // namespace aimass::train
