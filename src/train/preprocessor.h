// Raw columns to the feature Matrix a learner sees. Learned on the training rows only
// (FitTransform), saved inside the model as JSON (ToJson/FromJson), and applied to raw
// frames at prediction time (Transform). Per column kind:
//   numbers, booleans  the value (NaN when missing: XGBoost handles it)
//   datetimes          year, month, day, weekday, hour (those that vary in training)
//   text, <= 20 values one-hot + <other> (+ <missing>)   column_encoders.h
//   text, more values  out-of-fold target encoding       target_encoder.h
// For linear models every numeric output is imputed (training median) and standardized
// (training mean and standard deviation), with a missing-indicator column when the column
// missed values in training. Dropped, each with a note: the target, excluded columns, and
// columns that are all missing, constant, or (text) look like identifiers.
// A fitted Preprocessor is immutable: its const methods may run concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "train/column_encoders.h"
#include "train/frame.h"
#include "train/matrix.h"
#include "train/target.h"

namespace aimass::train {

// A text column is an identifier (and dropped) when its distinct values exceed this share of
// the training rows and kMinIdentifierValues.
inline constexpr double kIdentifierShare = 0.9;
inline constexpr int64_t kMinIdentifierValues = 1000;

struct PreprocessOptions {
  bool for_linear = false;           // impute, standardize and add missing indicators
  uint64_t seed = 0;                 // for the target encoding's inner folds
  std::vector<std::string> exclude;  // columns never used as features
};

class Preprocessor {
 public:
  Preprocessor();
  ~Preprocessor();
  Preprocessor(Preprocessor&&) noexcept;
  Preprocessor& operator=(Preprocessor&&) noexcept;

  // Learns the encodings from `train_rows` of `frame` and returns their matrix (one row per
  // entry of train_rows, in that order; target-encoded columns out of fold). The frame's
  // rows are the target's rows: target.labels[r] is row r's label (use
  // TakeRows(frame, target.rows) first when some targets were missing). A row should appear
  // once in train_rows: a repeated row could see its own target through its copy in another
  // inner fold. Fails when an excluded column does not exist, or no usable feature is left.
  Result<Matrix> FitTransform(const Frame& frame, std::span<const int64_t> train_rows,
                              const Target& target, const PreprocessOptions& options);

  // Every row of `frame` (or the rows `rows`) encoded as learned. Columns the model was
  // trained with must be present with the same kind; unseen categories are never errors.
  Result<Matrix> Transform(const Frame& frame) const;
  Result<Matrix> Transform(const Frame& frame, std::span<const int64_t> rows) const;

  // One name per matrix column: "age", "city=paris", "city=<other>", "signup.month",
  // "zip~target", "age.missing".
  std::vector<std::string> FeatureNames() const;
  // One per matrix column: the input column it comes from ("city" for "city=paris").
  std::vector<std::string> FeatureColumns() const;
  // One line per input column saying what was decided, for the job log.
  const std::vector<std::string>& Notes() const { return notes_; }
  // The columns prediction input must have (FrameFromRecords reads input against it).
  const FrameSchema& InputSchema() const { return input_schema_; }

  nlohmann::json ToJson() const;
  static Result<Preprocessor> FromJson(const nlohmann::json& json);

  // A preprocessor that learned nothing: each of `columns` (numbers, in that order) is one
  // feature column, missing values left NaN. For models trained elsewhere on plain numeric
  // features (an imported XGBoost model). Fails on an empty list, an empty or repeated name.
  static Result<Preprocessor> Numbers(const std::vector<std::string>& columns);

 private:
  struct ColumnPlan;
  // Writes one column's encoder output (`block`, rows x encoder width) into `out` at column
  // `offset`, scaled for linear models and followed by its missing indicator.
  void WritePlan(const ColumnPlan& plan, std::span<const float> block, int64_t rows, int64_t offset,
                 Matrix& out) const;

  bool for_linear_ = false;
  std::string target_;
  FrameSchema input_schema_;
  std::vector<ColumnPlan> plans_;
  std::vector<std::string> notes_;
  int64_t width_ = 0;
};

}  // namespace aimass::train
