// `batch-predict`: an endpoint's model over every row of a dataset version, written as a new
// dataset version (a batch prediction job of serve/batch_prediction.h).
#include "data/dataset_ref.h"
#include "pipelines/steps/dataset_job_step.h"
#include "pipelines/steps/step_params.h"
#include "registry/model_ref.h"

namespace aimass::pipelines {
namespace {

using nlohmann::json;

class BatchPredictStep final : public DatasetJobStep {
 public:
  using DatasetJobStep::DatasetJobStep;

  std::string name() const override { return "batch-predict"; }
  std::string help() const override {
    return "predicts every row of a dataset version with an endpoint's model into a new dataset";
  }
  std::vector<ParamSpec> params() const override {
    return {{"endpoint", ValueType::kString, true, "the endpoint whose model predicts"},
            {"dataset", ValueType::kDataset, true, "the dataset version to predict"},
            {"output", ValueType::kString, true, "the dataset to write the predictions to"}};
  }
  Status CheckLiterals(const json& with) const override {
    AIMASS_RETURN_IF_ERROR(CheckString(with, "endpoint", registry::CheckModelName));
    AIMASS_RETURN_IF_ERROR(CheckString(with, "dataset", data::ParseDatasetRef));
    AIMASS_RETURN_IF_ERROR(CheckString(with, "output", data::CheckDatasetName));
    return Ok();
  }

  Result<std::optional<store::JobRecord>> Launch(const StepInput& input) override {
    AIMASS_RETURN_IF_ERROR(CheckLiterals(input.with));
    AIMASS_ASSIGN_OR_RETURN(std::string endpoint, RequiredString(input.with, "endpoint"));
    AIMASS_ASSIGN_OR_RETURN(std::string text, RequiredString(input.with, "dataset"));
    AIMASS_ASSIGN_OR_RETURN(std::string output, RequiredString(input.with, "output"));
    auto record = services_.store.GetEndpoint(endpoint);
    if (!record) return Fail(InParam("endpoint", record.error()));
    if (record->project_id != input.project_id) {
      return Fail(ErrorCode::kPermissionDenied,
                  "parameter 'endpoint': endpoint '" + endpoint + "' belongs to project '" +
                      record->project + "', not to the project pipeline '" + input.pipeline +
                      "' runs in; predict with an endpoint of this project");
    }
    AIMASS_ASSIGN_OR_RETURN(auto version,
                            DatasetVersionOf(services_.datasets, input, "dataset", text));
    if (auto writable = CheckDatasetWritable(services_.datasets, input, output); !writable) {
      return Fail(InParam("output", writable.error()));
    }
    AIMASS_ASSIGN_OR_RETURN(auto job, services_.batch.Start({{"endpoint", endpoint},
                                                             {"dataset", DatasetRefOf(version)},
                                                             {"output", output}}));
    return std::optional<store::JobRecord>(std::move(job));
  }
};

}  // namespace

std::unique_ptr<StepType> MakeBatchPredictStep(const StepServices& services) {
  return std::make_unique<BatchPredictStep>(services);
}

}  // namespace aimass::pipelines
