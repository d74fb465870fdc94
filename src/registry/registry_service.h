// RegistryService: the model registry's use cases — register versions (from training jobs,
// bundle imports), read and search models, move aliases, tag, describe, export and import
// bundles, open members for serving, delete — over the metadata store and the blob store.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "blob/blob_store.h"
#include "common/clock.h"
#include "registry/bundle.h"
#include "registry/member_file.h"
#include "registry/model_ref.h"
#include "store/metadata_store.h"

namespace aimass::registry {

struct RegistryOptions {
  BundleLimits bundle;  // what an imported bundle may hold
};

// One member's bytes, ready to be read at file.path() while `file` lives (the blob was
// verified against its hash; an encrypted one was decrypted into a scratch copy).
struct MemberDownload {
  store::ModelVersionRecord version;
  store::ModelMemberRecord member;
  blob::BlobFile file;
};

// A version's bundle, ready to be written with WriteBundle(plan, sink).
struct BundleDownload {
  store::ModelVersionRecord version;
  BundlePlan plan;
  std::string filename;  // "credit_risk-3.aimass"
  // The members' files that `plan` names: keep this alive until the bundle is written.
  std::shared_ptr<std::vector<blob::BlobFile>> files;
};

struct ImportOptions {
  std::string name;      // register under this model instead of the manifest's
  std::string filename;  // the user's name for the bundle file, for the version's source
};

// Thread-safe. Registration and deletion are serialized with each other, so that a blob
// that a deletion finds orphaned cannot be re-used by a registration in between.
class RegistryService {
 public:
  RegistryService(store::MetadataStore& store, blob::BlobStore& blobs, const Clock& clock,
                  RegistryOptions options = {});

  // kConflict when a model with this name exists.
  Result<store::ModelRecord> CreateModel(const store::NewModel& model);
  Result<std::vector<store::ModelRecord>> Search(const store::ModelFilter& filter);
  Result<store::ModelRecord> Get(const std::string& name);
  Result<std::vector<store::ModelVersionRecord>> Versions(const std::string& name);
  Result<store::ModelVersionRecord> Version(const ModelRef& ref);
  Result<store::ModelRecord> Describe(const std::string& name, const std::string& description);
  Result<store::ModelRecord> SetTag(const std::string& name, const std::string& key,
                                    const std::string& value);
  Result<store::ModelRecord> DeleteTag(const std::string& name, const std::string& key);
  // Points `alias` at name@version (moving it atomically); returns that version.
  Result<store::ModelVersionRecord> SetAlias(const std::string& name, const std::string& alias,
                                             int64_t version);
  // Refused while an endpoint follows the alias.
  Status DeleteAlias(const std::string& name, const std::string& alias);

  // Adds a version that no job makes. The member files go into the blob store before the
  // metadata is committed, and are removed again (with any blob no one else uses) when
  // anything fails: nothing is ever half-registered. `files` are consumed either way;
  // `version.members` is filled from them.
  Result<store::ModelVersionRecord> Register(store::NewModelVersion version,
                                             const std::vector<MemberFile>& files);
  // The same for a training job: the commit checks the job's lease and finishes the job
  // (with the result `make_result` writes) in the same transaction.
  Result<store::ModelVersionRecord> Commit(
      store::NewModelVersion version, const std::vector<MemberFile>& files,
      const store::JobLease& lease,
      const std::function<std::string(const store::ModelVersionRecord&)>& make_result);

  // One member of a version, for serving or downloading.
  Result<MemberDownload> OpenMember(const ModelRef& ref, const std::string& member);
  Result<BundleDownload> Export(const ModelRef& ref);
  // Verifies the whole bundle (see UnpackBundle) before registering it as a new version of
  // its model (or of options.name); a refused bundle changes nothing.
  Result<store::ModelVersionRecord> Import(const std::filesystem::path& bundle,
                                           const ImportOptions& options);

  // kConflict naming the endpoint when an endpoint serves `version` now (as its model, its
  // canary or its shadow, by number, alias or as the newest).
  Status CheckNotDeployed(const store::ModelVersionRecord& version);
  // kConflict naming the endpoint when one refers to model `name` through `alias` (any
  // reference to the model when `alias` is empty).
  Status CheckNoEndpointFollows(const std::string& name, const std::string& alias);
  // Deletes one version (refused while an alias points at it or an endpoint serves it), or
  // a whole model (refused while an endpoint refers to it).
  Status DeleteVersion(const ModelRef& ref);
  Status DeleteModel(const std::string& name);

 private:
  using CommitFn =
      std::function<Result<store::ModelVersionRecord>(const store::NewModelVersion& version)>;
  Result<store::ModelVersionRecord> StoreAndCommit(store::NewModelVersion version,
                                                   const std::vector<MemberFile>& files,
                                                   const CommitFn& commit);
  // Deletes those of `hashes` that no metadata refers to.
  void RemoveUnreferenced(const std::vector<std::string>& hashes);
  Status RemoveBlobs(const std::vector<std::string>& orphans);

  store::MetadataStore& store_;
  blob::BlobStore& blobs_;
  const Clock& clock_;
  const RegistryOptions options_;
  std::mutex blobs_mu_;  // registration vs deletion, see the class comment
};

}  // namespace aimass::registry
