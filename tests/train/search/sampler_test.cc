#include "train/search/sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "train/search/grid_sampler.h"
#include "train/search/halving.h"
#include "train/search/tpe_sampler.h"

namespace aimass::train {
namespace {

ParamSpace Space() {
  ParamSpace space;
  space.push_back({"depth", ParamSpec::Type::kInt, 2, 10, {}, 6, {3, 6, 9}});
  space.push_back({"rate", ParamSpec::Type::kLogFloat, 0.01, 0.3, {}, 0.1, {0.03, 0.1, 0.3}});
  space.push_back({"share", ParamSpec::Type::kFloat, 0.5, 1.0, {}, 1.0, {0.7, 1.0}});
  space.push_back({"penalty", ParamSpec::Type::kChoice, 0, 0, {"l1", "l2"}, "l2", {"l1", "l2"}});
  return space;
}

TEST(SamplerTest, EveryStrategyStartsWithTheDefaults) {
  for (auto kind : {SearchKind::kRandom, SearchKind::kGrid, SearchKind::kBayes}) {
    auto sampler = MakeSampler(kind, Space(), 7);
    EXPECT_EQ(*sampler->Next(), DefaultParams(Space())) << SearchKindName(kind);
  }
}

TEST(SamplerTest, RandomValuesStayInRangeAndFollowTheSeed) {
  auto a = MakeSampler(SearchKind::kRandom, Space(), 1);
  auto b = MakeSampler(SearchKind::kRandom, Space(), 1);
  auto c = MakeSampler(SearchKind::kRandom, Space(), 2);
  bool differs = false;
  for (int i = 0; i < 200; ++i) {
    const auto p = *a->Next();
    EXPECT_EQ(p, *b->Next());
    differs |= p != *c->Next();
    EXPECT_GE(p["depth"].get<int>(), 2);
    EXPECT_LE(p["depth"].get<int>(), 10);
    EXPECT_GE(p["rate"].get<double>(), 0.01);
    EXPECT_LE(p["rate"].get<double>(), 0.3);
    EXPECT_TRUE(p["penalty"] == "l1" || p["penalty"] == "l2");
  }
  EXPECT_TRUE(differs);
}

TEST(SamplerTest, GridVisitsEveryPointOnceThenEnds) {
  GridSampler grid(Space(), 3);
  EXPECT_EQ(grid.size(), 3u * 3 * 2 * 2);
  std::set<std::string> seen;
  while (auto point = grid.Next()) EXPECT_TRUE(seen.insert(point->dump()).second);
  // The defaults (depth 6, rate 0.1, share 1, l2) are a grid point: proposed once, first.
  EXPECT_EQ(seen.size(), grid.size());
}

TEST(SamplerTest, TpeConvergesFasterThanRandom) {
  ParamSpace space = {{"x", ParamSpec::Type::kFloat, 0, 1, {}, 0.9, {}}};
  const auto loss = [](const nlohmann::json& p) {
    const double x = p["x"].get<double>();
    return (x - 0.3) * (x - 0.3);
  };
  const auto mean_late_loss = [&](SearchKind kind) {
    auto sampler = MakeSampler(kind, space, 11);
    double late = 0;
    for (int i = 0; i < 60; ++i) {
      const auto p = *sampler->Next();
      const double l = loss(p);
      sampler->Report(p, l);
      if (i >= 40) late += l / 20;
    }
    return late;
  };
  const double tpe = mean_late_loss(SearchKind::kBayes);
  const double random = mean_late_loss(SearchKind::kRandom);
  EXPECT_LT(tpe, random / 3) << "tpe " << tpe << " random " << random;
  EXPECT_EQ(tpe, mean_late_loss(SearchKind::kBayes));  // deterministic for a seed
}

TEST(SamplerTest, TpeLearnsChoices) {
  ParamSpace space = {{"kind", ParamSpec::Type::kChoice, 0, 0, {"a", "b", "c", "d"}, "a", {}}};
  TpeSampler sampler(space, 5);
  int c_late = 0;
  for (int i = 0; i < 60; ++i) {
    const auto p = *sampler.Next();
    sampler.Report(p, p["kind"] == "c" ? 0.0 : 1.0);
    if (i >= 30) c_late += p["kind"] == "c";
  }
  EXPECT_GT(c_late, 20);
}

TEST(SamplerTest, UnknownSearchIsRefusedWithTheChoices) {
  auto kind = ParseSearchKind("genetic");
  ASSERT_FALSE(kind.has_value());
  EXPECT_NE(kind.error().message.find("random, grid, bayes or halving"), std::string::npos);
  EXPECT_EQ(*ParseSearchKind("tpe"), SearchKind::kBayes);
}

TEST(HalvingTest, EachRungKeepsAThirdOnThreeTimesTheRows) {
  const auto schedule = HalvingSchedule(100000, 27);
  ASSERT_EQ(schedule.size(), 4u);
  EXPECT_EQ(schedule[0].configurations, 27);
  EXPECT_DOUBLE_EQ(schedule[0].row_fraction, 1.0 / 27);
  EXPECT_EQ(schedule[1].configurations, 9);
  EXPECT_EQ(schedule[3].configurations, 1);
  EXPECT_DOUBLE_EQ(schedule.back().row_fraction, 1.0);
}

TEST(HalvingTest, SmallDataHasFewerRungs) {
  const auto schedule = HalvingSchedule(1000, 27);  // 1000/9 < 200 rows: two rungs only
  ASSERT_EQ(schedule.size(), 2u);
  EXPECT_DOUBLE_EQ(schedule[0].row_fraction, 1.0 / 3);
  EXPECT_DOUBLE_EQ(schedule[1].row_fraction, 1.0);
  EXPECT_EQ(HalvingSchedule(50, 10).size(), 1u);
}

}  // namespace
}  // namespace aimass::train
