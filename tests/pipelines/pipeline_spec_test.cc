#include "pipelines/pipeline_spec.h"

#include <gtest/gtest.h>

#include "pipelines/cron.h"
#include "pipelines/references.h"
#include "test_step_types.h"

namespace aimass::pipelines {
namespace {

class PipelineSpecTest : public ::testing::Test {
 protected:
  void SetUp() override { testing::AddTestSteps(types_); }

  // The error of parsing `yaml` (fails the test when it parses).
  std::string Problem(const std::string& yaml) {
    auto spec = ParsePipeline(yaml, types_);
    EXPECT_FALSE(spec) << yaml;
    return spec ? "" : spec.error().message;
  }

  StepTypeRegistry types_;
};

constexpr const char* kGood = R"(name: nightly
description: make then use
concurrency: skip
triggers:
  - cron: "0 3 * * *"
  - dataset: sales
  - webhook: {}
steps:
  - name: make
    type: make
    with: {name: sales, count: 3}
  - name: use
    type: use
    needs: make
    retries: 2
    retry_delay: 1s
    timeout: 5m
    with:
      dataset: ${{ steps.make.outputs.dataset }}
      note: "made ${{ steps.make.outputs.count }} for run ${{ run.id }}"
)";

TEST_F(PipelineSpecTest, ReadsAPipelineAndKeepsItThroughJson) {
  auto spec = ParsePipeline(kGood, types_);
  ASSERT_TRUE(spec) << spec.error().message;
  EXPECT_EQ(spec->name, "nightly");
  EXPECT_EQ(spec->concurrency, Concurrency::kSkip);
  ASSERT_EQ(spec->triggers.size(), 3u);
  EXPECT_EQ(spec->triggers[0].kind, TriggerKind::kCron);
  EXPECT_EQ(spec->TriggerDataset(), "sales");
  ASSERT_EQ(spec->steps.size(), 2u);
  const StepSpec& use = spec->steps[1];
  EXPECT_EQ(use.needs, std::vector<std::string>{"make"});
  EXPECT_EQ(use.retries, 2);
  EXPECT_DOUBLE_EQ(use.retry_delay_seconds, 1);
  EXPECT_DOUBLE_EQ(use.timeout_seconds, 300);
  EXPECT_EQ(spec->steps[0].with["count"], 3);  // a plain scalar that is a number
  EXPECT_EQ(use.at.line, 12);

  auto again = SpecFromJson(SpecToJson(*spec));
  ASSERT_TRUE(again);
  EXPECT_EQ(SpecToJson(*again), SpecToJson(*spec));
}

TEST_F(PipelineSpecTest, ACycleIsNamedWithItsSteps) {
  const std::string problem = Problem(R"(name: loop
steps:
  - {name: a, type: make, needs: c, with: {name: x}}
  - {name: b, type: make, needs: a, with: {name: x}}
  - {name: c, type: make, needs: b, with: {name: x}}
)");
  EXPECT_NE(problem.find("cycle"), std::string::npos) << problem;
  EXPECT_NE(problem.find("a -> c -> b -> a"), std::string::npos) << problem;
}

TEST_F(PipelineSpecTest, AnUnknownStepTypeIsNamedWithItsLineAndTheKnownTypes) {
  const std::string problem = Problem(R"(name: p
steps:
  - name: first
    type: make
    with: {name: x}
  - name: second
    type: trian
)");
  EXPECT_NE(problem.find("line 6"), std::string::npos) << problem;
  EXPECT_NE(problem.find("unknown type 'trian'"), std::string::npos) << problem;
  EXPECT_NE(problem.find("make, use"), std::string::npos) << problem;
}

TEST_F(PipelineSpecTest, AReferenceToAMissingOutputPointsAtItsLine) {
  const std::string problem = Problem(R"(name: p
steps:
  - {name: make, type: make, with: {name: x}}
  - name: use
    type: use
    needs: [make]
    with:
      dataset: ${{ steps.make.outputs.model }}
)");
  EXPECT_NE(problem.find("line 8"), std::string::npos) << problem;
  EXPECT_NE(problem.find("has no output 'model'; its outputs are dataset, count"),
            std::string::npos)
      << problem;
}

TEST_F(PipelineSpecTest, ReferencesMustFollowNeedsAndFitTheirParameter) {
  const std::string problem = Problem(R"(name: p
steps:
  - {name: make, type: make, with: {name: x}}
  - name: use
    type: use
    with:
      dataset: ${{ steps.make.outputs.dataset }}
      fail: ${{ steps.make.outputs.dataset }}
      note: ${{ steps.ghost.outputs.x }}
)");
  EXPECT_NE(problem.find("'use' does not need it; add make to its needs"), std::string::npos)
      << problem;
  EXPECT_NE(problem.find("names step 'ghost'"), std::string::npos) << problem;

  const std::string typed = Problem(R"(name: p
steps:
  - {name: make, type: make, with: {name: x}}
  - name: use
    type: use
    needs: make
    with:
      dataset: ${{ steps.make.outputs.dataset }}
      fail: ${{ steps.make.outputs.dataset }}
)");
  EXPECT_NE(typed.find("parameter 'fail' is number, but ${{ steps.make.outputs.dataset }} is "
                       "dataset"),
            std::string::npos)
      << typed;
}

TEST_F(PipelineSpecTest, ABadCronExpressionSaysWhichField) {
  const std::string problem = Problem(R"(name: p
triggers:
  - cron: "61 * * * *"
steps:
  - {name: make, type: make, with: {name: x}}
)");
  EXPECT_NE(problem.find("line 3"), std::string::npos) << problem;
  EXPECT_NE(problem.find("minute '61' is out of range 0-59"), std::string::npos) << problem;
}

TEST_F(PipelineSpecTest, ParametersAreCheckedByType) {
  const std::string problem = Problem(R"(name: p
steps:
  - name: make
    type: make
    with: {name: x, count: many, sleep: soon, colour: red}
  - name: use
    type: use
    needs: make
)");
  EXPECT_NE(problem.find("parameter 'count' must be a number"), std::string::npos) << problem;
  EXPECT_NE(problem.find("sleep"), std::string::npos) << problem;
  EXPECT_NE(problem.find("make has no parameter 'colour'; its parameters are name, count, sleep"),
            std::string::npos)
      << problem;
  EXPECT_NE(problem.find("use needs the parameter 'dataset'"), std::string::npos) << problem;
}

TEST_F(PipelineSpecTest, ShapeErrorsAndBadYamlPointAtTheirLine) {
  EXPECT_NE(Problem("name: p\nsteps: [\n").find("not valid YAML"), std::string::npos);
  const std::string problem = Problem(R"(name: p
stepz: []
steps:
  - name: a
    type: make
    retries: lots
    with: {name: x}
  - name: a
    type: make
    with: {name: y}
)");
  EXPECT_NE(problem.find("line 2, column 1: the pipeline: unknown key 'stepz'"), std::string::npos)
      << problem;
  EXPECT_NE(problem.find("retries must be a whole number"), std::string::npos) << problem;
  EXPECT_NE(Problem("- a\n- b\n").find("a YAML map"), std::string::npos);
}

TEST_F(PipelineSpecTest, TwoStepsWithOneNameAreRefused) {
  const std::string problem = Problem(R"(name: p
steps:
  - {name: a, type: make, with: {name: x}}
  - {name: a, type: make, with: {name: y}}
)");
  EXPECT_NE(problem.find("two steps are named 'a'"), std::string::npos) << problem;
}

TEST_F(PipelineSpecTest, AliasBombsAreRefused) {
  std::string yaml = "name: p\nsteps:\n  - name: a\n    type: make\n    with:\n      name: x\n";
  yaml += "      count: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n";
  for (int i = 1; i < 9; ++i) {
    yaml += "      c" + std::to_string(i) + ": &a" + std::to_string(i) + " [*a" +
            std::to_string(i - 1) + ", *a" + std::to_string(i - 1) + ", *a" +
            std::to_string(i - 1) + ", *a" + std::to_string(i - 1) + ", *a" +
            std::to_string(i - 1) + "]\n";
  }
  EXPECT_NE(Problem(yaml).find("too large or too deeply nested"), std::string::npos);
}

TEST(CronTest, ParsesFieldsAndMatchesMinutes) {
  auto every15 = CronSchedule::Parse("*/15 * * * *");
  ASSERT_TRUE(every15);
  EXPECT_TRUE(every15->Matches(0));
  EXPECT_FALSE(every15->Matches(1));
  EXPECT_EQ(every15->NextAfter(0), 15);
  // 2026-11-28 is a Saturday; "0 3 * * mon-fri" next fires Monday 2026-11-30 03:00 UTC.
  auto weekdays = CronSchedule::Parse("0 3 * * mon-fri");
  ASSERT_TRUE(weekdays);
  const int64_t saturday_noon = 1795867200 / 60;                   // 2026-11-28T12:00:00Z
  EXPECT_EQ(weekdays->NextAfter(saturday_noon) * 60, 1796007600);  // 2026-11-30T03:00:00Z
  EXPECT_TRUE(CronSchedule::Parse("@daily"));
  EXPECT_TRUE(CronSchedule::Parse("5,10-12/2 0 1 jan,JUL 7"));
  for (const char* bad : {"* * * *", "61 * * * *", "* 24 * * *", "* * 0 * *", "*/0 * * * *",
                          "5-1 * * * *", "x * * * *"}) {
    EXPECT_FALSE(CronSchedule::Parse(bad)) << bad;
  }
  EXPECT_EQ(CronSchedule::Parse("0 0 31 2 *")->NextAfter(0), -1);
}

TEST(ReferencesTest, FindsAndResolvesReferences) {
  auto found = FindReferences("a ${{ steps.x.outputs.y }} b ${{run.id}}");
  ASSERT_TRUE(found);
  ASSERT_EQ(found->size(), 2u);
  EXPECT_EQ((*found)[0].step, "x");
  EXPECT_EQ((*found)[1].kind, Reference::Kind::kRunId);
  EXPECT_FALSE(FindReferences("${{ steps.x }}"));
  EXPECT_FALSE(FindReferences("${{ steps.x.outputs.y"));

  auto lookup = [](const Reference& reference) -> Result<nlohmann::json> {
    if (reference.kind == Reference::Kind::kRunId) return nlohmann::json(7);
    return nlohmann::json{{"auc", 0.9}};
  };
  auto resolved = ResolveReferences(
      {{"whole", "${{ steps.e.outputs.metrics }}"}, {"text", "run ${{ run.id }}!"}, {"n", 3}},
      lookup);
  ASSERT_TRUE(resolved);
  EXPECT_EQ((*resolved)["whole"]["auc"], 0.9);  // keeps its type
  EXPECT_EQ((*resolved)["text"], "run 7!");
  EXPECT_EQ((*resolved)["n"], 3);
}

}  // namespace
}  // namespace aimass::pipelines
