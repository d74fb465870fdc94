// `evaluate`: scores a model version on every row of a dataset version with the metrics
// training uses (train/evaluation.h), predicting with the model as serving loads it
// (serve/model_loader.h). Gates compare its metrics, e.g. a candidate against the champion
// on the same holdout.
#include <algorithm>

#include "data/dataset_ref.h"
#include "pipelines/steps/builtin_steps.h"
#include "pipelines/steps/step_params.h"
#include "registry/model_ref.h"
#include "train/evaluation.h"
#include "train/frame.h"
#include "train/target.h"

namespace aimass::pipelines {
namespace {

using nlohmann::json;

// Class indexes of the data's target (sorted as in the data) as the model's class indexes.
Result<std::vector<float>> ModelLabels(const train::Target& target,
                                       const std::vector<std::string>& classes,
                                       const std::string& model) {
  if (target.task == train::Task::kRegression) return target.labels;
  std::vector<float> labels;
  labels.reserve(target.labels.size());
  std::vector<int> index(target.classes.size());
  for (size_t i = 0; i < target.classes.size(); ++i) {
    auto it = std::find(classes.begin(), classes.end(), target.classes[i]);
    if (it == classes.end()) {
      return Fail(ErrorCode::kInvalidArgument, "column '" + target.column + "' holds the class '" +
                                                   target.classes[i] + "', which " + model +
                                                   " was not trained to predict; evaluate on data "
                                                   "with the classes it knows");
    }
    index[i] = static_cast<int>(it - classes.begin());
  }
  for (float label : target.labels)
    labels.push_back(static_cast<float>(index[static_cast<int>(label)]));
  return labels;
}

class EvaluateStep final : public StepType {
 public:
  explicit EvaluateStep(const StepServices& services) : services_(services) {}

  std::string name() const override { return "evaluate"; }
  std::string help() const override {
    return "scores a model version on every row of a dataset version";
  }
  std::vector<ParamSpec> params() const override {
    return {{"model", ValueType::kModel, true, "the version to score; name@champion allowed"},
            {"dataset", ValueType::kDataset, true, "the rows to score it on (with the target)"},
            {"missing_ok", ValueType::kBool, false,
             "when the model names no version (no champion yet): found false, no metrics"}};
  }
  std::vector<OutputSpec> outputs() const override {
    return {{"metrics", ValueType::kMetrics, "every metric of the model's task"},
            {"model", ValueType::kModel, "the version scored, name@N (\"\" when not found)"},
            {"found", ValueType::kBool, "false when missing_ok and the model names nothing"},
            {"rows", ValueType::kNumber, "the rows scored (those with a target)"}};
  }

  Status CheckLiterals(const json& with) const override {
    AIMASS_RETURN_IF_ERROR(CheckString(with, "model", registry::ParseModelRef));
    AIMASS_RETURN_IF_ERROR(CheckString(with, "dataset", data::ParseDatasetRef));
    AIMASS_RETURN_IF_ERROR(BoolOr(with, "missing_ok", false));
    return Ok();
  }

  bool cacheable() const override { return true; }
  Result<json> CacheKey(const StepInput& input) const override {
    AIMASS_ASSIGN_OR_RETURN(json key, WithDatasetPinned(services_.datasets, input, "dataset"));
    AIMASS_ASSIGN_OR_RETURN(auto version, FindVersion(input));
    key["model"] = version ? json(ModelRefOf(*version)) : json(nullptr);
    return key;
  }

  Result<json> Run(const StepInput& input, jobs::JobContext& context) override {
    AIMASS_RETURN_IF_ERROR(CheckLiterals(input.with));
    AIMASS_ASSIGN_OR_RETURN(std::string dataset, RequiredString(input.with, "dataset"));
    AIMASS_ASSIGN_OR_RETURN(auto data_version,
                            DatasetVersionOf(services_.datasets, input, "dataset", dataset));
    AIMASS_ASSIGN_OR_RETURN(auto version, FindVersion(input));
    if (!version) {
      context.Log("no version of " + input.with.value("model", "") + " to evaluate");
      return json{{"metrics", json::object()}, {"model", ""}, {"found", false}, {"rows", 0}};
    }
    const std::string model_ref = ModelRefOf(*version);
    AIMASS_ASSIGN_OR_RETURN(auto loaded, services_.loader.Load(*version));
    const train::Pipeline& pipeline = *loaded->pipeline;
    AIMASS_RETURN_IF_ERROR(context.Progress(10, "reading " + DatasetRefOf(data_version)));

    std::vector<std::string> columns;
    for (const auto& column : pipeline.schema().columns) columns.push_back(column.name);
    const std::string& target_column = pipeline.parts().target;
    if (std::find(columns.begin(), columns.end(), target_column) == columns.end()) {
      columns.push_back(target_column);
    }
    train::Frame frame;
    {
      AIMASS_ASSIGN_OR_RETURN(auto file, services_.datasets.VersionFile(data_version));
      AIMASS_ASSIGN_OR_RETURN(auto engine, services_.datasets.OpenEngine());
      auto loaded_frame = train::LoadParquet(*engine, file.path(), columns);
      if (!loaded_frame) {
        return Fail(loaded_frame.error().code, DatasetRefOf(data_version) +
                                                   " cannot be scored with " + model_ref + ": " +
                                                   loaded_frame.error().message);
      }
      frame = std::move(*loaded_frame);
    }
    AIMASS_RETURN_IF_ERROR(context.Progress(40, "predicting with " + model_ref));
    auto target = train::ExtractTarget(frame, target_column, pipeline.task());
    if (!target) {
      return Fail(target.error().code, DatasetRefOf(data_version) + ": " + target.error().message);
    }
    AIMASS_ASSIGN_OR_RETURN(auto labels, ModelLabels(*target, pipeline.classes(), model_ref));
    AIMASS_ASSIGN_OR_RETURN(auto predictions,
                            pipeline.Predict(train::TakeRows(frame, target->rows)));
    AIMASS_RETURN_IF_ERROR(context.Progress(80, "scoring " + model_ref));
    AIMASS_ASSIGN_OR_RETURN(
        json evaluation, train::Evaluate(pipeline.task(), pipeline.classes(), labels, predictions,
                                         pipeline.width(), /*seed=*/0));
    // Undefined metrics (null, e.g. ROC AUC over one class) are left out.
    json metrics = json::object();
    if (evaluation.contains("metrics") && evaluation["metrics"].is_object()) {
      for (const auto& [name, value] : evaluation["metrics"].items()) {
        if (value.is_number()) metrics[name] = value;
      }
    }
    context.Log("scored " + model_ref + " on " + std::to_string(labels.size()) + " rows of " +
                DatasetRefOf(data_version) + ": " + metrics.dump());
    return json{{"metrics", metrics},
                {"model", model_ref},
                {"found", true},
                {"rows", static_cast<int64_t>(labels.size())}};
  }

 private:
  // The version the model parameter names now; nullopt when it names none and missing_ok.
  Result<std::optional<store::ModelVersionRecord>> FindVersion(const StepInput& input) const {
    AIMASS_ASSIGN_OR_RETURN(std::string text, RequiredString(input.with, "model"));
    AIMASS_ASSIGN_OR_RETURN(bool missing_ok, BoolOr(input.with, "missing_ok", false));
    auto version = ModelVersionOf(services_.registry, input, "model", text);
    if (!version) {
      if (missing_ok && version.error().code == ErrorCode::kNotFound) {
        return std::optional<store::ModelVersionRecord>();
      }
      return Fail(version.error());
    }
    return std::optional<store::ModelVersionRecord>(std::move(*version));
  }

  StepServices services_;
};

}  // namespace

std::unique_ptr<StepType> MakeEvaluateStep(const StepServices& services) {
  return std::make_unique<EvaluateStep>(services);
}

}  // namespace aimass::pipelines
