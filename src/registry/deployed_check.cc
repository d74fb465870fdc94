// What the registry refuses to delete while serving uses it: the endpoints' model
// references are resolved against the registry as it is now.
#include <array>

#include "registry/registry_service.h"

namespace aimass::registry {
namespace {

// An endpoint's references that are set: model, canary, shadow.
std::vector<std::string> ReferencesOf(const store::EndpointRecord& endpoint) {
  std::vector<std::string> out;
  for (const std::string* ref : {&endpoint.model, &endpoint.canary, &endpoint.shadow}) {
    if (!ref->empty()) out.push_back(*ref);
  }
  return out;
}

}  // namespace

Status RegistryService::CheckNotDeployed(const store::ModelVersionRecord& version) {
  AIMASS_ASSIGN_OR_RETURN(const auto endpoints, store_.ListEndpoints());
  for (const auto& endpoint : endpoints) {
    for (const auto& text : ReferencesOf(endpoint)) {
      auto ref = ParseModelRef(text);
      if (!ref || ref->name != version.model_name) continue;
      auto served = Version(*ref);
      if (!served || served->version != version.version) continue;
      return Fail(ErrorCode::kConflict,
                  "version " + std::to_string(version.version) + " of model '" +
                      version.model_name + "' is served by endpoint '" + endpoint.name + "' (" +
                      text + "); delete the endpoint or deploy another version to it first");
    }
  }
  return Ok();
}

Status RegistryService::CheckNoEndpointFollows(const std::string& name, const std::string& alias) {
  AIMASS_ASSIGN_OR_RETURN(const auto endpoints, store_.ListEndpoints());
  for (const auto& endpoint : endpoints) {
    for (const auto& text : ReferencesOf(endpoint)) {
      auto ref = ParseModelRef(text);
      if (!ref || ref->name != name || (!alias.empty() && ref->alias != alias)) continue;
      const std::string what =
          alias.empty() ? "model '" + name + "'" : "alias '" + name + "@" + alias + "'";
      return Fail(ErrorCode::kConflict, what + " is used by endpoint '" + endpoint.name + "' (" +
                                            text +
                                            "); delete the endpoint or deploy another model to "
                                            "it first");
    }
  }
  return Ok();
}

}  // namespace aimass::registry
