// A trained or loaded XGBoost booster behind the TrainedModel interface: probabilities for
// every class, total-gain importance, SHAP contributions, UBJSON files. Used by the xgboost
// and rf learners alike (a random forest is a one-round booster).
#pragma once

#include <memory>
#include <string_view>

#include "train/learner.h"
#include "train/learners/xgboost/booster.h"

namespace aimass::train::xgb {

// Immutable after Create; Predict, Contributions, Serialize may run concurrently.
class BoostedModel final : public TrainedModel {
 public:
  // Wraps `booster` after checking that its objective answers `task` (binary:logistic;
  // multi:softprob or multi:softmax with num_class = num_classes; reg:* or count:poisson).
  // `threads` is used to build the DMatrix of Contributions (0: XGBoost's default).
  static Result<std::unique_ptr<BoostedModel>> Create(Booster booster, Task task, int num_classes,
                                                      int threads);
  // Reads a model file written by Serialize or by any XGBoost 1.x (UBJSON or JSON), e.g.
  // Python's Booster.save_model("m.json").
  static Result<std::unique_ptr<BoostedModel>> Load(std::string_view bytes, Task task,
                                                    int num_classes);

  Result<std::vector<double>> Predict(const Matrix& features) const override;
  int OutputWidth() const override;
  std::vector<double> Importance() const override { return importance_; }
  Result<std::vector<double>> Contributions(const Matrix& features) const override;
  Result<std::string> Serialize() const override { return booster_.Save("ubj"); }
  nlohmann::json Info() const override { return info_; }

 private:
  BoostedModel(Booster booster, Task task, int num_classes, int threads)
      : booster_(std::move(booster)), task_(task), num_classes_(num_classes), threads_(threads) {}
  Status CheckObjective();
  Status ComputeImportance();
  Status ReadInfo();

  Booster booster_;
  Task task_;
  int num_classes_;
  int threads_;
  int64_t num_features_ = 0;
  std::vector<double> importance_;
  nlohmann::json info_;
};

}  // namespace aimass::train::xgb
