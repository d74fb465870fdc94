#include "serve/model_loader.h"

#include <algorithm>

#include "common/files.h"
#include "data/json_depth.h"
#include "serve/trees/compiled_model.h"
#include "train/learner.h"
#include "train/task.h"

namespace aimass::serve {

std::string LoadedModel::Ref() const {
  return version.model_name + "@" + std::to_string(version.version);
}

Result<store::ModelVersionRecord> ModelLoader::Resolve(const registry::ModelRef& ref) {
  return registry_.Version(ref);
}

int ModelLoader::LoadedCount() {
  std::lock_guard lock(mu_);
  int count = 0;
  for (const auto& [id, model] : loaded_) count += !model.expired();
  return count;
}

Result<std::shared_ptr<const LoadedModel>> ModelLoader::Load(
    const store::ModelVersionRecord& version) {
  {
    std::lock_guard lock(mu_);
    if (auto it = loaded_.find(version.id); it != loaded_.end()) {
      if (auto model = it->second.lock()) return model;
    }
  }
  // Outside the lock: loading reads files and may take a while; two loads of one version
  // at once both finish, and the second one's copy is the one kept.
  AIMASS_ASSIGN_OR_RETURN(auto model, LoadFresh(version));
  std::lock_guard lock(mu_);
  std::erase_if(loaded_, [](const auto& entry) { return entry.second.expired(); });
  loaded_[version.id] = model;
  return model;
}

Result<std::shared_ptr<const LoadedModel>> ModelLoader::LoadFresh(
    const store::ModelVersionRecord& version) {
  const registry::ModelRef ref{version.model_name, version.version, ""};
  const train::MemberReader read = [&](const std::string& member) -> Result<std::string> {
    AIMASS_ASSIGN_OR_RETURN(auto opened, registry_.OpenMember(ref, member));
    AIMASS_ASSIGN_OR_RETURN(std::string bytes, ReadFile(opened.file.path()));
    // An imported bundle's members hold any bytes, and the JSON and UBJSON readers of
    // model files recurse once per nesting level.
    AIMASS_RETURN_IF_ERROR(data::CheckModelFileDepth(bytes, "member '" + member + "'"));
    return bytes;
  };
  AIMASS_ASSIGN_OR_RETURN(auto pipeline,
                          train::Pipeline::Load(read, train::LearnerRegistry::Builtin()));
  auto loaded = std::make_shared<LoadedModel>();
  loaded->version = version;

  // Tree members predict through their compiled form; the rest as they are.
  train::Pipeline::Parts parts = pipeline->parts();
  const int classes = static_cast<int>(parts.classes.size());
  // Each note once, with how many members it is about (a bagged model has several alike).
  std::vector<std::pair<std::string, int>> notes;
  for (auto& member : parts.members) {
    std::string note;
    member.model = CompileIfPossible(member.model, member.learner, parts.task, classes, &note);
    if (note.empty()) continue;
    note = member.learner + ": " + note;
    auto same = std::find_if(notes.begin(), notes.end(),
                             [&](const auto& seen) { return seen.first == note; });
    if (same == notes.end()) {
      notes.emplace_back(std::move(note), 1);
    } else {
      ++same->second;
    }
  }
  for (auto& [note, count] : notes) {
    loaded->notes.push_back(count == 1 ? std::move(note)
                                       : note + " (" + std::to_string(count) + " members)");
  }
  loaded->pipeline = std::make_shared<const train::Pipeline>(std::move(parts));

  // Warm-up: one record with every value missing goes through the whole path.
  auto warm = loaded->pipeline->PredictRecords(nlohmann::json::array({nlohmann::json::object()}));
  if (!warm) {
    return Fail(warm.error().code, "model " + loaded->Ref() +
                                       " failed its warm-up prediction: " + warm.error().message);
  }
  return std::shared_ptr<const LoadedModel>(std::move(loaded));
}

}  // namespace aimass::serve
