// Turns a registered model version into a LoadedModel: its pipeline read from the registry's
// member files, tree ensembles compiled for fast prediction (serve/trees), and warmed with
// one prediction so that the first request does not pay for lazy set-up.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "registry/registry_service.h"
#include "train/pipeline.h"

namespace aimass::serve {

// A model version ready to answer. Immutable; shared by every request that holds it, so an
// endpoint can switch to another version while requests on this one finish.
struct LoadedModel {
  store::ModelVersionRecord version;
  std::shared_ptr<const train::Pipeline> pipeline;
  std::vector<std::string> notes;  // what was compiled, and what was not and why

  std::string Ref() const;  // "credit@3"
};

// Thread-safe. Versions loaded once are shared while anyone holds them (an endpoint, its
// canary, another endpoint of the same version).
class ModelLoader {
 public:
  explicit ModelLoader(registry::RegistryService& registry) : registry_(registry) {}

  // The version `ref` names now ("credit@champion" follows the alias).
  Result<store::ModelVersionRecord> Resolve(const registry::ModelRef& ref);
  // The version, loaded (or the copy already loaded).
  Result<std::shared_ptr<const LoadedModel>> Load(const store::ModelVersionRecord& version);
  // Versions loaded and still held by someone.
  int LoadedCount();

 private:
  Result<std::shared_ptr<const LoadedModel>> LoadFresh(const store::ModelVersionRecord& version);

  registry::RegistryService& registry_;
  std::mutex mu_;
  std::map<int64_t, std::weak_ptr<const LoadedModel>> loaded_;  // by version id
};

}  // namespace aimass::serve
