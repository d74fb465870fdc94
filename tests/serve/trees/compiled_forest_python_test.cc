// Models that Python's xgboost 1.7 (/usr/bin/python3) trained and saved, with non-default
// base scores and every covered link (logistic, softmax, exp, identity), compile and predict
// what XGBoost predicts, in C++ (BoostedModel) and in Python; dart and gblinear models are
// not covered and fall back.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "common/files.h"
#include "common/hash.h"
#include "python_scripts.h"
#include "serve/trees/agreement.h"
#include "serve/trees/compiled_forest.h"
#include "serve/trees/compiled_model.h"
#include "train/learner.h"

namespace aimass::serve {
namespace {
namespace fs = std::filesystem;
using testing::ExpectAgree;
using train::Matrix;
using train::Task;

constexpr int64_t kRows = 600;
constexpr int64_t kCols = 6;

// Writes x.f32 (kRows x kCols float32, 10% missing) and, per model, NAME.json, NAME.ubj and
// NAME.pred (Booster.predict on x, float32).
constexpr const char* kScript = R"(
import sys, numpy as np, xgboost as xgb
d = sys.argv[1]
rng = np.random.default_rng(5)
rows, cols = 600, 6
x = rng.normal(size=(rows, cols)).astype(np.float32)
a = x[:, 0] - 0.5 * x[:, 1] + 0.3 * x[:, 2] * x[:, 3]
x[rng.random(size=x.shape) < 0.1] = np.nan
x.tofile(d + "/x.f32")
counts = rng.poisson(np.exp(0.5 + 0.8 * a)).astype(np.float32)
share = (1 / (1 + np.exp(-2 * a))).astype(np.float32)
binary = (rng.random(rows) < share).astype(np.float32)
positive = np.exp(1 + 0.5 * a + 0.1 * rng.normal(size=rows)).astype(np.float32)
klass = np.digitize(a, [-1, 0, 1]).astype(np.float32)
target = (3 * a + rng.normal(size=rows)).astype(np.float32)
runs = {
  "poisson": ({"objective": "count:poisson", "base_score": 2.5, "max_depth": 4}, counts, 40),
  "reg_logistic": ({"objective": "reg:logistic", "base_score": 0.3, "max_depth": 5}, share, 40),
  "binary": ({"objective": "binary:logistic", "base_score": 0.3, "max_depth": 3}, binary, 60),
  "gamma": ({"objective": "reg:gamma", "base_score": 3.0, "max_depth": 4}, positive, 30),
  "tweedie": ({"objective": "reg:tweedie", "base_score": 2.0, "max_depth": 4}, positive, 30),
  "absolute": ({"objective": "reg:absoluteerror", "max_depth": 4}, target, 30),
  "softmax": ({"objective": "multi:softmax", "num_class": 4, "base_score": 0.2,
               "max_depth": 4}, klass, 25),
  "deep": ({"objective": "reg:squarederror", "base_score": -7.25, "max_depth": 12,
            "eta": 0.05}, target, 80),
  "dart": ({"booster": "dart", "objective": "reg:squarederror", "max_depth": 3,
            "rate_drop": 0.1}, target, 10),
  "gblinear": ({"booster": "gblinear", "objective": "reg:squarederror"}, target, 10),
}
for name, (params, y, rounds) in runs.items():
  params.update({"nthread": 1, "seed": 1})
  if name != "gblinear":
    params["tree_method"] = "hist"
  booster = xgb.train(params, xgb.DMatrix(x, label=y, missing=np.nan), rounds)
  booster.save_model(d + "/" + name + ".json")
  booster.save_model(d + "/" + name + ".ubj")
  booster.predict(xgb.DMatrix(x, missing=np.nan)).astype(np.float32).tofile(
      d + "/" + name + ".pred")
)";

class PythonModelTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() / ("aimass-trees-python-" + RandomHex(6)));
    fs::create_directories(*dir_);
    if (!python_scripts::Run(*dir_, kScript)) return;
    const std::vector<float> x = ReadFloats("x.f32");
    ASSERT_EQ(x.size(), static_cast<size_t>(kRows * kCols));
    features_ = new Matrix{kRows, kCols, x};
    python_ = true;
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
  static std::string Bytes(const std::string& name) {
    return python_scripts::ReadBytes(*dir_ / name);
  }

  // NAME.json and NAME.ubj compile, and predict as XGBoost in C++ and in Python.
  static void ExpectSamePredictions(const std::string& name, Task task, int classes) {
    const train::Learner& xgboost = **train::LearnerRegistry::Builtin().Get("xgboost");
    for (const char* format : {".json", ".ubj"}) {
      SCOPED_TRACE(name + format);
      const std::string bytes = Bytes(name + format);
      auto model = xgboost.Load(bytes, task, classes);
      ASSERT_TRUE(model) << model.error().message;
      auto forest = CompiledForest::Compile(bytes, task, classes);
      ASSERT_TRUE(forest) << forest.error().message;
      auto expected = (*model)->Predict(*features_);
      ASSERT_TRUE(expected) << expected.error().message;
      auto compiled = (*forest)->Predict(*features_);
      ASSERT_TRUE(compiled) << compiled.error().message;
      const int width = (*model)->OutputWidth();
      ExpectAgree(*compiled, *expected, width);

      if (task == Task::kMulticlass) continue;  // Python's softmax model predicts the class
      const std::vector<float> python = ReadFloats(name + ".pred");
      ASSERT_EQ(python.size(), static_cast<size_t>(kRows));
      std::vector<double> python_outputs;
      for (const float p : python) {
        if (task == Task::kBinary) python_outputs.push_back(1.0 - p);
        python_outputs.push_back(p);
      }
      ExpectAgree(*compiled, python_outputs, width);
    }
  }

  static inline fs::path* dir_ = nullptr;
  static inline Matrix* features_ = nullptr;
  static inline bool python_ = false;
};

TEST_F(PythonModelTest, PoissonWithBaseScore) {
  ExpectSamePredictions("poisson", Task::kRegression, 0);
}

TEST_F(PythonModelTest, RegLogisticWithBaseScore) {
  ExpectSamePredictions("reg_logistic", Task::kRegression, 0);
}

TEST_F(PythonModelTest, BinaryWithBaseScore) { ExpectSamePredictions("binary", Task::kBinary, 2); }

TEST_F(PythonModelTest, GammaAndTweedie) {
  ExpectSamePredictions("gamma", Task::kRegression, 0);
  ExpectSamePredictions("tweedie", Task::kRegression, 0);
}

TEST_F(PythonModelTest, AbsoluteError) { ExpectSamePredictions("absolute", Task::kRegression, 0); }

TEST_F(PythonModelTest, SoftmaxGivesEveryClassProbability) {
  ExpectSamePredictions("softmax", Task::kMulticlass, 4);
}

TEST_F(PythonModelTest, DeepTreesWithNegativeBaseScore) {
  ExpectSamePredictions("deep", Task::kRegression, 0);
}

TEST_F(PythonModelTest, DartAndGblinearAreNotCovered) {
  for (const char* name : {"dart.json", "dart.ubj", "gblinear.json", "gblinear.ubj"}) {
    SCOPED_TRACE(name);
    auto forest = CompiledForest::Compile(Bytes(name), Task::kRegression, 0);
    ASSERT_FALSE(forest);
    EXPECT_EQ(forest.error().code, kNotCovered);
    const std::string booster = std::string(name).substr(0, std::string(name).find('.'));
    EXPECT_NE(forest.error().message.find(booster), std::string::npos) << forest.error().message;
  }
}

TEST_F(PythonModelTest, DartModelFallsBackToXgboost) {
  auto loaded = train::LearnerRegistry::Builtin().Find("xgboost")->Load(Bytes("dart.ubj"),
                                                                        Task::kRegression, 0);
  ASSERT_TRUE(loaded) << loaded.error().message;
  std::shared_ptr<const train::TrainedModel> model = std::move(*loaded);
  std::string note;
  auto served = CompileIfPossible(model, "xgboost", Task::kRegression, 0, &note);
  EXPECT_EQ(served, model);
  EXPECT_NE(note.find("dart"), std::string::npos) << note;
}

}  // namespace
}  // namespace aimass::serve
