// CompileIfPossible compiles xgboost and rf models, whose CompiledModel predicts with the
// compiled form and answers everything else as the original; any other model, or one whose
// compiled form would disagree with it, is served as it is with a note saying why.
#include "serve/trees/compiled_model.h"

#include <gtest/gtest.h>

#include "serve/trees/agreement.h"
#include "train/learner.h"
#include "train/learners/synthetic_data.h"

namespace aimass::serve {
namespace {

using testing::ExpectAgree;
using testing::WithMissing;
using train::Matrix;
using train::Task;
using train::TrainedModel;

std::shared_ptr<const TrainedModel> Train(const char* learner, Task task, int classes,
                                          const nlohmann::json& params) {
  train::testing::Problem problem = task == Task::kMulticlass
                                        ? train::testing::MakeMulticlass(600, 5, classes, 41)
                                        : train::testing::MakeBinary(600, 5, 41);
  problem.features = WithMissing(std::move(problem.features), 0.1, 42);
  auto model = train::LearnerRegistry::Builtin().Get(learner).value()->Train(
      problem.Input(), params, train::testing::Options(task, classes));
  EXPECT_TRUE(model) << model.error().message;
  return model ? std::shared_ptr<const TrainedModel>(std::move(*model)) : nullptr;
}

Matrix Rows() {
  return WithMissing(train::testing::MakeMulticlass(200, 5, 3, 43).features, 0.1, 44);
}

// Wraps a model and predicts something slightly different: a runtime that misreads a file.
class SkewedModel final : public TrainedModel {
 public:
  explicit SkewedModel(std::shared_ptr<const TrainedModel> model) : model_(std::move(model)) {}
  Result<std::vector<double>> Predict(const Matrix& features) const override {
    AIMASS_ASSIGN_OR_RETURN(std::vector<double> out, model_->Predict(features));
    out[out.size() / 2] += 1e-3;
    return out;
  }
  int OutputWidth() const override { return model_->OutputWidth(); }
  std::vector<double> Importance() const override { return {}; }
  Result<std::vector<double>> Contributions(const Matrix&) const override {
    return std::vector<double>();
  }
  Result<std::string> Serialize() const override { return model_->Serialize(); }

 private:
  std::shared_ptr<const TrainedModel> model_;
};

TEST(CompileIfPossibleTest, XgboostModelIsCompiledAndDelegatesTheRest) {
  auto model = Train("xgboost", Task::kMulticlass, 3, {{"n_estimators", 30}});
  ASSERT_TRUE(model);
  std::string note;
  auto served = CompileIfPossible(model, "xgboost", Task::kMulticlass, 3, &note);
  const auto* compiled = dynamic_cast<const CompiledModel*>(served.get());
  ASSERT_NE(compiled, nullptr) << note;
  EXPECT_NE(note.find("compiled 90 trees"), std::string::npos) << note;
  EXPECT_EQ(&compiled->original(), model.get());

  const Matrix rows = Rows();
  auto predicted = served->Predict(rows);
  ASSERT_TRUE(predicted) << predicted.error().message;
  EXPECT_EQ(*predicted, *compiled->forest().Predict(rows));
  ExpectAgree(*predicted, *model->Predict(rows), 3);
  EXPECT_EQ(served->OutputWidth(), 3);
  EXPECT_EQ(served->Importance(), model->Importance());
  EXPECT_EQ(*served->Contributions(rows), *model->Contributions(rows));
  EXPECT_EQ(*served->Serialize(), *model->Serialize());
  EXPECT_EQ(served->Info(), model->Info());
}

TEST(CompileIfPossibleTest, RandomForestIsCompiled) {
  auto model = Train("rf", Task::kBinary, 2, {{"n_estimators", 40}, {"max_depth", 8}});
  ASSERT_TRUE(model);
  auto served = CompileIfPossible(model, "rf", Task::kBinary, 2, nullptr);
  ASSERT_NE(dynamic_cast<const CompiledModel*>(served.get()), nullptr);
  const Matrix rows = Rows();
  ExpectAgree(*served->Predict(rows), *model->Predict(rows), 2);
}

TEST(CompileIfPossibleTest, LinearModelIsServedAsItIs) {
  auto model = Train("linear", Task::kBinary, 2, nlohmann::json::object());
  ASSERT_TRUE(model);
  std::string note;
  EXPECT_EQ(CompileIfPossible(model, "linear", Task::kBinary, 2, &note), model);
  EXPECT_NE(note.find("linear learner has no compiled form"), std::string::npos) << note;
}

TEST(CompileIfPossibleTest, DisagreementOnProbeRowsFallsBack) {
  auto model = Train("xgboost", Task::kBinary, 2, {{"n_estimators", 20}});
  ASSERT_TRUE(model);
  auto skewed = std::make_shared<const SkewedModel>(model);
  std::string note;
  EXPECT_EQ(CompileIfPossible(skewed, "xgboost", Task::kBinary, 2, &note), skewed);
  EXPECT_NE(note.find("disagreed with XGBoost"), std::string::npos) << note;
}

TEST(CompileIfPossibleTest, TaskMismatchFallsBack) {
  auto model = Train("xgboost", Task::kBinary, 2, {{"n_estimators", 10}});
  ASSERT_TRUE(model);
  std::string note;
  EXPECT_EQ(CompileIfPossible(model, "xgboost", Task::kRegression, 0, &note), model);
  EXPECT_NE(note.find("not compiled"), std::string::npos) << note;
  EXPECT_EQ(CompileIfPossible(nullptr, "xgboost", Task::kBinary, 2, &note), nullptr);
}

}  // namespace
}  // namespace aimass::serve
