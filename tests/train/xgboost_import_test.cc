// Models trained by Python's xgboost (/usr/bin/python3) become Pipelines that take raw
// records and predict what Python's Booster.predict gives on the same rows; models and specs
// that do not fit are refused with a message that names the fix.
#include "train/xgboost_import.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/files.h"
#include "common/hash.h"
#include "python_scripts.h"

namespace aimass::train {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

// Writes rows.json (records, null for missing) and, per model, NAME.json or NAME.ubj with
// NAME.pred.json and NAME.contribs.json (Python's predictions and SHAP contributions on those
// rows, row-major).
constexpr const char* kScript = R"(
import json, sys, numpy as np, xgboost as xgb
d = sys.argv[1]
rng = np.random.default_rng(7)
rows = 400
names = ["age", "income", "debt", "score", "noise"]
x = rng.normal(size=(rows, 5)).astype(np.float32)
x[rng.random(size=x.shape) < 0.08] = np.nan
a, b = np.nan_to_num(x[:, 0]), np.nan_to_num(x[:, 1])
binary = (a - b + 0.5 * rng.normal(size=rows) > 0).astype(np.float32)
klass = np.digitize(a + 0.3 * rng.normal(size=rows), [-0.5, 0.5]).astype(np.float32)
target = (3 * a - 2 * b + 0.1 * rng.normal(size=rows)).astype(np.float32)
records = [{n: (None if np.isnan(v) else float(v)) for n, v in zip(names, row)} for row in x]
json.dump(records, open(d + "/rows.json", "w"))
def fit(name, params, y, fmt, feature_names=None):
  params.update({"nthread": 1, "tree_method": "hist", "max_depth": 3, "seed": 1})
  booster = xgb.train(params, xgb.DMatrix(x, label=y, feature_names=feature_names), 20)
  booster.save_model(d + "/" + name + "." + fmt)
  dm = xgb.DMatrix(x, feature_names=feature_names)
  for kind, p in (("pred", booster.predict(dm)), ("contribs", booster.predict(dm, pred_contribs=True))):
    json.dump(p.astype(np.float64).ravel().tolist(), open(d + "/" + name + "." + kind + ".json", "w"))
fit("binary_named", {"objective": "binary:logistic"}, binary, "json", names)
fit("softprob", {"objective": "multi:softprob", "num_class": 3}, klass, "ubj")
fit("regression", {"objective": "reg:squarederror"}, target, "json")
fit("ranking", {"objective": "rank:pairwise"}, binary, "json")
linear = xgb.train({"booster": "gblinear", "objective": "binary:logistic", "nthread": 1},
                   xgb.DMatrix(x, label=binary), 5)
linear.save_model(d + "/linear.json")
)";

class XgboostImportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() / ("aimass-xgb-import-" + RandomHex(6)));
    fs::create_directories(*dir_);
    python_ = python_scripts::Run(*dir_, kScript);
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }
  void SetUp() override {
    if (!python_) GTEST_SKIP() << python_scripts::kMissing;
  }

  static std::string Bytes(const std::string& file) {
    return python_scripts::ReadBytes(*dir_ / file);
  }
  static json Json(const std::string& file) { return json::parse(Bytes(file)); }
  static Result<ImportedXgboost> Import(const std::string& file, XgboostImportSpec spec = {}) {
    return PipelineFromXgboost(Bytes(file), spec);
  }

  static inline fs::path* dir_ = nullptr;
  static inline bool python_ = false;
};

const std::vector<std::string> kNames = {"age", "income", "debt", "score", "noise"};

TEST_F(XgboostImportTest, NamedBinaryModelPredictsWhatPythonPredicts) {
  // The model carries its feature names, so none need to be given.
  auto imported = Import("binary_named.json");
  ASSERT_TRUE(imported) << imported.error().message;
  const Pipeline& pipeline = *imported->pipeline;
  EXPECT_EQ(pipeline.task(), Task::kBinary);
  EXPECT_EQ(pipeline.classes(), (std::vector<std::string>{"0", "1"}));
  EXPECT_EQ(imported->objective, "binary:logistic");
  EXPECT_EQ(imported->rounds, 20);
  std::vector<std::string> schema;
  for (const auto& column : pipeline.schema().columns) schema.push_back(column.name);
  EXPECT_EQ(schema, kNames);

  const json expected = Json("binary_named.pred.json");
  auto predicted = pipeline.PredictRecords(Json("rows.json"));
  ASSERT_TRUE(predicted) << predicted.error().message;
  ASSERT_EQ(predicted->size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    const double p = (*predicted)[i]["probabilities"]["1"].get<double>();
    ASSERT_NEAR(p, expected[i].get<double>(), 1e-6) << "row " << i;
    EXPECT_EQ((*predicted)[i]["prediction"], p > 0.5 ? "1" : "0");
  }

  // Per-prediction contributions are Python's pred_contribs (5 features, then the bias).
  const json contribs = Json("binary_named.contribs.json");
  auto explained = pipeline.ExplainRecords(Json("rows.json"));
  ASSERT_TRUE(explained) << explained.error().message;
  ASSERT_EQ(explained->size() * 6, contribs.size());
  for (size_t i = 0; i < explained->size(); ++i) {
    for (size_t j = 0; j < kNames.size(); ++j) {
      ASSERT_NEAR((*explained)[i]["contributions"][kNames[j]].get<double>(),
                  contribs[i * 6 + j].get<double>(), 1e-5)
          << "row " << i << " " << kNames[j];
    }
    ASSERT_NEAR((*explained)[i]["bias"].get<double>(), contribs[i * 6 + 5].get<double>(), 1e-5);
  }
}

TEST_F(XgboostImportTest, ClassNamesAndMulticlassProbabilities) {
  XgboostImportSpec spec;
  spec.features = kNames;
  spec.classes = {"low", "mid", "high"};
  spec.task = "multiclass";
  auto imported = Import("softprob.ubj", spec);
  ASSERT_TRUE(imported) << imported.error().message;
  const json expected = Json("softprob.pred.json");  // rows x 3, row-major
  auto predicted = imported->pipeline->PredictRecords(Json("rows.json"));
  ASSERT_TRUE(predicted) << predicted.error().message;
  ASSERT_EQ(predicted->size() * 3, expected.size());
  for (size_t i = 0; i < predicted->size(); ++i) {
    for (size_t c = 0; c < 3; ++c) {
      ASSERT_NEAR((*predicted)[i]["probabilities"][spec.classes[c]].get<double>(),
                  expected[i * 3 + c].get<double>(), 1e-6)
          << "row " << i << " class " << c;
    }
  }
}

TEST_F(XgboostImportTest, RegressionSurvivesSaveAndLoad) {
  XgboostImportSpec spec;
  spec.features = {"a", "b", "c", "d", "e"};
  auto imported = Import("regression.json", spec);
  ASSERT_TRUE(imported) << imported.error().message;
  EXPECT_EQ(imported->pipeline->task(), Task::kRegression);
  // The records use the model's feature order under the given names.
  json rows = Json("rows.json");
  json renamed = json::array();
  for (const auto& row : rows) {
    json record;
    for (size_t j = 0; j < kNames.size(); ++j) record[spec.features[j]] = row[kNames[j]];
    renamed.push_back(record);
  }
  auto files = imported->pipeline->Save();
  ASSERT_TRUE(files) << files.error().message;
  auto loaded = Pipeline::Load(files->Reader(), LearnerRegistry::Builtin());
  ASSERT_TRUE(loaded) << loaded.error().message;
  const json expected = Json("regression.pred.json");
  auto predicted = (*loaded)->PredictRecords(renamed);
  ASSERT_TRUE(predicted) << predicted.error().message;
  ASSERT_EQ(predicted->size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    const double want = expected[i].get<double>();
    ASSERT_NEAR((*predicted)[i]["prediction"].get<double>(), want,
                1e-6 * std::max(1.0, std::abs(want)))
        << "row " << i;
  }
}

// The error's message, or "" when the import succeeded.
std::string ErrorOf(const Result<ImportedXgboost>& result) {
  return result ? "" : result.error().message;
}

TEST_F(XgboostImportTest, RefusesWhatDoesNotFitWithAMessageNamingTheFix) {
  XgboostImportSpec four;
  four.features = {"a", "b", "c", "d"};
  EXPECT_NE(ErrorOf(Import("regression.json", four))
                .find("4 features were named but the "
                      "model has 5"),
            std::string::npos);
  EXPECT_NE(ErrorOf(Import("regression.json")).find("--features"), std::string::npos);

  XgboostImportSpec renamed;
  renamed.features = {"a", "b", "c", "d", "e"};
  EXPECT_NE(ErrorOf(Import("binary_named.json", renamed)).find("leave --features out"),
            std::string::npos);

  XgboostImportSpec repeated;
  repeated.features = {"a", "b", "a", "d", "e"};
  EXPECT_NE(ErrorOf(Import("regression.json", repeated)).find("named twice"), std::string::npos);

  XgboostImportSpec wrong_task;
  wrong_task.task = "regression";
  EXPECT_NE(ErrorOf(Import("binary_named.json", wrong_task)).find("answers a binary task"),
            std::string::npos);
  wrong_task.task = "clustering";
  EXPECT_FALSE(Import("binary_named.json", wrong_task));

  XgboostImportSpec two_classes;
  two_classes.features = kNames;
  two_classes.classes = {"low", "high"};
  EXPECT_NE(ErrorOf(Import("softprob.ubj", two_classes)).find("predicts 3"), std::string::npos);
  XgboostImportSpec regression_classes = renamed;
  regression_classes.classes = {"x", "y"};
  EXPECT_NE(ErrorOf(Import("regression.json", regression_classes)).find("no classes"),
            std::string::npos);

  EXPECT_NE(ErrorOf(Import("ranking.json", renamed)).find("rank:pairwise"), std::string::npos);
  EXPECT_NE(ErrorOf(Import("linear.json", renamed)).find("gblinear"), std::string::npos);
  EXPECT_NE(
      ErrorOf(PipelineFromXgboost("{\"not\": \"a model\"}", renamed)).find("not an XGBoost model"),
      std::string::npos);
  EXPECT_NE(ErrorOf(PipelineFromXgboost("", renamed)).find("empty"), std::string::npos);
  // Text that is not JSON never reaches XGBoost's binary reader (which trusts the sizes it
  // reads and asked for more memory than exists).
  EXPECT_NE(ErrorOf(PipelineFromXgboost("# README\nsome text", renamed))
                .find("the old binary format is not read"),
            std::string::npos);
  // Cut files are refused before XGBoost reads them: its UBJSON reader reads past the end of
  // a cut file (AddressSanitizer found it).
  std::string truncated = Bytes("softprob.ubj");
  truncated.resize(truncated.size() / 2);
  EXPECT_NE(ErrorOf(PipelineFromXgboost(truncated, renamed)).find("UBJSON is damaged or cut short"),
            std::string::npos);
  truncated = Bytes("regression.json");
  truncated.resize(truncated.size() - 10);
  EXPECT_NE(ErrorOf(PipelineFromXgboost(truncated, renamed)).find("JSON is damaged or cut short"),
            std::string::npos);
}

}  // namespace
}  // namespace aimass::train
