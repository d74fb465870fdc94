// The preprocessor: decisions per column, fit/transform consistency, unseen categories,
// out-of-fold target encoding, linear scaling, JSON round trips, a 50,000-category column.
#include "train/preprocessor.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <iostream>
#include <limits>

#include "train/frame_builders.h"
#include "train/splits.h"
#include "train/target_encoder.h"

namespace aimass::train {
namespace {

int64_t ColumnOf(const Preprocessor& pre, const std::string& name) {
  const auto names = pre.FeatureNames();
  const auto it = std::find(names.begin(), names.end(), name);
  EXPECT_NE(it, names.end()) << "no feature " << name;
  return it - names.begin();
}

// 2,000 rows with a column of every kind and every reason to drop one; binary target "y"
// driven by zip.
constexpr int64_t kRows = 2000;
Frame MixedFrame() {
  std::vector<double> age, flag, signup, constant, empty, y;
  std::vector<std::string> city, zip, user;
  const char* cities[] = {"paris", "lyon", "nice", "lille"};
  for (int64_t i = 0; i < kRows; ++i) {
    age.push_back(i % 10 == 3 ? kNaN : static_cast<double>(20 + i % 50));
    flag.push_back(i % 17 == 0 ? kNaN : (i % 3 == 0 ? 1 : 0));
    city.push_back(i == 7 ? "brest" : i == 11 ? "<null>" : cities[(i / 2) % 4]);
    signup.push_back(1704067200.0 + static_cast<double>(i % 60) * 86400);  // 2024, midnight
    zip.push_back("z" + std::to_string(i % 41));
    user.push_back("u" + std::to_string(i));
    constant.push_back(5);
    empty.push_back(kNaN);
    y.push_back(((i % 41) < 15) != (i % 7 == 0) ? 1 : 0);
  }
  Frame frame;
  frame.rows = kRows;
  frame.columns.push_back(NumberColumn("age", age));
  frame.columns.push_back(NumberColumn("flag", flag, ColumnKind::kBoolean));
  frame.columns.push_back(TextColumn("city", city));
  frame.columns.push_back(NumberColumn("signup", signup, ColumnKind::kDatetime));
  frame.columns.push_back(TextColumn("zip", zip));
  frame.columns.push_back(TextColumn("user_id", user));
  frame.columns.push_back(NumberColumn("constant", constant));
  frame.columns.push_back(NumberColumn("empty", empty));
  frame.columns.push_back(NumberColumn("y", y));
  return frame;
}

std::vector<int64_t> TrainRows() {  // 1,500 rows: all but every fourth
  std::vector<int64_t> rows;
  for (int64_t i = 0; i < kRows; ++i) {
    if (i % 4 != 0) rows.push_back(i);
  }
  return rows;
}

class PreprocessorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    frame_ = MixedFrame();
    auto target = ExtractTarget(frame_, "y", Task::kBinary);
    ASSERT_TRUE(target.has_value()) << target.error().message;
    target_ = std::move(*target);
    train_ = TrainRows();
  }
  Frame frame_;
  Target target_;
  std::vector<int64_t> train_;
};

TEST_F(PreprocessorTest, ChoosesAnEncodingPerColumnAndSaysWhy) {
  Preprocessor pre;
  auto matrix = pre.FitTransform(frame_, train_, target_, Options(false, 1));
  ASSERT_TRUE(matrix.has_value()) << matrix.error().message;
  const std::vector<std::string> expected = {"age",          "flag",           "city=lille",
                                             "city=lyon",    "city=nice",      "city=paris",
                                             "city=<other>", "city=<missing>", "signup.month",
                                             "signup.day",   "signup.weekday", "zip~target"};
  EXPECT_EQ(pre.FeatureNames(), expected);
  EXPECT_EQ(matrix->rows, 1500);
  EXPECT_EQ(matrix->cols, 12);
  std::string notes;
  for (const auto& note : pre.Notes()) notes += note + "\n";
  for (const char* line :
       {"age: number; missing values left missing",
        "flag: boolean, as 0/1; missing values left missing",
        "city: 5 categories, one-hot (4 columns + <other>, which also takes 1 seen in fewer "
        "than 3 rows, + <missing>)",
        "signup: datetime, as month, day, weekday",
        "zip: 41 categories, out-of-fold target encoding (5 inner folds, smoothing weight 10",
        "user_id: dropped, looks like an identifier (1500 distinct values in 1500 training rows)",
        "constant: dropped, one value only (5)", "empty: dropped, missing in all 1500",
        "y: the target"}) {
    EXPECT_NE(notes.find(line), std::string::npos) << "missing note: " << line << "\n" << notes;
  }
  // Trees keep missing numbers as NaN; a missing boolean too; a missing text is its column.
  ASSERT_EQ(train_[2], 3);  // train_ = 1, 2, 3, 5, ...; row 3 misses its age
  EXPECT_TRUE(std::isnan(matrix->at(2, 0)));
  EXPECT_EQ(matrix->at(1, 0), 22);
  const int64_t row11 = std::find(train_.begin(), train_.end(), 11) - train_.begin();
  EXPECT_EQ(matrix->at(row11, ColumnOf(pre, "city=<missing>")), 1);
  EXPECT_EQ(pre.InputSchema().columns.size(), 5u) << "dropped columns are not asked for";
}

TEST_F(PreprocessorTest, TransformReproducesWhatFitLearned) {
  Preprocessor pre;
  auto fitted = pre.FitTransform(frame_, train_, target_, Options(false, 1));
  ASSERT_TRUE(fitted.has_value()) << fitted.error().message;
  auto all = pre.Transform(frame_);
  ASSERT_TRUE(all.has_value()) << all.error().message;
  ASSERT_EQ(all->rows, kRows);
  const int64_t zip = ColumnOf(pre, "zip~target");
  // Every column but the target encoding (out of fold on training rows) is the same.
  for (size_t p = 0; p < train_.size(); ++p) {
    for (int64_t c = 0; c < fitted->cols; ++c) {
      if (c == zip) continue;
      ASSERT_TRUE(SameFloat(fitted->at(p, c), all->at(train_[p], c)))
          << "row " << p << " col " << c;
    }
  }
  // A validation row of zip z0 gets the smoothed mean of z0 over all training rows.
  double prior = 0, sum = 0, count = 0;
  for (int64_t row : train_) {
    prior += target_.labels[row];
    if (row % 41 == 0) {
      sum += target_.labels[row];
      ++count;
    }
  }
  prior /= static_cast<double>(train_.size());
  const double expected = (sum + kTargetSmoothing * prior) / (count + kTargetSmoothing);
  EXPECT_FLOAT_EQ(all->at(0, zip), static_cast<float>(expected));
  EXPECT_EQ(all->at(0, ColumnOf(pre, "city=paris")), 1);
  // Only some rows asked for.
  const std::vector<int64_t> some = {8, 0};
  auto two = pre.Transform(frame_, some);
  ASSERT_TRUE(two.has_value());
  for (int64_t c = 0; c < two->cols; ++c) EXPECT_TRUE(SameFloat(two->at(1, c), all->at(0, c)));
}

TEST_F(PreprocessorTest, UnseenAndRareCategoriesLandInOther) {
  Preprocessor pre;
  ASSERT_TRUE(pre.FitTransform(frame_, train_, target_, Options(false, 1)).has_value());
  auto input = FrameFromRecords(
      nlohmann::json::parse(R"([{"city": "atlantis", "zip": "z999"}, {"city": "brest"},
                                {"city": "nice", "age": 40}])"),
      pre.InputSchema());
  ASSERT_TRUE(input.has_value()) << input.error().message;
  auto matrix = pre.Transform(*input);
  ASSERT_TRUE(matrix.has_value()) << matrix.error().message;
  const int64_t other = ColumnOf(pre, "city=<other>");
  for (int64_t row : {0, 1}) {
    for (int64_t c = ColumnOf(pre, "city=lille"); c <= ColumnOf(pre, "city=<missing>"); ++c) {
      EXPECT_EQ(matrix->at(row, c), c == other ? 1 : 0) << "row " << row << " col " << c;
    }
  }
  EXPECT_EQ(matrix->at(2, ColumnOf(pre, "city=nice")), 1);
  EXPECT_EQ(matrix->at(2, other), 0);
  EXPECT_EQ(matrix->at(2, ColumnOf(pre, "age")), 40);
  EXPECT_TRUE(std::isnan(matrix->at(0, ColumnOf(pre, "age"))));
  // An unseen zip gets the prior: the positive share of the training rows.
  double prior = 0;
  for (int64_t row : train_) prior += target_.labels[row];
  EXPECT_FLOAT_EQ(matrix->at(0, ColumnOf(pre, "zip~target")),
                  static_cast<float>(prior / static_cast<double>(train_.size())));
}

TEST_F(PreprocessorTest, OutOfFoldEncodingNeverSeesTheRowsOwnTarget) {
  Preprocessor pre;
  auto matrix = pre.FitTransform(frame_, train_, target_, Options(false, 7));
  ASSERT_TRUE(matrix.has_value());
  const int64_t zip = ColumnOf(pre, "zip~target");
  // Recomputed from the definition: the inner folds are KFold over training positions.
  auto folds = KFold(static_cast<int64_t>(train_.size()), kTargetEncodingFolds, 7);
  ASSERT_TRUE(folds.has_value());
  for (const Fold& fold : *folds) {
    for (int64_t p : {fold.valid.front(), fold.valid.back()}) {
      double sum = 0, count = 0, prior = 0;
      for (int64_t q : fold.train) {
        const float label = target_.labels[train_[q]];
        prior += label;
        if (train_[q] % 41 == train_[p] % 41) {
          sum += label;
          ++count;
        }
      }
      prior /= static_cast<double>(fold.train.size());
      const double expected = (sum + kTargetSmoothing * prior) / (count + kTargetSmoothing);
      EXPECT_FLOAT_EQ(matrix->at(p, zip), static_cast<float>(expected)) << "position " << p;
    }
  }
  // Flipping one training row's target leaves that row's encoding exactly as it was, while
  // the encoding learned for new data (which does use it) moves.
  const int64_t p = 100;
  Target flipped = target_;
  flipped.labels[train_[p]] = 1 - flipped.labels[train_[p]];
  Preprocessor again;
  auto changed = again.FitTransform(frame_, train_, flipped, Options(false, 7));
  ASSERT_TRUE(changed.has_value());
  EXPECT_EQ(matrix->at(p, zip), changed->at(p, zip));
  const std::vector<int64_t> row = {train_[p]};
  EXPECT_NE(pre.Transform(frame_, row)->at(0, zip), again.Transform(frame_, row)->at(0, zip));
}

TEST_F(PreprocessorTest, LinearModelsGetImputedStandardizedFeatures) {
  Preprocessor pre;
  auto matrix = pre.FitTransform(frame_, train_, target_, Options(true, 1));
  ASSERT_TRUE(matrix.has_value()) << matrix.error().message;
  const int64_t age = ColumnOf(pre, "age"), indicator = ColumnOf(pre, "age.missing");
  EXPECT_EQ(indicator, age + 1);
  ColumnOf(pre, "flag.missing");
  for (float value : matrix->values) ASSERT_FALSE(std::isnan(value)) << "linear: no NaN";
  double sum = 0, squares = 0, present = 0;
  std::vector<double> raw;
  for (size_t p = 0; p < train_.size(); ++p) {
    if (matrix->at(p, indicator) == 1) continue;
    sum += matrix->at(p, age);
    squares += matrix->at(p, age) * matrix->at(p, age);
    ++present;
    raw.push_back(frame_.columns[0].numbers[train_[p]]);
  }
  EXPECT_NEAR(sum / present, 0, 1e-5);
  EXPECT_NEAR(squares / (present - 1), 1, 1e-4);
  // A missing age is the training median, standardized.
  std::sort(raw.begin(), raw.end());
  const double median = (raw[raw.size() / 2 - 1] + raw[raw.size() / 2]) / 2;
  double mean = 0;
  for (double x : raw) mean += x;
  mean /= static_cast<double>(raw.size());
  double sd = 0;
  for (double x : raw) sd += (x - mean) * (x - mean);
  sd = std::sqrt(sd / static_cast<double>(raw.size() - 1));
  EXPECT_EQ(matrix->at(2, indicator), 1);  // row 3 misses its age
  EXPECT_NEAR(matrix->at(2, age), (median - mean) / sd, 1e-5);
  // One-hot columns stay 0/1.
  EXPECT_EQ(matrix->at(0, ColumnOf(pre, "city=paris")), 1);  // row 1 is paris
  EXPECT_EQ(matrix->at(0, ColumnOf(pre, "city=lyon")), 0);
}

TEST_F(PreprocessorTest, JsonRoundTripGivesTheIdenticalMatrix) {
  for (bool linear : {false, true}) {
    SCOPED_TRACE(linear ? "linear" : "trees");
    Preprocessor pre;
    ASSERT_TRUE(pre.FitTransform(frame_, train_, target_, Options(linear, 3)));
    auto loaded = Preprocessor::FromJson(nlohmann::json::parse(pre.ToJson().dump()));
    ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
    EXPECT_EQ(loaded->FeatureNames(), pre.FeatureNames());
    EXPECT_EQ(loaded->Notes(), pre.Notes());
    EXPECT_EQ(loaded->InputSchema().ToJson(), pre.InputSchema().ToJson());
    auto a = pre.Transform(frame_);
    auto b = loaded->Transform(frame_);
    ASSERT_TRUE(a && b);
    ExpectSameMatrix(*a, *b);
  }
  auto damaged = Preprocessor::FromJson(nlohmann::json::parse(R"({"format": 1})"));
  ASSERT_FALSE(damaged.has_value());
  EXPECT_NE(damaged.error().message.find("damaged"), std::string::npos);
}

TEST_F(PreprocessorTest, DatetimeKeepsHourOnlyWhenTimesVary) {
  Frame frame;
  frame.rows = 4;
  frame.columns.push_back(
      NumberColumn("at", {1709251200, 1709251200 + 3600 * 5, 1709251200 + 86400 * 40, kNaN},
                   ColumnKind::kDatetime));
  frame.columns.push_back(NumberColumn("y", {1.5, 2, 3, 4}));
  auto target = ExtractTarget(frame, "y", Task::kRegression);
  ASSERT_TRUE(target.has_value());
  const std::vector<int64_t> rows = {0, 1, 2, 3};
  Preprocessor pre;
  auto matrix = pre.FitTransform(frame, rows, *target, {});
  ASSERT_TRUE(matrix.has_value()) << matrix.error().message;
  EXPECT_EQ(pre.FeatureNames(),
            (std::vector<std::string>{"at.month", "at.day", "at.weekday", "at.hour"}));
  EXPECT_EQ(matrix->at(1, 3), 5);
  EXPECT_EQ(matrix->at(2, 0), 4);  // 2024-04-10
  EXPECT_EQ(matrix->at(2, 1), 10);
  EXPECT_EQ(matrix->at(0, 2), 5);  // a Friday
  EXPECT_TRUE(std::isnan(matrix->at(3, 0)));
}

TEST_F(PreprocessorTest, MulticlassTargetEncodingHasAColumnPerClass) {
  Frame frame = MixedFrame();
  std::vector<double> grade;
  for (int64_t i = 0; i < kRows; ++i) grade.push_back(static_cast<double>(i % 41 % 3));
  frame.columns.back().numbers = grade;
  auto target = ExtractTarget(frame, "y", Task::kMulticlass);
  ASSERT_TRUE(target.has_value());
  Preprocessor pre;
  auto matrix = pre.FitTransform(frame, train_, *target, Options(false, 1));
  ASSERT_TRUE(matrix.has_value()) << matrix.error().message;
  const int64_t first = ColumnOf(pre, "zip~target=0");
  ColumnOf(pre, "zip~target=2");
  // Class shares of a row sum to 1 (the smoothed shares of both category and prior do).
  for (int64_t p = 0; p < 20; ++p) {
    EXPECT_NEAR(matrix->at(p, first) + matrix->at(p, first + 1) + matrix->at(p, first + 2), 1,
                1e-5);
  }
}

TEST_F(PreprocessorTest, ManyClassesGetAFrequencyEncoding) {
  Frame frame = MixedFrame();
  for (int64_t i = 0; i < kRows; ++i) frame.columns.back().numbers[i] = static_cast<double>(i % 12);
  auto target = ExtractTarget(frame, "y", Task::kMulticlass);
  ASSERT_TRUE(target.has_value());
  Preprocessor pre;
  auto matrix = pre.FitTransform(frame, train_, *target, Options(false, 1));
  ASSERT_TRUE(matrix.has_value()) << matrix.error().message;
  const int64_t zip = ColumnOf(pre, "zip~frequency");
  const auto share = [&](int64_t value) {
    double rows = 0;
    for (int64_t row : train_) rows += row % 41 == value;
    return static_cast<float>(rows / static_cast<double>(train_.size()));
  };
  EXPECT_FLOAT_EQ(matrix->at(0, zip), share(1));  // train_[0] is row 1, zip z1
  auto all = pre.Transform(frame);
  ASSERT_TRUE(all.has_value());
  EXPECT_FLOAT_EQ(all->at(0, zip), share(0));
}

TEST_F(PreprocessorTest, Errors) {
  Preprocessor pre;
  auto excluded = pre.FitTransform(frame_, train_, target_, Options(false, 0, {"agee"}));
  ASSERT_FALSE(excluded.has_value());
  EXPECT_NE(excluded.error().message.find("excluded column 'agee' is not in the data"),
            std::string::npos);

  auto nothing = pre.FitTransform(frame_, train_, target_,
                                  Options(false, 0, {"age", "flag", "city", "signup", "zip"}));
  ASSERT_FALSE(nothing.has_value());
  EXPECT_NE(nothing.error().message.find("no usable feature column"), std::string::npos);
  EXPECT_NE(nothing.error().message.find("user_id: dropped, looks like an identifier"),
            std::string::npos);

  ASSERT_TRUE(pre.FitTransform(frame_, train_, target_, Options(false, 0, {"flag"})));
  EXPECT_EQ(pre.FeatureNames().size(), 11u);
  Frame without = frame_;
  without.columns.erase(without.columns.begin());  // no "age"
  auto missing = pre.Transform(without);
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message.find("column 'age', which the model was trained with"),
            std::string::npos);
  Frame retyped = frame_;
  retyped.columns[0] = TextColumn("age", std::vector<std::string>(kRows, "x"));
  auto wrong_kind = pre.Transform(retyped);
  ASSERT_FALSE(wrong_kind.has_value());
  EXPECT_NE(wrong_kind.error().message.find("'age' is text here but was number in training"),
            std::string::npos);

  Target short_target = target_;
  short_target.labels.pop_back();
  EXPECT_FALSE(pre.FitTransform(frame_, train_, short_target, {}).has_value());
  EXPECT_FALSE(Preprocessor().Transform(frame_).has_value());
}

}  // namespace
}  // namespace aimass::train
