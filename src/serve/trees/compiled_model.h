// A TrainedModel that predicts with a CompiledForest and leaves everything else (importance,
// SHAP contributions, the model file, facts) to the XGBoost-backed model it was compiled
// from; and CompileIfPossible, which the serving side calls on every model it loads.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "serve/trees/compiled_forest.h"
#include "train/learner.h"

namespace aimass::serve {

// Immutable; every method may run concurrently from any number of threads.
class CompiledModel final : public train::TrainedModel {
 public:
  CompiledModel(std::unique_ptr<const CompiledForest> forest,
                std::shared_ptr<const train::TrainedModel> original)
      : forest_(std::move(forest)), original_(std::move(original)) {}

  Result<std::vector<double>> Predict(const train::Matrix& features) const override {
    return forest_->Predict(features);
  }
  int OutputWidth() const override { return original_->OutputWidth(); }
  std::vector<double> Importance() const override { return original_->Importance(); }
  Result<std::vector<double>> Contributions(const train::Matrix& features) const override {
    return original_->Contributions(features);
  }
  Result<std::string> Serialize() const override { return original_->Serialize(); }
  nlohmann::json Info() const override { return original_->Info(); }

  const CompiledForest& forest() const { return *forest_; }
  const train::TrainedModel& original() const { return *original_; }

 private:
  std::unique_ptr<const CompiledForest> forest_;
  std::shared_ptr<const train::TrainedModel> original_;
};

// A CompiledModel over `model` when its learner is "xgboost" or "rf", its file compiles and
// the compiled form predicts as `model` does on probe rows (CompiledForest::ProbeRows);
// otherwise `model` itself, with `*note` (when not null) saying why. On success `*note` says
// what was compiled.
std::shared_ptr<const train::TrainedModel> CompileIfPossible(
    std::shared_ptr<const train::TrainedModel> model, std::string_view learner, train::Task task,
    int num_classes, std::string* note);

}  // namespace aimass::serve
