#include "registry/model_ref.h"

#include <gtest/gtest.h>

#include "registry/model_filter.h"

namespace aimass::registry {
namespace {

std::string MessageOf(const Status& status) { return status ? "" : status.error().message; }

TEST(ModelRefTest, NumbersAliasesAndTheNewest) {
  auto newest = ParseModelRef("credit_risk");
  ASSERT_TRUE(newest);
  EXPECT_EQ(newest->version, 0);
  EXPECT_TRUE(newest->alias.empty());
  EXPECT_EQ(newest->ToString(), "credit_risk");
  EXPECT_EQ(ParseModelRef("credit_risk@latest")->version, 0);
  auto third = ParseModelRef("credit_risk@3");
  ASSERT_TRUE(third);
  EXPECT_EQ(third->version, 3);
  EXPECT_EQ(third->ToString(), "credit_risk@3");
  auto champion = ParseModelRef("credit_risk@champion");
  ASSERT_TRUE(champion);
  EXPECT_EQ(champion->alias, "champion");
  EXPECT_EQ(champion->version, 0);
  EXPECT_EQ(champion->ToString(), "credit_risk@champion");
}

TEST(ModelRefTest, BadReferencesSayWhatIsAllowed) {
  for (const char* text : {"credit@0", "credit@-1", "credit@", "@3", "bad name@1", "a/b@1",
                           "credit@cham pion", "credit@99999999999999999999"}) {
    SCOPED_TRACE(text);
    auto ref = ParseModelRef(text);
    ASSERT_FALSE(ref);
    EXPECT_EQ(ref.error().code, ErrorCode::kInvalidArgument);
  }
  EXPECT_NE(ParseModelRef("a/b").error().message.find("model name 'a/b' is not allowed"),
            std::string::npos);
}

TEST(ModelRefTest, AnAliasCannotLookLikeAVersion) {
  EXPECT_TRUE(CheckAlias("champion"));
  EXPECT_TRUE(CheckAlias("v2"));
  EXPECT_NE(MessageOf(CheckAlias("3")).find("looks like a version"), std::string::npos);
  EXPECT_NE(MessageOf(CheckAlias("latest")).find("looks like a version"), std::string::npos);
  EXPECT_NE(MessageOf(CheckAlias("-x")).find("alias '-x' is not allowed"), std::string::npos);
}

TEST(ModelRefTest, MemberNamesAreRelativePathsInsideTheBundle) {
  EXPECT_TRUE(CheckMemberName("model.json"));
  EXPECT_TRUE(CheckMemberName("learners/0.ubj"));
  EXPECT_TRUE(CheckMemberName("a/b-c_d+e.f"));
  EXPECT_NE(MessageOf(CheckMemberName("/etc/passwd")).find("absolute path"), std::string::npos);
  EXPECT_NE(MessageOf(CheckMemberName("../x")).find("'..'"), std::string::npos);
  EXPECT_NE(MessageOf(CheckMemberName("a/../../x")).find("'..'"), std::string::npos);
  EXPECT_NE(MessageOf(CheckMemberName("./x")).find("'.' component"), std::string::npos);
  EXPECT_NE(MessageOf(CheckMemberName("a//b")).find("empty"), std::string::npos);
  EXPECT_NE(MessageOf(CheckMemberName("a\\b")).find("character"), std::string::npos);
  EXPECT_NE(MessageOf(CheckMemberName("manifest.json")).find("manifest"), std::string::npos);
  EXPECT_NE(MessageOf(CheckMemberName(std::string(101, 'a'))).find("too long"), std::string::npos);
  EXPECT_FALSE(CheckMemberName(""));
}

TEST(ModelRefTest, TasksAndTags) {
  EXPECT_TRUE(CheckTask("binary"));
  EXPECT_TRUE(CheckTask("multiclass"));
  EXPECT_TRUE(CheckTask("regression"));
  EXPECT_NE(MessageOf(CheckTask("ranking")).find("binary, multiclass, regression"),
            std::string::npos);
  EXPECT_TRUE(CheckTagValue(std::string(5000, 'v')));
  EXPECT_FALSE(CheckTagValue(std::string(5001, 'v')));
  EXPECT_FALSE(CheckTagKey("team:x"));
}

TEST(ModelFilterTest, MetricThresholds) {
  auto ge = ParseMetricThreshold("roc_auc>=0.9");
  ASSERT_TRUE(ge) << ge.error().message;
  EXPECT_EQ(ge->metric, "roc_auc");
  EXPECT_EQ(ge->op, store::Comparison::kGreaterOrEqual);
  EXPECT_DOUBLE_EQ(ge->value, 0.9);
  EXPECT_EQ(ParseMetricThreshold("rmse < 3.5")->op, store::Comparison::kLess);
  EXPECT_EQ(ParseMetricThreshold("acc==1")->op, store::Comparison::kEqual);
  EXPECT_EQ(ParseMetricThreshold("acc=1")->op, store::Comparison::kEqual);
  EXPECT_EQ(ParseMetricThreshold("acc>1e-3")->op, store::Comparison::kGreater);
  for (const char* bad : {"roc_auc", ">=0.9", "roc_auc>=", "roc_auc>=high", "roc auc>=1",
                          "roc_auc>=0.9x", "x>=nan"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(ParseMetricThreshold(bad));
  }
}

TEST(ModelFilterTest, TagFiltersAndLikePatterns) {
  auto tags = ParseTagFilters("team:risk,stage:prod:blue");
  ASSERT_TRUE(tags);
  EXPECT_EQ(*tags, (std::map<std::string, std::string>{{"stage", "prod:blue"}, {"team", "risk"}}));
  EXPECT_FALSE(ParseTagFilters("team"));
  EXPECT_EQ(LikeContaining("a_b%c"), "%a\\_b\\%c%");
}

}  // namespace
}  // namespace aimass::registry
