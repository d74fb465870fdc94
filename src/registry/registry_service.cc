#include "registry/registry_service.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <system_error>

namespace aimass::registry {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr size_t kMaxDescriptionBytes = 64 * 1024;
constexpr int64_t kMaxSearchResults = 10000;

Status CheckDescription(const std::string& description) {
  if (description.size() <= kMaxDescriptionBytes) return Ok();
  return Fail(ErrorCode::kInvalidArgument, "a description may hold at most 64 KiB (this one has " +
                                               std::to_string(description.size()) + " bytes)");
}

// A metadata field that must hold JSON of one type (metrics: an object, ...).
Status CheckJson(const std::string& text, const char* field, bool (json::*is_type)() const,
                 const char* type_name) {
  json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded() || !(value.*is_type)()) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string(field) + " must be " + type_name + " in JSON");
  }
  return Ok();
}

Status CheckNewVersion(const store::NewModelVersion& v, const std::vector<MemberFile>& files) {
  AIMASS_RETURN_IF_ERROR(CheckModelName(v.model_name));
  AIMASS_RETURN_IF_ERROR(CheckTask(v.task));
  AIMASS_RETURN_IF_ERROR(CheckDescription(v.description));
  AIMASS_RETURN_IF_ERROR(CheckJson(v.metrics_json, "metrics", &json::is_object, "an object"));
  AIMASS_RETURN_IF_ERROR(CheckJson(v.leaderboard_json, "leaderboard", &json::is_array, "a list"));
  AIMASS_RETURN_IF_ERROR(CheckJson(v.params_json, "params", &json::is_object, "an object"));
  AIMASS_RETURN_IF_ERROR(CheckJson(v.lineage_json, "lineage", &json::is_object, "an object"));
  AIMASS_RETURN_IF_ERROR(CheckJson(v.source_json, "source", &json::is_object, "an object"));
  if (files.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "a model version needs at least one member file");
  }
  std::set<std::string> names;
  for (const auto& file : files) {
    AIMASS_RETURN_IF_ERROR(CheckMemberName(file.name));
    if (!names.insert(file.name).second) {
      return Fail(ErrorCode::kInvalidArgument,
                  "member '" + file.name + "' is given twice; each member needs its own name");
    }
  }
  return Ok();
}

}  // namespace

RegistryService::RegistryService(store::MetadataStore& store, blob::BlobStore& blobs,
                                 const Clock& clock, RegistryOptions options)
    : store_(store), blobs_(blobs), clock_(clock), options_(std::move(options)) {}

Result<store::ModelRecord> RegistryService::CreateModel(const store::NewModel& model) {
  AIMASS_RETURN_IF_ERROR(CheckModelName(model.name));
  AIMASS_RETURN_IF_ERROR(CheckDescription(model.description));
  for (const auto& [key, value] : model.tags) {
    AIMASS_RETURN_IF_ERROR(CheckTagKey(key));
    AIMASS_RETURN_IF_ERROR(CheckTagValue(value));
  }
  AIMASS_ASSIGN_OR_RETURN(auto created, store_.CreateModel(model, clock_.NowMillis()));
  if (!created.created) {
    return Fail(ErrorCode::kConflict, "model '" + model.name + "' already exists");
  }
  return std::move(created.model);
}

Result<std::vector<store::ModelRecord>> RegistryService::Search(const store::ModelFilter& filter) {
  if (filter.limit < 0 || filter.limit > kMaxSearchResults || filter.offset < 0) {
    return Fail(ErrorCode::kInvalidArgument,
                "limit must be 0-" + std::to_string(kMaxSearchResults) + " and offset at least 0");
  }
  if (filter.metric) {
    AIMASS_RETURN_IF_ERROR(CheckMetricName(filter.metric->metric));
  }
  return store_.SearchModels(filter);
}

Result<store::ModelRecord> RegistryService::Get(const std::string& name) {
  AIMASS_RETURN_IF_ERROR(CheckModelName(name));
  return store_.GetModel(name);
}

Result<std::vector<store::ModelVersionRecord>> RegistryService::Versions(const std::string& name) {
  AIMASS_RETURN_IF_ERROR(CheckModelName(name));
  return store_.ListModelVersions(name);
}

Result<store::ModelVersionRecord> RegistryService::Version(const ModelRef& ref) {
  AIMASS_RETURN_IF_ERROR(CheckModelName(ref.name));
  if (!ref.alias.empty()) return store_.GetModelVersionByAlias(ref.name, ref.alias);
  return store_.GetModelVersion(ref.name, ref.version);
}

Result<store::ModelRecord> RegistryService::Describe(const std::string& name,
                                                     const std::string& description) {
  AIMASS_RETURN_IF_ERROR(CheckModelName(name));
  AIMASS_RETURN_IF_ERROR(CheckDescription(description));
  return store_.SetModelDescription(name, description, clock_.NowMillis());
}

Result<store::ModelRecord> RegistryService::SetTag(const std::string& name, const std::string& key,
                                                   const std::string& value) {
  AIMASS_RETURN_IF_ERROR(CheckModelName(name));
  AIMASS_RETURN_IF_ERROR(CheckTagKey(key));
  AIMASS_RETURN_IF_ERROR(CheckTagValue(value));
  return store_.SetModelTag(name, key, value, clock_.NowMillis());
}

Result<store::ModelRecord> RegistryService::DeleteTag(const std::string& name,
                                                      const std::string& key) {
  AIMASS_RETURN_IF_ERROR(CheckModelName(name));
  AIMASS_RETURN_IF_ERROR(CheckTagKey(key));
  return store_.DeleteModelTag(name, key, clock_.NowMillis());
}

Result<store::ModelVersionRecord> RegistryService::SetAlias(const std::string& name,
                                                            const std::string& alias,
                                                            int64_t version) {
  AIMASS_RETURN_IF_ERROR(CheckModelName(name));
  AIMASS_RETURN_IF_ERROR(CheckAlias(alias));
  if (version < 1) {
    return Fail(ErrorCode::kInvalidArgument,
                "an alias points at a version number from 1 (got " + std::to_string(version) + ")");
  }
  return store_.SetModelAlias(name, alias, version, clock_.NowMillis());
}

Status RegistryService::DeleteAlias(const std::string& name, const std::string& alias) {
  AIMASS_RETURN_IF_ERROR(CheckModelName(name));
  AIMASS_RETURN_IF_ERROR(CheckAlias(alias));
  AIMASS_RETURN_IF_ERROR(CheckNoEndpointFollows(name, alias));
  return store_.DeleteModelAlias(name, alias, clock_.NowMillis());
}

Result<store::ModelVersionRecord> RegistryService::Register(store::NewModelVersion version,
                                                            const std::vector<MemberFile>& files) {
  return StoreAndCommit(std::move(version), files, [this](const store::NewModelVersion& v) {
    return store_.AddModelVersion(v, clock_.NowMillis());
  });
}

Result<store::ModelVersionRecord> RegistryService::Commit(
    store::NewModelVersion version, const std::vector<MemberFile>& files,
    const store::JobLease& lease,
    const std::function<std::string(const store::ModelVersionRecord&)>& make_result) {
  return StoreAndCommit(std::move(version), files, [&](const store::NewModelVersion& v) {
    return store_.CommitModelVersion(v, lease, clock_.NowMillis(), make_result);
  });
}

Result<store::ModelVersionRecord> RegistryService::StoreAndCommit(
    store::NewModelVersion version, const std::vector<MemberFile>& files, const CommitFn& commit) {
  if (auto checked = CheckNewVersion(version, files); !checked) {
    RemoveMemberFiles(files);
    return Fail(checked.error());
  }
  std::lock_guard lock(blobs_mu_);
  std::vector<std::string> stored;
  auto undo = [&](Error error) -> Result<store::ModelVersionRecord> {
    RemoveMemberFiles(files);
    RemoveUnreferenced(stored);
    return Fail(std::move(error));
  };
  version.members.clear();
  for (const auto& file : files) {
    std::error_code ec;
    const uint64_t size = fs::file_size(file.file, ec);
    if (ec) {
      return undo({ErrorCode::kInternal,
                   "cannot read member '" + file.name + "' at " + file.file.string()});
    }
    auto hash = blobs_.PutFile(file.file);
    if (!hash) return undo(hash.error());
    stored.push_back(*hash);
    version.members.push_back({file.name, *hash, static_cast<int64_t>(size)});
  }
  auto committed = commit(version);
  if (!committed) return undo(committed.error());
  return committed;
}

void RegistryService::RemoveUnreferenced(const std::vector<std::string>& hashes) {
  if (hashes.empty()) return;
  // Blobs already stored before may be another version's: only the unreferenced go.
  auto referenced = store_.ReferencedBlobs();
  if (!referenced) return;  // unsure: keep them; collecting garbage at start removes them
  std::set<std::string> keep(referenced->begin(), referenced->end());
  for (const auto& hash : std::set<std::string>(hashes.begin(), hashes.end())) {
    if (!keep.contains(hash)) (void)blobs_.Delete(hash);
  }
}

Status RegistryService::RemoveBlobs(const std::vector<std::string>& orphans) {
  for (const auto& hash : orphans) AIMASS_RETURN_IF_ERROR(blobs_.Delete(hash));
  return Ok();
}

Result<MemberDownload> RegistryService::OpenMember(const ModelRef& ref, const std::string& member) {
  AIMASS_ASSIGN_OR_RETURN(auto version, Version(ref));
  for (const auto& m : version.members) {
    if (m.name != member) continue;
    AIMASS_ASSIGN_OR_RETURN(blob::BlobFile file, blobs_.Open(m.blob_hash));
    return MemberDownload{version, m, std::move(file)};
  }
  std::string names;
  for (const auto& m : version.members) names += (names.empty() ? "" : ", ") + m.name;
  return Fail(ErrorCode::kNotFound, version.model_name + "@" + std::to_string(version.version) +
                                        " has no member '" + member + "'; its members: " + names);
}

Result<BundleDownload> RegistryService::Export(const ModelRef& ref) {
  AIMASS_ASSIGN_OR_RETURN(auto version, Version(ref));
  std::vector<blob::BlobFile> opened;
  std::vector<fs::path> files;
  for (const auto& member : version.members) {
    AIMASS_ASSIGN_OR_RETURN(blob::BlobFile file, blobs_.Open(member.blob_hash));
    files.push_back(file.path());
    opened.push_back(std::move(file));
  }
  BundlePlan plan = PlanBundle(version, files);
  std::string filename = version.model_name + "-" + std::to_string(version.version) + ".aimass";
  return BundleDownload{std::move(version), std::move(plan), std::move(filename),
                        std::make_shared<std::vector<blob::BlobFile>>(std::move(opened))};
}

Result<store::ModelVersionRecord> RegistryService::Import(const fs::path& bundle,
                                                          const ImportOptions& options) {
  if (!options.name.empty()) {
    AIMASS_RETURN_IF_ERROR(CheckModelName(options.name));
  }
  AIMASS_ASSIGN_OR_RETURN(UnpackedBundle unpacked, UnpackBundle(bundle, options_.bundle, [this] {
                            return blobs_.NewScratchPath(".member");
                          }));
  store::NewModelVersion version = unpacked.manifest.metadata;
  version.model_name = options.name.empty() ? unpacked.manifest.model : options.name;
  json source = {
      {"kind", "bundle"},
      {"from", unpacked.manifest.model + "@" + std::to_string(unpacked.manifest.version)},
      {"exported_version_created_at", unpacked.manifest.created_at}};
  if (!options.filename.empty()) source["filename"] = options.filename;
  version.source_json = source.dump();
  return Register(std::move(version), unpacked.files);
}

Status RegistryService::DeleteVersion(const ModelRef& ref) {
  AIMASS_ASSIGN_OR_RETURN(auto version, Version(ref));
  AIMASS_RETURN_IF_ERROR(CheckNotDeployed(version));
  std::lock_guard lock(blobs_mu_);
  AIMASS_ASSIGN_OR_RETURN(
      auto orphans,
      store_.DeleteModelVersion(version.model_name, version.version, clock_.NowMillis()));
  return RemoveBlobs(orphans);
}

Status RegistryService::DeleteModel(const std::string& name) {
  AIMASS_ASSIGN_OR_RETURN(auto versions, Versions(name));
  AIMASS_RETURN_IF_ERROR(CheckNoEndpointFollows(name, ""));
  for (const auto& version : versions) AIMASS_RETURN_IF_ERROR(CheckNotDeployed(version));
  std::lock_guard lock(blobs_mu_);
  AIMASS_ASSIGN_OR_RETURN(auto orphans, store_.DeleteModel(name));
  return RemoveBlobs(orphans);
}

}  // namespace aimass::registry
