// What the built-in steps share: their parameters (StepInput::with) read as the declared
// types with errors naming the parameter, durations, and the checks that keep a pipeline to
// its own project's datasets and models, with references pinned to versions ("name@N").
// Stateless and thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "data/dataset_service.h"
#include "pipelines/step_type.h"
#include "registry/registry_service.h"

namespace aimass::pipelines {

// True for text that is still a reference (`${{ steps.S.outputs.O }}`): CheckLiterals leaves
// those to the runner.
bool IsReference(const nlohmann::json& value);

// `error` with "parameter 'name': " in front, so the message says which one is wrong.
Error InParam(std::string_view param, Error error);

// Runs `check` (a function of the text, answering a Status or a Result) on the string
// parameter `name` when it is there and not a reference; its error names the parameter.
template <typename Check>
Status CheckString(const nlohmann::json& with, std::string_view name, Check check);

// A parameter of `with`: nullopt when absent or null; kInvalidArgument naming the parameter
// and its type when it holds another type. Required ones fail when absent, too.
Result<std::optional<std::string>> OptionalString(const nlohmann::json& with,
                                                  std::string_view name);
Result<std::string> RequiredString(const nlohmann::json& with, std::string_view name);
Result<std::optional<double>> OptionalNumber(const nlohmann::json& with, std::string_view name);
Result<bool> BoolOr(const nlohmann::json& with, std::string_view name, bool fallback);
Result<nlohmann::json> ObjectOr(const nlohmann::json& with, std::string_view name);
// A duration parameter in seconds (common/duration.h: "90s", "5m", "1h", a number).
Result<std::optional<double>> OptionalDuration(const nlohmann::json& with, std::string_view name);
Result<double> ParseDuration(const nlohmann::json& value, std::string_view name);

// The dataset `name`, which must exist and belong to the step's project (kPermissionDenied
// naming the project otherwise: a pipeline reads only what its own project holds).
Result<store::DatasetRecord> DatasetInProject(data::DatasetService& datasets,
                                              const StepInput& input, const std::string& name);
// The same for a dataset a step writes to: passes when there is none of that name yet.
Status CheckDatasetWritable(data::DatasetService& datasets, const StepInput& input,
                            const std::string& name);
// The version a dataset parameter ("name" or "name@3") names, in the step's project.
Result<store::DatasetVersionRecord> DatasetVersionOf(data::DatasetService& datasets,
                                                     const StepInput& input, std::string_view param,
                                                     const std::string& text);
std::string DatasetRefOf(const store::DatasetVersionRecord& version);  // "name@N"
// `input.with` with the dataset parameter `param` pinned to the version it names now
// ("sales" becomes "sales@4"): the cache key of a step that reads that dataset.
Result<nlohmann::json> WithDatasetPinned(data::DatasetService& datasets, const StepInput& input,
                                         const std::string& param);

// The model `name`, which must exist and belong to the step's project.
Result<store::ModelRecord> ModelInProject(registry::RegistryService& registry,
                                          const StepInput& input, const std::string& name);
// The same for a model a step adds versions to: passes when there is none of that name yet.
Status CheckModelWritable(registry::RegistryService& registry, const StepInput& input,
                          const std::string& name);
// The version a model parameter ("name", "name@3", "name@champion") names now, in the
// step's project.
Result<store::ModelVersionRecord> ModelVersionOf(registry::RegistryService& registry,
                                                 const StepInput& input, std::string_view param,
                                                 const std::string& text);
std::string ModelRefOf(const store::ModelVersionRecord& version);  // "name@N"
// A version's metrics: the numbers of its metrics_json.
nlohmann::json MetricsOf(const store::ModelVersionRecord& version);

// The outputs of a job that committed a dataset version (import, transform, batch
// predictions), from its result (data/version_json.h's summary): {"dataset":"name@N","rows":N}.
Result<nlohmann::json> DatasetOutputs(const StepInput& input, const nlohmann::json& result);

// The `input.with` of a step that must never be served from the cache: it holds the run, so
// no other run has the same key.
nlohmann::json UncachedKey(const StepInput& input);

template <typename Check>
Status CheckString(const nlohmann::json& with, std::string_view name, Check check) {
  AIMASS_ASSIGN_OR_RETURN(auto value, OptionalString(with, name));
  if (!value || IsReference(*value)) return Ok();
  if (auto checked = check(*value); !checked) return Fail(InParam(name, checked.error()));
  return Ok();
}

}  // namespace aimass::pipelines
