// import, evaluate, register, set-alias and deploy through real services.
#include <gtest/gtest.h>

#include "common/project_scope.h"
#include "steps_fixture.h"

namespace aimass::pipelines {
namespace {

using nlohmann::json;

class ModelStepsTest : public testing::StepsTest {};

TEST_F(ModelStepsTest, EveryBuiltInTypeIsRegistered) {
  EXPECT_EQ(steps_.Names(),
            (std::vector<std::string>{"batch-predict", "deploy", "evaluate", "gate", "import",
                                      "notify", "register", "set-alias", "train", "transform"}));
  for (const auto& name : steps_.Names()) {
    StepType& type = Step(name);
    EXPECT_FALSE(type.help().empty()) << name;
    for (const auto& param : type.params()) EXPECT_FALSE(param.help.empty()) << name;
  }
  EXPECT_FALSE(Step("notify").cacheable());
  EXPECT_FALSE(Step("deploy").cacheable());
  EXPECT_FALSE(Step("set-alias").cacheable());
  EXPECT_TRUE(Step("evaluate").cacheable());
}

TEST_F(ModelStepsTest, EvaluateOfAMissingChampionIsNotFoundUnlessMissingOk) {
  RegisterTrained("credit", 1);
  ImportFrame("holdout", 40, 5);
  auto missing =
      RunInline("evaluate", Input({{"model", "credit@champion"}, {"dataset", "holdout"}}));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  auto ok = RunInline(
      "evaluate",
      Input({{"model", "credit@champion"}, {"dataset", "holdout"}, {"missing_ok", true}}));
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ((*ok)["found"], false);
  EXPECT_EQ((*ok)["metrics"], json::object());
  EXPECT_EQ((*ok)["model"], "");
  // An empty baseline lets a gate pass.
  auto gate = RunInline("gate", Input({{"metric", "roc_auc"},
                                       {"candidate", {{"roc_auc", 0.9}}},
                                       {"baseline", (*ok)["metrics"]}}));
  ASSERT_TRUE(gate) << gate.error().message;
  EXPECT_TRUE((*gate)["passed"]);
}

TEST_F(ModelStepsTest, AnotherProjectsModelsAndDatasetsAreRefused) {
  RegisterTrained("credit", 1);
  ImportFrame("holdout", 40, 5);
  auto project = store_->CreateProject("risk", "", clock_.NowMillis());
  ASSERT_TRUE(project) << project.error().message;
  StepInput input = Input({{"model", "credit"}, {"dataset", "holdout"}});
  input.project_id = project->id;
  auto out = RunInline("evaluate", input);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, ErrorCode::kPermissionDenied);
  EXPECT_NE(out.error().message.find("project 'default'"), std::string::npos)
      << out.error().message;
  StepInput alias = Input({{"model", "credit@1"}, {"alias", "champion"}});
  alias.project_id = project->id;
  auto moved = RunInline("set-alias", alias);
  ASSERT_FALSE(moved);
  EXPECT_EQ(moved.error().code, ErrorCode::kPermissionDenied);
}

TEST_F(ModelStepsTest, RegisterAndSetAliasThroughTheRegistry) {
  const auto source = RegisterTrained("candidate", 1);
  auto first = RunInline("register", Input({{"model", "candidate"},
                                            {"name", "credit"},
                                            {"description", "promoted by nightly"},
                                            {"tags", {{"team", "risk"}}}}));
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ((*first)["model"], "credit@1");
  auto version = registry_->Version({"credit", 1, ""});
  ASSERT_TRUE(version) << version.error().message;
  EXPECT_EQ(version->description, "promoted by nightly");
  EXPECT_EQ(version->task, source.task);
  ASSERT_EQ(version->members.size(), source.members.size());
  for (size_t i = 0; i < source.members.size(); ++i) {
    EXPECT_EQ(version->members[i].blob_hash, source.members[i].blob_hash);
  }
  EXPECT_NE(version->lineage_json.find("candidate@1"), std::string::npos);
  EXPECT_EQ(registry_->Get("credit")->tags.at("team"), "risk");

  auto alias = RunInline("set-alias", Input({{"model", "credit@1"}, {"alias", "champion"}}));
  ASSERT_TRUE(alias) << alias.error().message;
  EXPECT_EQ((*alias)["model"], "credit@1");
  EXPECT_EQ((*alias)["previous"], "");

  auto second = RunInline("register", Input({{"model", "candidate@1"}, {"name", "credit"}}));
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ((*second)["model"], "credit@2");
  auto moved = RunInline("set-alias", Input({{"model", "credit"}, {"alias", "champion"}}));
  ASSERT_TRUE(moved) << moved.error().message;
  EXPECT_EQ((*moved)["model"], "credit@2");
  EXPECT_EQ((*moved)["previous"], "credit@1");
  EXPECT_EQ(registry_->Get("credit")->aliases.at("champion"), 2);
  // The loaded copy of the new version predicts like the original.
  auto loaded = loader_->Load(*registry_->Version({"credit", 2, ""}));
  ASSERT_TRUE(loaded) << loaded.error().message;
}

TEST_F(ModelStepsTest, DeployCreatesThenUpdatesAnEndpointThatFollowsTheAlias) {
  RegisterTrained("credit", 1);
  RegisterTrained("credit", 2);
  ASSERT_TRUE(registry_->SetAlias("credit", "champion", 1));
  auto created = RunInline(
      "deploy", Input({{"endpoint", "web"}, {"model", "credit@champion"}, {"wait", "5s"}}));
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ((*created)["endpoint"], "web");
  EXPECT_EQ((*created)["model"], "credit@1");
  EXPECT_EQ(store_->GetEndpoint("web")->model, "credit@champion");  // as written

  ASSERT_TRUE(registry_->SetAlias("credit", "champion", 2));
  auto updated = RunInline("deploy", Input({{"endpoint", "web"},
                                            {"model", "credit@champion"},
                                            {"canary", "credit@1"},
                                            {"canary_percent", 10}}));
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_EQ((*updated)["model"], "credit@2");
  EXPECT_EQ(store_->GetEndpoint("web")->canary_percent, 10);

  auto bad = RunInline("deploy", Input({{"endpoint", "web"}, {"model", "nosuch@1"}}));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kNotFound);
}

TEST_F(ModelStepsTest, ImportFromAPathNeedsAnAdmin) {
  auto launched =
      Step("import").Launch(Input({{"dataset", "credit"}, {"path", WriteCsv(10, 1)}}, false));
  ASSERT_FALSE(launched);
  EXPECT_EQ(launched.error().code, ErrorCode::kPermissionDenied);
  EXPECT_NE(launched.error().message.find("'ana'"), std::string::npos) << launched.error().message;
  EXPECT_NE(launched.error().message.find("url"), std::string::npos);
}

TEST_F(ModelStepsTest, TransformAndBatchPredictMakeDatasetVersions) {
  RegisterTrained("credit", 1);
  ImportFrame("applications", 60, 3);
  auto transformed =
      RunLaunched("transform", Input({{"input", "applications"},
                                      {"sql", "SELECT x1, x2, x3, city FROM input WHERE x1 > 0"},
                                      {"output", "positive"}}));
  ASSERT_TRUE(transformed) << transformed.error().message;
  EXPECT_EQ((*transformed)["dataset"], "positive@1");
  EXPECT_GT((*transformed)["rows"].get<int64_t>(), 0);
  auto key = Step("transform").CacheKey(Input({{"input", "applications"}, {"sql", "SELECT 1"}}));
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ((*key)["input"], "applications@1");

  ASSERT_TRUE(service_->Deploy(Endpoint("web", "credit@1")));
  auto predicted = RunLaunched(
      "batch-predict",
      Input({{"endpoint", "web"}, {"dataset", (*transformed)["dataset"]}, {"output", "scored"}}));
  ASSERT_TRUE(predicted) << predicted.error().message;
  EXPECT_EQ((*predicted)["dataset"], "scored@1");
  EXPECT_EQ((*predicted)["rows"], (*transformed)["rows"]);
}

// Trains through the train step on an imported dataset (the CSV's yes/no target reads as
// booleans there), then scores the model on other rows.
TEST_F(ModelStepsTest, TrainThenEvaluateOnAHoldout) {
  ImportFrame("credit", 150, 1);
  const StepInput input = Input({{"dataset", "credit"},
                                 {"target", "y"},
                                 {"register", "credit_model"},
                                 {"budget", "20s"},
                                 {"learners", {"linear"}},
                                 {"cv", 2},
                                 {"seed", 3},
                                 {"settings", {{"max_trials", 1}, {"ensemble", "none"}}}});
  auto trained = RunLaunched("train", input);
  ASSERT_TRUE(trained) << trained.error().message;
  EXPECT_EQ((*trained)["model"], "credit_model@1");
  EXPECT_EQ((*trained)["metric"], "roc_auc");
  EXPECT_TRUE((*trained)["metrics"].contains("roc_auc")) << (*trained)["metrics"];
  auto key = Step("train").CacheKey(input);
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ((*key)["dataset"], "credit@1");
  // Without a seed a run never reuses another's model.
  json unseeded = input.with;
  unseeded.erase("seed");
  auto first = Step("train").CacheKey(Input(unseeded));
  StepInput later = Input(unseeded);
  later.run_id = 8;
  auto second = Step("train").CacheKey(later);
  ASSERT_TRUE(first && second);
  EXPECT_NE(*first, *second);

  EXPECT_EQ(ImportFrame("holdout", 120, 5), "holdout@1");
  auto out = RunInline("evaluate", Input({{"model", "credit_model"}, {"dataset", "holdout"}}));
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ((*out)["model"], "credit_model@1");
  EXPECT_EQ((*out)["found"], true);
  EXPECT_EQ((*out)["rows"], 120);
  const json& metrics = (*out)["metrics"];
  for (const char* metric : {"roc_auc", "accuracy", "log_loss", "f1", "balanced_accuracy"}) {
    ASSERT_TRUE(metrics.contains(metric)) << metrics;
    EXPECT_GE(metrics[metric].get<double>(), 0) << metric;
  }
  // y follows x1 strongly: a model trained on other rows of the same kind scores well.
  EXPECT_GT(metrics["roc_auc"].get<double>(), 0.8) << metrics;
  auto evaluate_key =
      Step("evaluate").CacheKey(Input({{"model", "credit_model"}, {"dataset", "holdout"}}));
  ASSERT_TRUE(evaluate_key) << evaluate_key.error().message;
  EXPECT_EQ((*evaluate_key)["model"], "credit_model@1");
  EXPECT_EQ((*evaluate_key)["dataset"], "holdout@1");

  // The gate compares the candidate with the champion it evaluated the same way.
  auto gate = RunInline("gate", Input({{"metric", "roc_auc"},
                                       {"candidate", metrics},
                                       {"baseline", metrics},
                                       {"min_gain", 0.005}}));
  ASSERT_TRUE(gate) << gate.error().message;
  EXPECT_FALSE((*gate)["passed"]);
}

}  // namespace
}  // namespace aimass::pipelines
