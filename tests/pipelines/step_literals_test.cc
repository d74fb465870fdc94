// What each built-in step checks when a pipeline is applied: literal values, with messages
// naming the parameter and the fix; references are left to the runner.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "steps_fixture.h"

namespace aimass::pipelines {
namespace {

using nlohmann::json;

class StepLiteralsTest : public testing::StepsTest {
 protected:
  // The CheckLiterals error of step `type`, "" when it passes.
  std::string Refusal(const std::string& type, const json& with) {
    auto checked = Step(type).CheckLiterals(with);
    if (checked) return "";
    EXPECT_EQ(checked.error().code, ErrorCode::kInvalidArgument) << checked.error().message;
    return checked.error().message;
  }
};

MATCHER_P(Names, param, "") {
  return arg.find("'" + std::string(param) + "'") != std::string::npos;
}

TEST_F(StepLiteralsTest, Train) {
  EXPECT_EQ(Refusal("train", {{"dataset", "credit"}, {"target", "y"}, {"register", "m"}}), "");
  EXPECT_THAT(Refusal("train", {{"budget", "0s"}}), Names("budget"));
  EXPECT_THAT(Refusal("train", {{"budget", "soon"}}), Names("budget"));
  EXPECT_THAT(Refusal("train", {{"register", "no spaces"}}), Names("register"));
  EXPECT_THAT(Refusal("train", {{"metric", "auc_roc"}}), Names("metric"));
  EXPECT_THAT(Refusal("train", {{"task", "regression"}, {"metric", "roc_auc"}}), Names("metric"));
  EXPECT_NE(Refusal("train", {{"learners", {"gbm"}}}), "");
  EXPECT_NE(Refusal("train", {{"cv", 1}}), "");
  EXPECT_NE(Refusal("train", {{"cv", 3}, {"holdout", 0.2}}), "");
  EXPECT_THAT(Refusal("train", {{"seed", "x"}}), Names("seed"));
  EXPECT_EQ(Refusal("train", {{"dataset", "${{ steps.clean.outputs.dataset }}"},
                              {"budget", "5m"},
                              {"learners", {"xgboost", "linear"}},
                              {"settings", {{"max_trials", 10}}}}),
            "");
}

TEST_F(StepLiteralsTest, ImportAndTransform) {
  EXPECT_THAT(Refusal("import", {{"dataset", "credit"}, {"path", "/a.csv"}, {"url", "http://x/a"}}),
              ::testing::HasSubstr("not both"));
  EXPECT_THAT(Refusal("import", {{"dataset", "credit"}, {"url", "file:///etc/passwd"}}),
              Names("url"));
  EXPECT_THAT(Refusal("import", {{"dataset", "a b"}, {"path", "/a.csv"}}), Names("dataset"));
  EXPECT_THAT(Refusal("import", {{"dataset", "credit"}, {"format", "xlsx"}}), Names("format"));
  EXPECT_EQ(Refusal("import", {{"dataset", "credit"}, {"url", "https://data.example.com/a.csv"}}),
            "");
  EXPECT_THAT(Refusal("transform", {{"input", "credit"}, {"sql", "DROP TABLE input"}}),
              Names("sql"));
  EXPECT_THAT(
      Refusal("transform", {{"input", "credit"}, {"sql", "SELECT * FROM read_csv('/etc/passwd')"}}),
      Names("sql"));
  EXPECT_THAT(Refusal("transform", {{"input", "credit@x"}, {"sql", "SELECT 1"}}), Names("input"));
  EXPECT_EQ(Refusal("transform", {{"input", "credit@2"}, {"sql", "SELECT * FROM input"}}), "");
}

TEST_F(StepLiteralsTest, RegistryAndServing) {
  EXPECT_THAT(Refusal("set-alias", {{"model", "credit"}, {"alias", "7"}}), Names("alias"));
  EXPECT_THAT(Refusal("set-alias", {{"model", "credit"}, {"alias", "latest"}}), Names("alias"));
  EXPECT_EQ(Refusal("set-alias", {{"model", "credit@3"}, {"alias", "champion"}}), "");
  EXPECT_THAT(Refusal("register", {{"model", "credit"}, {"name", "../x"}}), Names("name"));
  EXPECT_THAT(Refusal("register", {{"model", "credit"}, {"name", "x"}, {"tags", {{"team", 3}}}}),
              Names("tags"));
  EXPECT_THAT(Refusal("deploy", {{"endpoint", "web site"}, {"model", "credit"}}),
              Names("endpoint"));
  EXPECT_THAT(Refusal("deploy", {{"endpoint", "web"}, {"canary_percent", 150}}),
              Names("canary_percent"));
  EXPECT_THAT(Refusal("deploy", {{"endpoint", "web"}, {"wait", "-5s"}}), Names("wait"));
  EXPECT_EQ(Refusal("deploy", {{"endpoint", "web"}, {"model", "credit@champion"}, {"wait", "2m"}}),
            "");
  EXPECT_THAT(Refusal("batch-predict", {{"endpoint", "web"}, {"output", "bad name"}}),
              Names("output"));
  EXPECT_THAT(Refusal("evaluate", {{"model", "credit"}, {"missing_ok", "yes"}}),
              Names("missing_ok"));
}

TEST_F(StepLiteralsTest, ParametersOfTheWrongTypeAreNamedAtRunTime) {
  auto out = RunInline("set-alias", Input({{"model", 3}, {"alias", "champion"}}));
  ASSERT_FALSE(out);
  EXPECT_THAT(out.error().message, Names("model"));
  auto missing = RunInline("set-alias", Input({{"model", "credit"}}));
  ASSERT_FALSE(missing);
  EXPECT_THAT(missing.error().message, Names("alias"));
}

}  // namespace
}  // namespace aimass::pipelines
