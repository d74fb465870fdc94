// K-fold, stratified k-fold and holdout: coverage, proportions, determinism, errors.
#include "train/splits.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace aimass::train {
namespace {

// Every row in exactly one validation fold, and train = all rows minus valid.
void ExpectPartition(const std::vector<Fold>& folds, int64_t rows) {
  std::vector<int> seen(static_cast<size_t>(rows), 0);
  for (const Fold& fold : folds) {
    for (int64_t row : fold.valid) ++seen[row];
    EXPECT_TRUE(std::is_sorted(fold.valid.begin(), fold.valid.end()));
    EXPECT_TRUE(std::is_sorted(fold.train.begin(), fold.train.end()));
    EXPECT_EQ(static_cast<int64_t>(fold.train.size() + fold.valid.size()), rows);
    std::vector<int64_t> both;
    std::set_intersection(fold.train.begin(), fold.train.end(), fold.valid.begin(),
                          fold.valid.end(), std::back_inserter(both));
    EXPECT_TRUE(both.empty());
  }
  for (int64_t row = 0; row < rows; ++row) EXPECT_EQ(seen[row], 1) << "row " << row;
}

TEST(KFoldTest, EveryRowValidatedOnceWithEvenSizes) {
  auto folds = KFold(103, 5, 42);
  ASSERT_TRUE(folds.has_value()) << folds.error().message;
  ASSERT_EQ(folds->size(), 5u);
  ExpectPartition(*folds, 103);
  for (const Fold& fold : *folds) {
    EXPECT_GE(fold.valid.size(), 20u);
    EXPECT_LE(fold.valid.size(), 21u);
  }
}

TEST(KFoldTest, DeterministicForASeedAndShuffled) {
  auto a = KFold(1000, 4, 7), b = KFold(1000, 4, 7), c = KFold(1000, 4, 8);
  ASSERT_TRUE(a && b && c);
  for (size_t f = 0; f < 4; ++f) EXPECT_EQ((*a)[f].valid, (*b)[f].valid);
  EXPECT_NE((*a)[0].valid, (*c)[0].valid);
  // Not contiguous blocks: the first fold holds rows from all over the table.
  EXPECT_LT((*a)[0].valid.front(), 50);
  EXPECT_GT((*a)[0].valid.back(), 950);
  // Pinned: a change of the shuffle would silently change every saved experiment's folds.
  // These depend only on mt19937_64 (fixed by the standard) and our Fisher–Yates.
  auto pinned = KFold(10, 2, 1);
  ASSERT_TRUE(pinned.has_value());
  EXPECT_EQ((*pinned)[0].valid, (std::vector<int64_t>{1, 3, 4, 5, 6}));
  const std::vector<float> labels = {0, 1, 0, 1, 0, 1, 0, 1, 0, 1};
  EXPECT_EQ((*StratifiedKFold(labels, 2, 1))[0].valid, (std::vector<int64_t>{0, 2, 3, 6, 7}));
  EXPECT_EQ(Holdout(10, 0.3, 1)->valid, (std::vector<int64_t>{1, 3, 7}));
}

TEST(KFoldTest, Errors) {
  auto one = KFold(100, 1, 0);
  ASSERT_FALSE(one.has_value());
  EXPECT_NE(one.error().message.find("at least 2 folds"), std::string::npos);
  auto few = KFold(12, 20, 0);
  ASSERT_FALSE(few.has_value());
  EXPECT_EQ(few.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(few.error().message,
            "12 rows cannot make 20 folds; use --cv 5 or fewer, or --holdout 0.2");
  auto tiny = KFold(3, 5, 0);
  ASSERT_FALSE(tiny.has_value());
  EXPECT_NE(tiny.error().message.find("use --cv 3 or fewer"), std::string::npos);
}

TEST(StratifiedKFoldTest, KeepsClassProportions) {
  // 600 of class 0, 300 of class 1, 100 of class 2, interleaved.
  std::vector<float> labels;
  for (int i = 0; i < 1000; ++i) labels.push_back(i % 10 < 6 ? 0.0f : i % 10 < 9 ? 1.0f : 2.0f);
  auto folds = StratifiedKFold(labels, 5, 3);
  ASSERT_TRUE(folds.has_value()) << folds.error().message;
  ExpectPartition(*folds, 1000);
  for (const Fold& fold : *folds) {
    int counts[3] = {0, 0, 0};
    for (int64_t row : fold.valid) ++counts[static_cast<int>(labels[row])];
    EXPECT_EQ(counts[0], 120);
    EXPECT_EQ(counts[1], 60);
    EXPECT_EQ(counts[2], 20);
  }
  auto again = StratifiedKFold(labels, 5, 3);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ((*folds)[2].valid, (*again)[2].valid);
}

TEST(StratifiedKFoldTest, UnevenClassesStayWithinOne) {
  std::vector<float> labels;
  for (int i = 0; i < 37; ++i) labels.push_back(i < 23 ? 0.0f : 1.0f);
  auto folds = StratifiedKFold(labels, 4, 11);
  ASSERT_TRUE(folds.has_value());
  ExpectPartition(*folds, 37);
  for (const Fold& fold : *folds) {
    int positives = 0;
    for (int64_t row : fold.valid) positives += labels[row] == 1;
    EXPECT_GE(positives, 3);  // 14 positives over 4 folds: 3 or 4 each
    EXPECT_LE(positives, 4);
    EXPECT_GE(fold.valid.size(), 9u);
    EXPECT_LE(fold.valid.size(), 10u);
  }
}

TEST(StratifiedKFoldTest, ErrorsNameTheClass) {
  std::vector<float> labels(50, 0.0f);
  labels[3] = labels[9] = labels[20] = 1;
  const std::vector<std::string> names = {"stay", "churn"};
  auto folds = StratifiedKFold(labels, 5, 0, names);
  ASSERT_FALSE(folds.has_value());
  EXPECT_EQ(folds.error().message,
            "class 'churn' has 3 rows, fewer than the 5 folds; use --cv 3 or fewer, or "
            "--holdout 0.2");
  auto unnamed = StratifiedKFold(labels, 5, 0);
  ASSERT_FALSE(unnamed.has_value());
  EXPECT_NE(unnamed.error().message.find("class '1' has 3 rows"), std::string::npos);
  const std::vector<float> bad = {0, 1, 0.5f, 1};
  EXPECT_FALSE(StratifiedKFold(bad, 2, 0).has_value());
  EXPECT_FALSE(StratifiedKFold(labels, 1, 0).has_value());
}

TEST(HoldoutTest, SizesAndStratification) {
  auto plain = Holdout(1000, 0.2, 5);
  ASSERT_TRUE(plain.has_value()) << plain.error().message;
  EXPECT_EQ(plain->valid.size(), 200u);
  EXPECT_EQ(plain->train.size(), 800u);
  std::vector<int64_t> both = plain->train;
  both.insert(both.end(), plain->valid.begin(), plain->valid.end());
  std::sort(both.begin(), both.end());
  for (int64_t row = 0; row < 1000; ++row) ASSERT_EQ(both[row], row) << "each row on one side";

  std::vector<float> labels;
  for (int i = 0; i < 1000; ++i) labels.push_back(i % 10 == 0 ? 1.0f : 0.0f);
  auto stratified = Holdout(1000, 0.25, 5, labels);
  ASSERT_TRUE(stratified.has_value()) << stratified.error().message;
  EXPECT_EQ(stratified->valid.size(), 250u);
  int positives = 0;
  for (int64_t row : stratified->valid) positives += labels[row] == 1;
  EXPECT_EQ(positives, 25);
  auto again = Holdout(1000, 0.25, 5, labels);
  EXPECT_EQ(stratified->valid, again->valid);
}

TEST(HoldoutTest, Errors) {
  for (double fraction : {0.0, 1.0, -0.5, 1.5}) {
    auto fold = Holdout(100, fraction, 0);
    ASSERT_FALSE(fold.has_value());
    EXPECT_NE(fold.error().message.find("not between 0 and 1"), std::string::npos);
  }
  auto empty_valid = Holdout(4, 0.1, 0);
  ASSERT_FALSE(empty_valid.has_value());
  EXPECT_NE(empty_valid.error().message.find("leaves no validation rows"), std::string::npos);
  auto empty_train = Holdout(4, 0.9, 0);
  ASSERT_FALSE(empty_train.has_value());
  EXPECT_NE(empty_train.error().message.find("leaves no training rows"), std::string::npos);
}

}  // namespace
}  // namespace aimass::train
