// Text columns with many categories (a zip code, a product id with repeats): each category
// becomes the smoothed mean of the target over its training rows, so 50,000 categories make
// one column, not 50,000. Training rows are encoded out of fold, so no row's encoding has
// seen its own target (which would teach the model to trust the encoding too much).
#pragma once

#include <memory>
#include <nlohmann/json.hpp>

#include "common/status.h"
#include "train/column_encoders.h"

namespace aimass::train {

// Training rows are split into this many inner folds (seeded); a row's encoding comes from
// the other folds' rows only.
inline constexpr int kTargetEncodingFolds = 5;
// A category's mean is pulled toward the prior as if it had this many more rows at the prior:
// (sum + m * prior) / (count + m). With m = 10, a category seen 10 times sits halfway
// between its own mean and the prior, one seen 100 times ~91% at its own mean.
inline constexpr double kTargetSmoothing = 10;
// Multiclass targets with at most this many classes get one column per class (the smoothed
// frequency of that class in the category); with more, the category's frequency in the
// training rows (one column, no target), to keep the matrix narrow.
inline constexpr int kMaxTargetEncodedClasses = 10;

// The encoding: binary, the positive class's share; regression, the mean target; multiclass,
// each class's share (or the frequency, see above). Missing values are one more category;
// unseen categories (and missing, when training had none) get the prior — or frequency 0.
FittedEncoder FitTargetEncoder(const FrameColumn& column, const FitContext& context);

Result<std::unique_ptr<ColumnEncoder>> TargetEncoderFromJson(const nlohmann::json& json);

}  // namespace aimass::train
