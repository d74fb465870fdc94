#include "serve/trees/compiled_model.h"

#include <algorithm>
#include <cmath>

namespace aimass::serve {
namespace {

// Probe rows predicted by both forms before the compiled one is used; enough to visit most
// leaves of small trees, and a fraction of a millisecond for XGBoost.
constexpr int64_t kProbeRows = 256;
constexpr uint64_t kProbeSeed = 20240601;

// Empty when `compiled` and `original` agree to 1e-6 relative (1e-7 absolute near 0);
// otherwise where they first differ.
std::string Disagreement(const std::vector<double>& compiled, const std::vector<double>& original,
                         int width) {
  if (compiled.size() != original.size()) {
    return "it gave " + std::to_string(compiled.size()) + " values where XGBoost gave " +
           std::to_string(original.size());
  }
  for (size_t i = 0; i < compiled.size(); ++i) {
    const double a = compiled[i];
    const double b = original[i];
    if (std::abs(a - b) <= 1e-6 * std::max(std::abs(a), std::abs(b)) + 1e-7) continue;
    return "row " + std::to_string(i / width) + " output " + std::to_string(i % width) +
           ": compiled " + std::to_string(a) + ", XGBoost " + std::to_string(b);
  }
  return "";
}

}  // namespace

std::shared_ptr<const train::TrainedModel> CompileIfPossible(
    std::shared_ptr<const train::TrainedModel> model, std::string_view learner, train::Task task,
    int num_classes, std::string* note) {
  std::string ignored;
  std::string& out = note != nullptr ? *note : ignored;
  const std::string fallback = "; predictions use the " + std::string(learner) + " model as is";
  if (model == nullptr) {
    out = "no model to compile";
    return model;
  }
  if (learner != "xgboost" && learner != "rf") {
    out = "the " + std::string(learner) + " learner has no compiled form" + fallback;
    return model;
  }
  auto bytes = model->Serialize();
  if (!bytes) {
    out = "could not read the model file to compile it (" + bytes.error().message + ")" + fallback;
    return model;
  }
  auto forest = CompiledForest::Compile(*bytes, task, num_classes);
  if (!forest) {
    out = "not compiled: " + forest.error().message + fallback;
    return model;
  }
  if ((*forest)->OutputWidth() != model->OutputWidth()) {
    out = "not compiled: the compiled form gives " + std::to_string((*forest)->OutputWidth()) +
          " outputs, the model " + std::to_string(model->OutputWidth()) + fallback;
    return model;
  }
  // A last guard against a file feature this runtime reads differently from XGBoost.
  const train::Matrix probe = (*forest)->ProbeRows(kProbeRows, kProbeSeed);
  auto compiled = (*forest)->Predict(probe);
  auto original = model->Predict(probe);
  if (!compiled || !original) {
    out = "not compiled: probe rows failed (" +
          (compiled ? original.error().message : compiled.error().message) + ")" + fallback;
    return model;
  }
  if (std::string where = Disagreement(*compiled, *original, model->OutputWidth());
      !where.empty()) {
    out = "not compiled: the compiled form disagreed with XGBoost on probe " + where + fallback;
    return model;
  }
  out = "compiled " + std::to_string((*forest)->num_trees()) + " trees (" +
        std::to_string((*forest)->num_nodes()) + " nodes)";
  return std::make_shared<const CompiledModel>(std::move(*forest), std::move(model));
}

}  // namespace aimass::serve
