// The target encoder at scale: a 50,000-category column is one feature column, fast.
#include "train/target_encoder.h"

#include <gtest/gtest.h>

#include <chrono>
#include <iostream>

#include "train/frame_builders.h"
#include "train/preprocessor.h"

namespace aimass::train {
namespace {

TEST(PreprocessorScaleTest, FiftyThousandCategoriesAreFastAndOneColumn) {
  constexpr int64_t kBigRows = 250'000, kCategories = 50'000;
  Frame frame;
  frame.rows = kBigRows;
  FrameColumn shop{"shop", "VARCHAR", ColumnKind::kText, {}, {}, {}};
  std::vector<double> y;
  for (int64_t i = 0; i < kBigRows; ++i) {
    const int64_t category = (i * 7919) % kCategories;
    shop.texts.push_back("shop-" + std::to_string(category));
    shop.present.push_back(1);
    y.push_back(category % 3 == 0 ? 1 : 0);
  }
  frame.columns.push_back(std::move(shop));
  frame.columns.push_back(NumberColumn("y", y));
  auto target = ExtractTarget(frame, "y", Task::kBinary);
  ASSERT_TRUE(target.has_value());
  std::vector<int64_t> train;
  for (int64_t i = 0; i < kBigRows; ++i) {
    if (i % 7 != 0) train.push_back(i);  // a category's 5 rows are 50,000 apart
  }
  const auto start = std::chrono::steady_clock::now();
  Preprocessor pre;
  auto matrix = pre.FitTransform(frame, train, *target, Options(false, 1));
  ASSERT_TRUE(matrix.has_value()) << matrix.error().message;
  auto all = pre.Transform(frame);
  ASSERT_TRUE(all.has_value());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "50,000 categories, " << train.size() << " training rows: fit + transform of "
            << kBigRows << " rows in " << seconds << " s\n";
  EXPECT_EQ(pre.FeatureNames(), std::vector<std::string>{"shop~target"});
  EXPECT_EQ(matrix->cols, 1);
  // The encoding carries the signal: categories with target 1 encode well above the others.
  EXPECT_GT(all->at(0, 0), 0.45);  // category 0: 0 % 3 == 0
  EXPECT_LT(all->at(1, 0), 0.3);   // category 7919: 7919 % 3 == 2
  EXPECT_LT(seconds, 10) << "measured about 0.5 s on the 2-core box";
  const auto round_trip = Preprocessor::FromJson(nlohmann::json::parse(pre.ToJson().dump()));
  ASSERT_TRUE(round_trip.has_value());
  ExpectSameMatrix(*all, *round_trip->Transform(frame));
}

}  // namespace
}  // namespace aimass::train
