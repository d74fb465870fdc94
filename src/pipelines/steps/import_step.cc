// `import`: a new version of a dataset from a file on the server (admins) or an http(s) URL
// on the import allow-list, as an import job of the DataLake.
#include <filesystem>

#include "data/dataset_ref.h"
#include "data/url_fetch.h"
#include "pipelines/steps/dataset_job_step.h"
#include "pipelines/steps/step_params.h"

namespace aimass::pipelines {
namespace {

using nlohmann::json;

class ImportStep final : public DatasetJobStep {
 public:
  using DatasetJobStep::DatasetJobStep;

  std::string name() const override { return "import"; }
  std::string help() const override {
    return "imports a file (path on the server, admins only) or a URL as a dataset version";
  }
  std::vector<ParamSpec> params() const override {
    return {{"dataset", ValueType::kString, true, "the dataset to add a version to"},
            {"path", ValueType::kString, false, "a file on the server (admins only)"},
            {"url", ValueType::kString, false, "an http(s) URL on the import allow-list"},
            {"format", ValueType::kString, false, "csv, tsv, jsonl or parquet (else guessed)"}};
  }
  Status CheckLiterals(const json& with) const override {
    AIMASS_RETURN_IF_ERROR(CheckString(with, "dataset", data::CheckDatasetName));
    AIMASS_ASSIGN_OR_RETURN(auto path, OptionalString(with, "path"));
    AIMASS_ASSIGN_OR_RETURN(auto url, OptionalString(with, "url"));
    if (path && url) {
      return Fail(ErrorCode::kInvalidArgument,
                  "parameters 'path' and 'url': give one of them, not both");
    }
    AIMASS_RETURN_IF_ERROR(CheckString(with, "url", data::ParseFetchUrl));
    AIMASS_RETURN_IF_ERROR(CheckString(with, "format", data::ParseFileFormat));
    return Ok();
  }

  Result<std::optional<store::JobRecord>> Launch(const StepInput& input) override {
    AIMASS_RETURN_IF_ERROR(CheckLiterals(input.with));
    AIMASS_ASSIGN_OR_RETURN(std::string dataset, RequiredString(input.with, "dataset"));
    AIMASS_ASSIGN_OR_RETURN(auto path, OptionalString(input.with, "path"));
    AIMASS_ASSIGN_OR_RETURN(auto url, OptionalString(input.with, "url"));
    AIMASS_ASSIGN_OR_RETURN(auto format_name, OptionalString(input.with, "format"));
    if (!path && !url) {
      return Fail(ErrorCode::kInvalidArgument,
                  "an import step needs 'path' (a file on the server) or 'url' (http or https)");
    }
    if (auto writable = CheckDatasetWritable(services_.datasets, input, dataset); !writable) {
      return Fail(InParam("dataset", writable.error()));
    }
    std::optional<data::FileFormat> format;
    if (format_name) {
      AIMASS_ASSIGN_OR_RETURN(format, data::ParseFileFormat(*format_name));
    }
    if (url) {
      data::UrlImportRequest request;
      request.name = dataset;
      request.url = *url;
      request.format = format;
      AIMASS_ASSIGN_OR_RETURN(auto job, services_.datasets.StartUrlImport(request));
      return std::optional<store::JobRecord>(std::move(job));
    }
    if (!input.admin) {
      return Fail(ErrorCode::kPermissionDenied,
                  "parameter 'path': only admins may import a file on the server, and this "
                  "pipeline was applied by '" +
                      input.applied_by +
                      "'; import from a 'url' instead, or have an admin apply the pipeline");
    }
    data::ImportRequest request;
    request.name = dataset;
    request.file = *path;
    request.server_side = true;
    request.filename = std::filesystem::path(*path).filename().string();
    request.format = format;
    AIMASS_ASSIGN_OR_RETURN(auto job, services_.datasets.StartImport(std::move(request)));
    return std::optional<store::JobRecord>(std::move(job));
  }
};

}  // namespace

std::unique_ptr<StepType> MakeImportStep(const StepServices& services) {
  return std::make_unique<ImportStep>(services);
}

}  // namespace aimass::pipelines
