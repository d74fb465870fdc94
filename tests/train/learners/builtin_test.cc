#include <gtest/gtest.h>

#include "train/learner.h"
#include "train/learners/param_values.h"

namespace aimass::train {
namespace {
using nlohmann::json;

TEST(BuiltinLearnersTest, RegistryHoldsTheThreeLearners) {
  const auto& registry = LearnerRegistry::Builtin();
  EXPECT_EQ(registry.Names(), (std::vector<std::string>{"linear", "rf", "xgboost"}));
  auto unknown = registry.Get("svm");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("linear, rf, xgboost"), std::string::npos);
}

TEST(BuiltinLearnersTest, EverySpaceDefaultAndGridValueIsValid) {
  for (const auto& name : LearnerRegistry::Builtin().Names()) {
    const Learner* learner = LearnerRegistry::Builtin().Find(name);
    for (Task task : {Task::kBinary, Task::kMulticlass, Task::kRegression}) {
      ASSERT_TRUE(learner->Supports(task));
      const ParamSpace space = learner->Space(task);
      ASSERT_FALSE(space.empty());
      for (const auto& spec : space) {
        SCOPED_TRACE(name + "." + spec.name);
        EXPECT_FALSE(spec.grid.empty());
        for (const json& value : spec.grid) {
          EXPECT_TRUE(ParamValues::Resolve(name, space, {{spec.name, value}})) << value;
        }
        EXPECT_TRUE(ParamValues::Resolve(name, space, {{spec.name, spec.default_value}}));
        if (spec.type == ParamSpec::Type::kLogFloat) {
          EXPECT_GT(spec.low, 0);
        }
      }
    }
  }
}

TEST(BuiltinLearnersTest, ResolvedValuesTakeDefaults) {
  const ParamSpace space = {IntParam("depth", 1, 10, 6, {3}), FloatParam("rate", 0, 1, 0.5, {})};
  auto values = ParamValues::Resolve("test", space, {{"depth", 4}});
  ASSERT_TRUE(values) << values.error().message;
  EXPECT_EQ(values->Int("depth"), 4);
  EXPECT_EQ(values->Double("rate"), 0.5);
  EXPECT_EQ(values->ToJson(), (json{{"depth", 4}, {"rate", 0.5}}));
  EXPECT_TRUE(ParamValues::Resolve("test", space, nullptr));
  EXPECT_FALSE(ParamValues::Resolve("test", space, {{"depth", 11}}));
  EXPECT_FALSE(ParamValues::Resolve("test", space, {{"rate", nullptr}}));
}

}  // namespace
}  // namespace aimass::train
