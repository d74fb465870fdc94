// A trained liblinear model behind the TrainedModel interface. Prediction is done here on
// the weights (the same sums in the same order as liblinear's predict_probability), so no
// liblinear struct is kept alive and NaN features read as 0 without a per-row copy.
#pragma once

#include <memory>

#include "train/learner.h"
#include "train/learners/linear/linear_weights.h"

namespace aimass::train {

// Immutable; every const method may run concurrently.
class LinearModel final : public TrainedModel {
 public:
  // Checks that `weights` answer `task` (a probability solver and class labels in
  // [0, num_classes) for classification, an SVR solver for regression).
  static Result<std::unique_ptr<LinearModel>> Create(LinearWeights weights, Task task,
                                                     int num_classes, nlohmann::json info);

  Result<std::vector<double>> Predict(const Matrix& features) const override;
  int OutputWidth() const override;
  std::vector<double> Importance() const override;
  Result<std::vector<double>> Contributions(const Matrix& features) const override;
  Result<std::string> Serialize() const override { return ToLiblinearText(weights_); }
  nlohmann::json Info() const override { return info_; }

 private:
  LinearModel(LinearWeights weights, Task task, int num_classes, nlohmann::json info)
      : weights_(std::move(weights)),
        task_(task),
        num_classes_(num_classes),
        info_(std::move(info)) {}
  // liblinear's decision values of one row, one per weight column.
  void Decisions(std::span<const float> row, std::vector<double>& out) const;
  // The weight of feature row `j` (nr_feature = the bias) in the margin of class `c`, with
  // liblinear's binary convention undone: +w for its first label, -w for its second.
  double ClassWeight(int j, int c) const;

  LinearWeights weights_;
  Task task_;
  int num_classes_;
  nlohmann::json info_;
  // class index → liblinear's position of that class, -1 when absent from training.
  std::vector<int> position_;
};

}  // namespace aimass::train
