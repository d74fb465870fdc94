#include "pipelines/steps/step_params.h"

#include "common/duration.h"
#include "common/stored_json.h"
#include "data/dataset_ref.h"
#include "registry/model_ref.h"

namespace aimass::pipelines {
namespace {

using nlohmann::json;

Error WrongType(std::string_view name, std::string_view wanted, const json& value) {
  return {ErrorCode::kInvalidArgument, "parameter '" + std::string(name) + "' must be " +
                                           std::string(wanted) + ", not " + value.dump()};
}

const json* Find(const json& with, std::string_view name) {
  if (!with.is_object()) return nullptr;
  auto it = with.find(std::string(name));
  if (it == with.end() || it->is_null()) return nullptr;
  return &*it;
}

std::string ProjectWords(int64_t project_id) {
  return project_id == 0 ? "another project" : "project " + std::to_string(project_id);
}

Error OtherProject(std::string_view what, const std::string& name, const std::string& project,
                   const StepInput& input) {
  return {ErrorCode::kPermissionDenied,
          std::string(what) + " '" + name + "' belongs to project '" + project +
              "', and pipeline '" + input.pipeline + "' runs in " + ProjectWords(input.project_id) +
              "; a pipeline reads and writes only its own project's datasets and models: "
              "use one of this project, or run the pipeline in project '" +
              project + "'"};
}

}  // namespace

bool IsReference(const json& value) {
  return value.is_string() && value.get_ref<const std::string&>().find("${{") != std::string::npos;
}

Error InParam(std::string_view param, Error error) {
  error.message = "parameter '" + std::string(param) + "': " + error.message;
  return error;
}

Result<std::optional<std::string>> OptionalString(const json& with, std::string_view name) {
  const json* value = Find(with, name);
  if (value == nullptr) return std::optional<std::string>();
  if (!value->is_string()) return Fail(WrongType(name, "a string", *value));
  return std::optional<std::string>(value->get<std::string>());
}

Result<std::string> RequiredString(const json& with, std::string_view name) {
  AIMASS_ASSIGN_OR_RETURN(auto value, OptionalString(with, name));
  if (!value || value->empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "parameter '" + std::string(name) + "' is required; add it under with:");
  }
  return *value;
}

Result<std::optional<double>> OptionalNumber(const json& with, std::string_view name) {
  const json* value = Find(with, name);
  if (value == nullptr) return std::optional<double>();
  if (!value->is_number()) return Fail(WrongType(name, "a number", *value));
  return std::optional<double>(value->get<double>());
}

Result<bool> BoolOr(const json& with, std::string_view name, bool fallback) {
  const json* value = Find(with, name);
  if (value == nullptr) return fallback;
  if (!value->is_boolean()) return Fail(WrongType(name, "true or false", *value));
  return value->get<bool>();
}

Result<json> ObjectOr(const json& with, std::string_view name) {
  const json* value = Find(with, name);
  if (value == nullptr) return json::object();
  if (!value->is_object()) return Fail(WrongType(name, "an object", *value));
  return *value;
}

Result<double> ParseDuration(const json& value, std::string_view name) {
  auto seconds = ParseDurationSeconds(value, name);
  if (!seconds) return Fail(InParam(name, seconds.error()));
  if (*seconds < 0) {
    return Fail(ErrorCode::kInvalidArgument,
                "parameter '" + std::string(name) + "' must not be negative, not " + value.dump());
  }
  return *seconds;
}

Result<std::optional<double>> OptionalDuration(const json& with, std::string_view name) {
  const json* value = Find(with, name);
  if (value == nullptr) return std::optional<double>();
  AIMASS_ASSIGN_OR_RETURN(double seconds, ParseDuration(*value, name));
  return std::optional<double>(seconds);
}

Result<store::DatasetRecord> DatasetInProject(data::DatasetService& datasets,
                                              const StepInput& input, const std::string& name) {
  AIMASS_ASSIGN_OR_RETURN(auto dataset, datasets.Get(name));
  if (dataset.project_id != input.project_id) {
    return Fail(OtherProject("dataset", name, dataset.project, input));
  }
  return dataset;
}

Status CheckDatasetWritable(data::DatasetService& datasets, const StepInput& input,
                            const std::string& name) {
  auto dataset = datasets.Get(name);
  if (!dataset) {
    if (dataset.error().code == ErrorCode::kNotFound) return Ok();
    return Fail(dataset.error());
  }
  if (dataset->project_id != input.project_id) {
    return Fail(OtherProject("dataset", name, dataset->project, input));
  }
  return Ok();
}

Result<store::DatasetVersionRecord> DatasetVersionOf(data::DatasetService& datasets,
                                                     const StepInput& input, std::string_view param,
                                                     const std::string& text) {
  auto ref = data::ParseDatasetRef(text);
  if (!ref) return Fail(InParam(param, ref.error()));
  auto dataset = DatasetInProject(datasets, input, ref->name);
  if (!dataset) return Fail(InParam(param, dataset.error()));
  auto version = datasets.Version(*ref);
  if (!version) return Fail(InParam(param, version.error()));
  return *version;
}

std::string DatasetRefOf(const store::DatasetVersionRecord& version) {
  return version.dataset_name + "@" + std::to_string(version.version);
}

Result<json> WithDatasetPinned(data::DatasetService& datasets, const StepInput& input,
                               const std::string& param) {
  AIMASS_ASSIGN_OR_RETURN(std::string text, RequiredString(input.with, param));
  AIMASS_ASSIGN_OR_RETURN(auto version, DatasetVersionOf(datasets, input, param, text));
  json key = input.with;
  key[param] = DatasetRefOf(version);
  return key;
}

Result<store::ModelRecord> ModelInProject(registry::RegistryService& registry,
                                          const StepInput& input, const std::string& name) {
  AIMASS_ASSIGN_OR_RETURN(auto model, registry.Get(name));
  if (model.project_id != input.project_id) {
    return Fail(OtherProject("model", name, model.project, input));
  }
  return model;
}

Status CheckModelWritable(registry::RegistryService& registry, const StepInput& input,
                          const std::string& name) {
  auto model = registry.Get(name);
  if (!model) {
    if (model.error().code == ErrorCode::kNotFound) return Ok();
    return Fail(model.error());
  }
  if (model->project_id != input.project_id) {
    return Fail(OtherProject("model", name, model->project, input));
  }
  return Ok();
}

Result<store::ModelVersionRecord> ModelVersionOf(registry::RegistryService& registry,
                                                 const StepInput& input, std::string_view param,
                                                 const std::string& text) {
  auto ref = registry::ParseModelRef(text);
  if (!ref) return Fail(InParam(param, ref.error()));
  auto model = ModelInProject(registry, input, ref->name);
  if (!model) return Fail(InParam(param, model.error()));
  auto version = registry.Version(*ref);
  if (!version) return Fail(InParam(param, version.error()));
  return *version;
}

std::string ModelRefOf(const store::ModelVersionRecord& version) {
  return version.model_name + "@" + std::to_string(version.version);
}

json MetricsOf(const store::ModelVersionRecord& version) {
  json metrics = json::object();
  const json stored = ParseStoredJson(version.metrics_json);
  if (!stored.is_object()) return metrics;
  for (const auto& [name, value] : stored.items()) {
    if (value.is_number()) metrics[name] = value;
  }
  return metrics;
}

Result<json> DatasetOutputs(const StepInput& input, const json& result) {
  if (!result.is_object() || !result.value("ref", json()).is_string() ||
      !result.value("row_count", json()).is_number()) {
    return Fail(
        ErrorCode::kInternal,
        "step '" + input.step + "': its job's result names no dataset version: " + result.dump());
  }
  return json{{"dataset", result["ref"]}, {"rows", result["row_count"]}};
}

json UncachedKey(const StepInput& input) {
  json key = input.with;
  key["$uncached_run"] = input.run_id;
  return key;
}

}  // namespace aimass::pipelines
