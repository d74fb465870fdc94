#include "train/learners/input_check.h"

#include <cmath>
#include <string>

namespace aimass::train {
namespace {

Status CheckRows(std::string_view learner, std::string_view what, const TrainInput& input,
                 const TrainOptions& options, int64_t expected_cols) {
  if (input.features == nullptr) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string(learner) + ": the " + std::string(what) + " rows have no features");
  }
  AIMASS_RETURN_IF_ERROR(CheckMatrix(learner, *input.features, expected_cols));
  const int64_t rows = input.features->rows;
  const std::string where = std::string(learner) + ": " + std::string(what) + " ";
  if (rows == 0) {
    return Fail(ErrorCode::kInvalidArgument, where + "set has no rows; give at least one");
  }
  if (static_cast<int64_t>(input.labels.size()) != rows) {
    return Fail(ErrorCode::kInvalidArgument,
                where + "labels: " + std::to_string(input.labels.size()) + " for " +
                    std::to_string(rows) + " rows; give one label per row");
  }
  if (!input.weights.empty() && static_cast<int64_t>(input.weights.size()) != rows) {
    return Fail(ErrorCode::kInvalidArgument,
                where + "weights: " + std::to_string(input.weights.size()) + " for " +
                    std::to_string(rows) + " rows; give one weight per row or none");
  }
  for (int64_t i = 0; i < rows; ++i) {
    const float label = input.labels[i];
    if (IsClassification(options.task)) {
      if (!(label >= 0 && label < options.num_classes && label == std::floor(label))) {
        return Fail(ErrorCode::kInvalidArgument, where + "row " + std::to_string(i) + ": label " +
                                                     std::to_string(label) +
                                                     " is not a class index in [0, " +
                                                     std::to_string(options.num_classes) + ")");
      }
    } else if (!std::isfinite(label)) {
      return Fail(ErrorCode::kInvalidArgument,
                  where + "row " + std::to_string(i) + ": the target is not a finite number");
    }
  }
  double total_weight = 0;
  for (size_t i = 0; i < input.weights.size(); ++i) {
    if (!(std::isfinite(input.weights[i]) && input.weights[i] >= 0)) {
      return Fail(ErrorCode::kInvalidArgument, where + "row " + std::to_string(i) + ": weight " +
                                                   std::to_string(input.weights[i]) +
                                                   " is not a finite number >= 0");
    }
    total_weight += input.weights[i];
  }
  if (!input.weights.empty() && total_weight <= 0) {
    return Fail(ErrorCode::kInvalidArgument, where + "weights are all 0; give some row weight");
  }
  return Ok();
}

}  // namespace

Status CheckMatrix(std::string_view learner, const Matrix& features, int64_t expected_cols) {
  if (features.rows < 0 || features.cols <= 0 ||
      static_cast<int64_t>(features.values.size()) != features.rows * features.cols) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string(learner) + ": the feature matrix claims " +
                    std::to_string(features.rows) + " x " + std::to_string(features.cols) +
                    " but holds " + std::to_string(features.values.size()) +
                    " values; it needs at least one column and rows * cols values");
  }
  if (expected_cols >= 0 && features.cols != expected_cols) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string(learner) + ": the model was trained on " +
                    std::to_string(expected_cols) + " features but the matrix has " +
                    std::to_string(features.cols) + " columns; use the same preprocessing");
  }
  return Ok();
}

Status CheckTrainInput(std::string_view learner, const TrainInput& train,
                       const TrainOptions& options) {
  const std::string name(learner);
  if (options.task == Task::kBinary && options.num_classes != 2) {
    return Fail(ErrorCode::kInvalidArgument, name + ": a binary task has num_classes 2, not " +
                                                 std::to_string(options.num_classes));
  }
  if (options.task == Task::kMulticlass && options.num_classes < 2) {
    return Fail(ErrorCode::kInvalidArgument,
                name + ": a multiclass task needs num_classes >= 2, not " +
                    std::to_string(options.num_classes));
  }
  AIMASS_RETURN_IF_ERROR(CheckRows(learner, "training", train, options, -1));
  if (options.validation != nullptr) {
    AIMASS_RETURN_IF_ERROR(
        CheckRows(learner, "validation", *options.validation, options, train.features->cols));
  }
  return Ok();
}

}  // namespace aimass::train
