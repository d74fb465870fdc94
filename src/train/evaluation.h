// A model's predictions on validation rows, summarized as JSON for the leaderboard and the
// plots: every metric of the task, the confusion matrix, the ROC curve, sampled residuals.
// Stateless and thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>

#include "common/status.h"
#include "train/task.h"

namespace aimass::train {

inline constexpr size_t kMaxRocPoints = 200;
inline constexpr size_t kMaxResiduals = 1000;

// `labels` and `predictions` as for Score (metrics.h); `classes` names the class indexes
// (classification). The JSON:
//   {"task":"binary","rows":N,"metrics":{"roc_auc":0.91,...},   (null: undefined here)
//    "confusion_matrix":{"classes":[...],"counts":[[...]]},     (row: actual, col: predicted)
//    "roc_curve":{"fpr":[...],"tpr":[...],"thresholds":[...]},  (binary; <= kMaxRocPoints,
//                                                                the first threshold null)
//    "residuals":{"actual":[...],"predicted":[...]}}            (regression; <= kMaxResiduals
//                                                                rows sampled with `seed`)
// Fails (kInvalidArgument) when the sizes do not fit each other or the task.
Result<nlohmann::json> Evaluate(Task task, std::span<const std::string> classes,
                                std::span<const float> labels, std::span<const double> predictions,
                                int width, uint64_t seed);

}  // namespace aimass::train
