// How one raw column becomes feature columns: the encoders a Preprocessor chooses between.
// Each is learned from the training rows (a Fit function), applied to any rows (Encode),
// and saved as JSON inside the model. Encoders are immutable after Fit, so const methods may
// run concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "train/frame.h"
#include "train/task.h"

namespace aimass::train {

// A text column with at most this many distinct values in the training rows is one-hot
// encoded; with more, target encoded (target_encoder.h).
inline constexpr int64_t kMaxOneHotCategories = 20;
// A category seen in fewer training rows than this goes to the `<other>` column, which then
// learns what rare and unseen categories look like.
inline constexpr int64_t kMinCategoryRows = 3;

// Writes rows x width() values, value (i, j) at out[i * stride + j]. NaN means missing.
class ColumnEncoder {
 public:
  virtual ~ColumnEncoder() = default;
  virtual std::string_view type() const = 0;  // "number", "datetime", "one_hot", "target"
  virtual ColumnKind input_kind() const = 0;
  virtual int width() const = 0;
  // One human name per output column, e.g. "city=paris", "signup.month", "zip~target".
  virtual std::vector<std::string> FeatureNames(const std::string& column) const = 0;
  // `column` has the kind input_kind(); `rows` are indexes into it.
  virtual void Encode(const FrameColumn& column, std::span<const int64_t> rows, float* out,
                      int64_t stride) const = 0;
  virtual nlohmann::json ToJson() const = 0;  // holds "type"; read back by EncoderFromJson
};

// What a Fit function learned, and how the training rows themselves are encoded.
struct FittedEncoder {
  std::unique_ptr<ColumnEncoder> encoder;
  // train rows x width: the encoding of the training rows when it differs from Encode's
  // (out-of-fold target encoding); empty: Encode them.
  std::vector<float> training_block;
  std::string note;  // for the job log, without the column name
};

// The training rows and their labels (one per row), as Fit functions see them.
struct FitContext {
  std::span<const int64_t> rows;
  std::span<const float> labels;
  Task task = Task::kRegression;
  std::vector<std::string> classes;  // classification
  uint64_t seed = 0;
};

// Numbers and booleans: the value itself, NaN when missing.
FittedEncoder FitNumber(const FrameColumn& column);
// Datetimes: year, month, day, ISO weekday and hour, each only when it varies across the
// training rows (so hour disappears when every time is midnight). Null encoder when none
// varies.
FittedEncoder FitDatetime(const FrameColumn& column, std::span<const int64_t> rows);

// The categories of a text column over some rows, and how many rows miss a value.
struct CategoryCounts {
  std::unordered_map<std::string_view, int64_t> counts;
  int64_t missing = 0;
};
CategoryCounts CountCategories(const FrameColumn& column, std::span<const int64_t> rows);

// Text with few categories: one column per category seen at least kMinCategoryRows times,
// `<other>` for the rest and for unseen ones, and `<missing>` when training rows missed
// values (a missing value is otherwise all zeros).
FittedEncoder FitOneHot(const FrameColumn& column, const CategoryCounts& counts);

// Any encoder from its ToJson.
Result<std::unique_ptr<ColumnEncoder>> EncoderFromJson(const nlohmann::json& json);

}  // namespace aimass::train
