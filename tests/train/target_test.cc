// Task detection and target extraction, including every error a user can meet.
#include "train/target.h"

#include <gtest/gtest.h>

#include <cmath>

namespace aimass::train {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

FrameColumn Numbers(std::vector<double> values, ColumnKind kind = ColumnKind::kNumber) {
  FrameColumn column;
  column.name = "y";
  column.kind = kind;
  column.numbers = std::move(values);
  return column;
}

FrameColumn Texts(std::vector<std::string> values) {
  FrameColumn column;
  column.name = "y";
  column.kind = ColumnKind::kText;
  for (auto& value : values) {
    column.present.push_back(value != "<null>");
    column.texts.push_back(value == "<null>" ? "" : std::move(value));
  }
  return column;
}

Frame FrameOf(FrameColumn column) {
  Frame frame;
  frame.rows = column.size();
  FrameColumn other = Numbers(std::vector<double>(static_cast<size_t>(frame.rows), 1.0));
  other.name = "x";
  frame.columns.push_back(std::move(other));
  frame.columns.push_back(std::move(column));
  return frame;
}

TEST(DetectTaskTest, Cases) {
  const struct {
    FrameColumn column;
    Task task;
  } cases[] = {
      {Texts({"yes", "no", "yes", "<null>"}), Task::kBinary},
      {Texts({"a", "b", "c"}), Task::kMulticlass},
      {Numbers({1, 0, 1, kNaN}, ColumnKind::kBoolean), Task::kBinary},
      {Numbers({3.5, 7.25, 3.5}), Task::kBinary},
      {Numbers({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}), Task::kMulticlass},
      {Numbers({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}), Task::kRegression},
      {Numbers({1, 2, 3.5}), Task::kRegression},
  };
  for (const auto& c : cases) {
    auto guess = DetectTask(c.column);
    ASSERT_TRUE(guess.has_value()) << guess.error().message;
    EXPECT_EQ(guess->task, c.task) << guess->reason;
    EXPECT_NE(guess->reason.find("'y'"), std::string::npos);
    EXPECT_NE(guess->reason.find(TaskName(c.task)), std::string::npos) << guess->reason;
  }
}

TEST(DetectTaskTest, Errors) {
  auto empty = DetectTask(Numbers({kNaN, kNaN}));
  ASSERT_FALSE(empty.has_value());
  EXPECT_NE(empty.error().message.find("missing in all 2 rows"), std::string::npos);
  auto constant = DetectTask(Texts({"a", "a", "<null>"}));
  ASSERT_FALSE(constant.has_value());
  EXPECT_NE(constant.error().message.find("one value only ('a'): nothing to learn"),
            std::string::npos)
      << constant.error().message;
  EXPECT_FALSE(DetectTask(Numbers({1, 2}, ColumnKind::kDatetime)).has_value());
}

TEST(ExtractTargetTest, ClassesAreSortedAndCanonical) {
  auto target = ExtractTarget(FrameOf(Numbers({10, 2, kNaN, 1.0, 2})), "y", Task::kMulticlass);
  ASSERT_TRUE(target.has_value()) << target.error().message;
  EXPECT_EQ(target->classes, (std::vector<std::string>{"1", "2", "10"}));
  EXPECT_EQ(target->rows, (std::vector<int64_t>{0, 1, 3, 4}));
  EXPECT_EQ(target->labels, (std::vector<float>{2, 1, 0, 1}));
  EXPECT_EQ(target->missing, 1);

  auto text = ExtractTarget(FrameOf(Texts({"no", "yes", "<null>", "no"})), "y", Task::kBinary);
  ASSERT_TRUE(text.has_value()) << text.error().message;
  EXPECT_EQ(text->classes, (std::vector<std::string>{"no", "yes"}));
  EXPECT_EQ(text->labels, (std::vector<float>{0, 1, 0}));
  EXPECT_EQ(text->num_classes(), 2);

  auto flags = ExtractTarget(FrameOf(Numbers({1, 0, 1}, ColumnKind::kBoolean)), "y", Task::kBinary);
  ASSERT_TRUE(flags.has_value());
  EXPECT_EQ(flags->classes, (std::vector<std::string>{"false", "true"}));
  EXPECT_EQ(flags->labels, (std::vector<float>{1, 0, 1}));
}

TEST(ExtractTargetTest, Regression) {
  auto target = ExtractTarget(FrameOf(Numbers({1.5, kNaN, -2})), "y", Task::kRegression);
  ASSERT_TRUE(target.has_value()) << target.error().message;
  EXPECT_TRUE(target->classes.empty());
  EXPECT_EQ(target->labels, (std::vector<float>{1.5f, -2.0f}));
  EXPECT_EQ(target->missing, 1);
}

TEST(ExtractTargetTest, EveryError) {
  std::vector<double> many;
  for (int i = 0; i < 201; ++i) many.push_back(i);
  const struct {
    Frame frame;
    const char* column;
    Task task;
    const char* message;
  } cases[] = {
      {FrameOf(Numbers({1, 2})), "label", Task::kBinary,
       "target column 'label' is not in the data; its columns are: x, y"},
      {FrameOf(Numbers({kNaN, kNaN})), "y", Task::kRegression, "missing in all 2 rows"},
      {FrameOf(Numbers({4, 4, kNaN})), "y", Task::kRegression,
       "one value only (4): nothing to learn"},
      {FrameOf(Texts({"a", "a"})), "y", Task::kBinary, "has one class only ('a')"},
      {FrameOf(Texts({"a", "b"})), "y", Task::kRegression,
       "'y' is text, not numeric; a regression target must be a number"},
      {FrameOf(Numbers(many)), "y", Task::kMulticlass,
       "201 distinct values, more than the 200 classes"},
      {FrameOf(Texts({"a", "b", "c"})), "y", Task::kBinary, "has 3 classes (a, b, c); binary"},
      {FrameOf(Numbers({1, 2}, ColumnKind::kDatetime)), "y", Task::kRegression,
       "holds dates or times"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.message);
    auto target = ExtractTarget(c.frame, c.column, c.task);
    ASSERT_FALSE(target.has_value());
    EXPECT_EQ(target.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(target.error().message.find(c.message), std::string::npos) << target.error().message;
  }
}

}  // namespace
}  // namespace aimass::train
