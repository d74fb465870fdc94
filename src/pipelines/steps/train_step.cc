// `train`: an AutoML training job over a dataset version, registering what it makes as the
// next version of a model (train/training_service.h). The request body is the API's
// (train/training_spec.h), built from the parameters.
#include "pipelines/steps/builtin_steps.h"
#include "pipelines/steps/step_params.h"
#include "registry/model_ref.h"
#include "train/metrics.h"
#include "train/training_spec.h"

namespace aimass::pipelines {
namespace {

using nlohmann::json;

constexpr const char* kStrings[] = {"dataset", "target", "register", "task",
                                    "metric",  "search", "ensemble"};
constexpr const char* kNumbers[] = {"cv", "holdout", "seed"};

// The training request of `with`: `settings` first, then every named parameter over it.
// References (CheckLiterals sees their text) are left out.
Result<json> TrainingBody(const json& with) {
  AIMASS_ASSIGN_OR_RETURN(json body, ObjectOr(with, "settings"));
  for (const char* key : kStrings) {
    AIMASS_ASSIGN_OR_RETURN(auto value, OptionalString(with, key));
    if (value && !IsReference(*value)) body[key] = *value;
  }
  for (const char* key : kNumbers) {
    AIMASS_ASSIGN_OR_RETURN(auto value, OptionalNumber(with, key));
    if (value) body[key] = with[key];
  }
  if (with.contains("budget") && !IsReference(with["budget"])) {
    AIMASS_ASSIGN_OR_RETURN(auto budget, OptionalDuration(with, "budget"));
    if (budget) body["budget"] = *budget;
  }
  if (with.contains("learners") && !with["learners"].is_null() && !IsReference(with["learners"])) {
    const json& learners = with["learners"];
    bool names = learners.is_array();
    for (const auto& item : learners) names = names && item.is_string();
    if (!names) {
      return Fail(ErrorCode::kInvalidArgument,
                  "parameter 'learners' must be a list of names, e.g. [xgboost, linear]");
    }
    body["learners"] = learners;
  }
  return body;
}

// Whether some task knows `metric` (or the given task does).
Status CheckMetric(const std::string& metric, const json& body) {
  if (body.value("task", json("auto")) != "auto" && body["task"].is_string()) {
    auto task = train::ParseTask(body["task"].get<std::string>());
    if (task) {
      if (auto parsed = train::ParseMetric(metric, *task); !parsed) {
        return Fail(InParam("metric", parsed.error()));
      }
      return Ok();
    }
  }
  for (auto task : {train::Task::kBinary, train::Task::kMulticlass, train::Task::kRegression}) {
    if (train::ParseMetric(metric, task)) return Ok();
  }
  return Fail(ErrorCode::kInvalidArgument,
              "parameter 'metric': '" + metric +
                  "' is no metric training knows; use roc_auc, accuracy, balanced_accuracy, "
                  "log_loss, f1, rmse, mae or r2");
}

class TrainStep final : public StepType {
 public:
  explicit TrainStep(const StepServices& services) : services_(services) {}

  std::string name() const override { return "train"; }
  std::string help() const override {
    return "trains models on a dataset version (AutoML) and registers the best as a new version";
  }
  std::vector<ParamSpec> params() const override {
    return {{"dataset", ValueType::kDataset, true, "the dataset version to train on"},
            {"target", ValueType::kString, true, "the column to predict"},
            {"register", ValueType::kString, true, "the model to add the version to"},
            {"task", ValueType::kString, false, "binary, multiclass or regression (else detected)"},
            {"metric", ValueType::kString, false, "what the search optimizes (else the task's)"},
            {"budget", ValueType::kDuration, false, "wall clock for the run (default 60s)"},
            {"learners", ValueType::kStringList, false, "xgboost, rf, linear (default all)"},
            {"search", ValueType::kString, false, "bayes, random or grid"},
            {"cv", ValueType::kNumber, false, "cross-validation folds (2-20)"},
            {"holdout", ValueType::kNumber, false, "a share of rows for validation instead"},
            {"ensemble", ValueType::kString, false, "auto, voting, stacking, bagging or none"},
            {"seed", ValueType::kNumber, false, "set it to let unchanged runs reuse the model"},
            {"settings", ValueType::kObject, false, "more fields of the training request"}};
  }
  std::vector<OutputSpec> outputs() const override {
    return {{"model", ValueType::kModel, "the registered version, name@N"},
            {"metrics", ValueType::kMetrics, "its metrics (holdout or cross-validation)"},
            {"metric", ValueType::kString, "the metric the search optimized"}};
  }

  Status CheckLiterals(const json& with) const override {
    AIMASS_ASSIGN_OR_RETURN(json body, TrainingBody(with));
    if (body.contains("register")) {
      if (auto checked = registry::CheckModelName(body["register"].get<std::string>()); !checked) {
        return Fail(InParam("register", checked.error()));
      }
    }
    if (body.contains("metric")) {
      AIMASS_RETURN_IF_ERROR(CheckMetric(body["metric"].get<std::string>(), body));
    }
    if (with.contains("budget") && !IsReference(with["budget"]) && !(body["budget"] > 0)) {
      return Fail(ErrorCode::kInvalidArgument,
                  "parameter 'budget' must be more than 0 seconds, e.g. 5m");
    }
    // Placeholders for what references will give, so that the rest is checked as the API
    // checks a request.
    if (!body.contains("dataset")) body["dataset"] = "placeholder";
    if (!body.contains("target")) body["target"] = "placeholder";
    if (auto spec = train::ParseTrainingSpec(body); !spec) {
      return Fail(ErrorCode::kInvalidArgument, "train step: " + spec.error().message);
    }
    return Ok();
  }

  // A training run is only repeatable with a fixed seed: without one, each run trains anew.
  bool cacheable() const override { return true; }
  Result<json> CacheKey(const StepInput& input) const override {
    if (!input.with.contains("seed") || input.with["seed"].is_null()) return UncachedKey(input);
    return WithDatasetPinned(services_.datasets, input, "dataset");
  }

  Result<std::optional<store::JobRecord>> Launch(const StepInput& input) override {
    AIMASS_RETURN_IF_ERROR(CheckLiterals(input.with));
    AIMASS_ASSIGN_OR_RETURN(std::string text, RequiredString(input.with, "dataset"));
    AIMASS_ASSIGN_OR_RETURN(std::string target, RequiredString(input.with, "target"));
    AIMASS_ASSIGN_OR_RETURN(std::string model, RequiredString(input.with, "register"));
    AIMASS_ASSIGN_OR_RETURN(auto version,
                            DatasetVersionOf(services_.datasets, input, "dataset", text));
    if (auto writable = CheckModelWritable(services_.registry, input, model); !writable) {
      return Fail(InParam("register", writable.error()));
    }
    AIMASS_ASSIGN_OR_RETURN(json body, TrainingBody(input.with));
    body["dataset"] = DatasetRefOf(version);
    AIMASS_ASSIGN_OR_RETURN(auto job, services_.training.StartTraining(body));
    return std::optional<store::JobRecord>(std::move(job));
  }

  Result<json> Outputs(const StepInput& input, const json& result) override {
    if (!result.is_object() || !result.value("ref", json()).is_string()) {
      return Fail(ErrorCode::kInternal, "step '" + input.step +
                                            "': the training job's result names no model "
                                            "version: " +
                                            result.dump());
    }
    const std::string ref_text = result["ref"].get<std::string>();
    AIMASS_ASSIGN_OR_RETURN(auto ref, registry::ParseModelRef(ref_text));
    AIMASS_ASSIGN_OR_RETURN(auto version, services_.registry.Version(ref));
    return json{{"model", ref_text},
                {"metrics", MetricsOf(version)},
                {"metric", result.value("metric", "")}};
  }

 private:
  StepServices services_;
};

}  // namespace

std::unique_ptr<StepType> MakeTrainStep(const StepServices& services) {
  return std::make_unique<TrainStep>(services);
}

}  // namespace aimass::pipelines
