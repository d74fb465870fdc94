// `transform`: a sandboxed SQL SELECT over a dataset version (the view `input`), written as
// a new dataset version by a transform job of the DataLake.
#include "data/dataset_ref.h"
#include "data/sql_sandbox.h"
#include "pipelines/steps/dataset_job_step.h"
#include "pipelines/steps/step_params.h"

namespace aimass::pipelines {
namespace {

using nlohmann::json;

class TransformStep final : public DatasetJobStep {
 public:
  using DatasetJobStep::DatasetJobStep;

  std::string name() const override { return "transform"; }
  std::string help() const override {
    return "runs a SQL SELECT over a dataset version (as `input`) into a new version";
  }
  std::vector<ParamSpec> params() const override {
    return {{"input", ValueType::kDataset, true, "the dataset version to read, as `input`"},
            {"sql", ValueType::kString, true, "one SELECT over `input`"},
            {"output", ValueType::kString, false, "the dataset to write (default: the input's)"}};
  }
  Status CheckLiterals(const json& with) const override {
    AIMASS_RETURN_IF_ERROR(CheckString(with, "input", data::ParseDatasetRef));
    AIMASS_RETURN_IF_ERROR(CheckString(with, "sql", data::CheckTransformSql));
    AIMASS_RETURN_IF_ERROR(CheckString(with, "output", data::CheckDatasetName));
    return Ok();
  }

  bool cacheable() const override { return true; }
  Result<json> CacheKey(const StepInput& input) const override {
    return WithDatasetPinned(services_.datasets, input, "input");
  }

  Result<std::optional<store::JobRecord>> Launch(const StepInput& input) override {
    AIMASS_ASSIGN_OR_RETURN(std::string text, RequiredString(input.with, "input"));
    AIMASS_ASSIGN_OR_RETURN(std::string sql, RequiredString(input.with, "sql"));
    AIMASS_ASSIGN_OR_RETURN(auto output, OptionalString(input.with, "output"));
    AIMASS_ASSIGN_OR_RETURN(auto version,
                            DatasetVersionOf(services_.datasets, input, "input", text));
    data::TransformRequest request;
    request.input = {version.dataset_name, version.version};
    request.sql = std::move(sql);
    request.output = output.value_or("");
    if (!request.output.empty()) {
      if (auto writable = CheckDatasetWritable(services_.datasets, input, request.output);
          !writable) {
        return Fail(InParam("output", writable.error()));
      }
    }
    AIMASS_ASSIGN_OR_RETURN(auto job, services_.datasets.StartTransform(request));
    return std::optional<store::JobRecord>(std::move(job));
  }
};

}  // namespace

std::unique_ptr<StepType> MakeTransformStep(const StepServices& services) {
  return std::make_unique<TransformStep>(services);
}

}  // namespace aimass::pipelines
