// The checks every learner runs on a TrainInput before handing it to its library, so that a
// bad label or a size mismatch is a kInvalidArgument naming the row, not a library abort.
#pragma once

#include <string_view>

#include "common/status.h"
#include "train/learner.h"

namespace aimass::train {

// Features present and rows * cols values; labels (and weights, when given) one per row;
// class labels whole numbers in [0, num_classes); regression targets finite; weights finite
// and >= 0 with a positive sum; num_classes 2 for binary, >= 2 for multiclass; the
// validation rows (when given) pass the same checks and have as many columns.
Status CheckTrainInput(std::string_view learner, const TrainInput& train,
                       const TrainOptions& options);

// A matrix whose values hold rows * cols numbers, with `expected_cols` columns (< 0: any).
Status CheckMatrix(std::string_view learner, const Matrix& features, int64_t expected_cols);

}  // namespace aimass::train
