#include <gtest/gtest.h>

#include <filesystem>

#include "common/hash.h"
#include "pipelines/steps/builtin_steps.h"
#include "store/sqlite_store.h"

namespace aimass::pipelines {
namespace {

using nlohmann::json;

// The gate needs no service: it only reads its parameters.
class GateStepTest : public ::testing::Test {
 protected:
  void SetUp() override {
    gate_ = MakeGateStep();
    dir_ = std::filesystem::temp_directory_path() / ("aimass-gate-" + RandomHex(6));
    std::filesystem::create_directories(dir_);
    auto store = store::SqliteStore::Open(dir_ / "aimass.db");
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  Result<json> Run(json with) {
    StepInput input;
    input.pipeline = "nightly";
    input.step = "gate";
    input.with = std::move(with);
    // The gate never touches its context.
    jobs::JobContext context(*store_, clock_, store::JobRecord{}, json::object(), 1000);
    return gate_->Run(input, context);
  }

  std::unique_ptr<StepType> gate_;
  std::filesystem::path dir_;
  ManualClock clock_;
  std::unique_ptr<store::SqliteStore> store_;
};

TEST_F(GateStepTest, PassesWhenTheCandidateBeatsTheBaselineByTheGain) {
  auto out = Run({{"metric", "roc_auc"},
                  {"candidate", {{"roc_auc", 0.912}}},
                  {"baseline", {{"roc_auc", 0.905}}},
                  {"min_gain", 0.005}});
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_TRUE((*out)["passed"]);
  EXPECT_DOUBLE_EQ((*out)["candidate_value"], 0.912);
  EXPECT_DOUBLE_EQ((*out)["baseline_value"], 0.905);
  EXPECT_EQ((*out)["reason"], "roc_auc 0.912 beats 0.905 by 0.007 ≥ 0.005");
}

TEST_F(GateStepTest, DoesNotPassBelowTheGainWithoutFailing) {
  auto out = Run({{"metric", "roc_auc"},
                  {"candidate", {{"roc_auc", 0.908}}},
                  {"baseline", {{"roc_auc", 0.905}}},
                  {"min_gain", 0.005}});
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_FALSE((*out)["passed"]);
  EXPECT_NE((*out)["reason"].get<std::string>().find("does not beat 0.905"), std::string::npos)
      << (*out)["reason"];
}

TEST_F(GateStepTest, AnExactGainPasses) {
  auto out = Run({{"metric", "accuracy"},
                  {"candidate", {{"accuracy", 0.91}}},
                  {"baseline", {{"accuracy", 0.905}}},
                  {"min_gain", 0.005}});
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_TRUE((*out)["passed"]) << (*out)["reason"];
}

TEST_F(GateStepTest, LowerIsBetterForLossesAndErrors) {
  for (const char* metric : {"log_loss", "rmse", "mae", "cv_rmse"}) {
    auto better = Run({{"metric", metric},
                       {"candidate", {{metric, 0.30}}},
                       {"baseline", {{metric, 0.35}}},
                       {"min_gain", 0.01}});
    ASSERT_TRUE(better) << better.error().message;
    EXPECT_TRUE((*better)["passed"]) << metric << ": " << (*better)["reason"];
    auto worse =
        Run({{"metric", metric}, {"candidate", {{metric, 0.35}}}, {"baseline", {{metric, 0.30}}}});
    ASSERT_TRUE(worse) << worse.error().message;
    EXPECT_FALSE((*worse)["passed"]) << metric;
  }
}

TEST_F(GateStepTest, HigherIsBetterCanBeSaid) {
  auto out = Run({{"metric", "latency_ms"},
                  {"candidate", {{"latency_ms", 12}}},
                  {"baseline", {{"latency_ms", 15}}},
                  {"higher_is_better", false}});
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_TRUE((*out)["passed"]);
  auto unknown = Run({{"metric", "latency_ms"},
                      {"candidate", {{"latency_ms", 12}}},
                      {"baseline", {{"latency_ms", 15}}}});
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("higher_is_better"), std::string::npos);
}

TEST_F(GateStepTest, RelativeGainIsAShareOfTheBaseline) {
  // 1% of 0.80 is 0.008: 0.809 passes, 0.807 does not.
  json with = {
      {"metric", "r2"}, {"baseline", {{"r2", 0.80}}}, {"min_gain", 0.01}, {"relative", true}};
  with["candidate"] = {{"r2", 0.809}};
  auto pass = Run(with);
  ASSERT_TRUE(pass) << pass.error().message;
  EXPECT_TRUE((*pass)["passed"]) << (*pass)["reason"];
  EXPECT_NE((*pass)["reason"].get<std::string>().find("1% of 0.8"), std::string::npos)
      << (*pass)["reason"];
  with["candidate"] = {{"r2", 0.807}};
  auto fail = Run(with);
  ASSERT_TRUE(fail) << fail.error().message;
  EXPECT_FALSE((*fail)["passed"]);
}

TEST_F(GateStepTest, NoBaselinePasses) {
  for (json with : {json{{"metric", "roc_auc"}, {"candidate", {{"roc_auc", 0.7}}}},
                    json{{"metric", "roc_auc"},
                         {"candidate", {{"roc_auc", 0.7}}},
                         {"baseline", json::object()},
                         {"min_gain", 0.05}}}) {
    auto out = Run(with);
    ASSERT_TRUE(out) << out.error().message;
    EXPECT_TRUE((*out)["passed"]);
    EXPECT_TRUE((*out)["baseline_value"].is_null());
    EXPECT_NE((*out)["reason"].get<std::string>().find("no baseline"), std::string::npos);
  }
}

TEST_F(GateStepTest, AMetricMissingFromASideIsAnError) {
  auto out = Run({{"metric", "roc_auc"},
                  {"candidate", {{"accuracy", 0.9}}},
                  {"baseline", {{"roc_auc", 0.8}}}});
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(out.error().message.find("'candidate'"), std::string::npos) << out.error().message;
  EXPECT_NE(out.error().message.find("accuracy"), std::string::npos) << out.error().message;
}

TEST_F(GateStepTest, LiteralsAreChecked) {
  auto negative = gate_->CheckLiterals({{"metric", "roc_auc"}, {"min_gain", -0.1}});
  ASSERT_FALSE(negative);
  EXPECT_NE(negative.error().message.find("'min_gain'"), std::string::npos);
  auto text = gate_->CheckLiterals({{"metric", "roc_auc"}, {"relative", "yes"}});
  ASSERT_FALSE(text);
  EXPECT_NE(text.error().message.find("'relative'"), std::string::npos);
  EXPECT_TRUE(gate_->CheckLiterals({{"metric", "roc_auc"}, {"min_gain", 0.005}}));
  // References are checked by the runner once they have values.
  EXPECT_TRUE(gate_->CheckLiterals({{"metric", "${{ steps.train.outputs.metric }}"}}));
}

}  // namespace
}  // namespace aimass::pipelines
