// MetadataStore: every durable fact of the platform except blob bytes — users
// and tokens, jobs, datasets and their versions, models and theirs. The SQLite
// implementation is the embedded default; PostgreSQL will implement the same
// interface.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "store/pipeline_store.h"
#include "store/records.h"

namespace aimass::store {

struct JobFilter {
  std::optional<JobState> state;
  std::string kind;
  // Only jobs of these projects (by id); every project's when nullopt.
  std::optional<std::vector<int64_t>> projects;
  int64_t limit = 50;
  int64_t offset = 0;
};

// What a finished import or transform adds: the version number is assigned by
// the store.
struct NewDatasetVersion {
  std::string dataset_name;
  std::string blob_hash;
  int64_t row_count = 0;
  int64_t column_count = 0;
  int64_t size_bytes = 0;
  std::string schema_json;
  std::string stats_json;
  std::string source_json;
  std::string lineage_json;
};

struct NewModel {
  std::string name;
  std::string description;
  std::map<std::string, std::string> tags;
};

// A model and whether CreateModel made it (false: it existed and was left as it was).
struct CreatedModel {
  ModelRecord model;
  bool created = false;
};

// What training or an import adds: the version number is assigned by the store. Member
// blobs must already be in the blob store.
struct NewModelVersion {
  std::string model_name;
  std::string task;
  std::string description;
  std::string metrics_json = "{}";
  std::string leaderboard_json = "[]";
  std::string params_json = "{}";
  std::string lineage_json = "{}";
  std::string source_json = "{}";
  std::vector<ModelMemberRecord> members;
};

enum class Comparison { kLess, kLessOrEqual, kEqual, kGreaterOrEqual, kGreater };

// `metric OP value` on a version's metrics, e.g. roc_auc >= 0.9. A version without the
// metric (or with a value that is not a number) does not match.
struct MetricThreshold {
  std::string metric;
  Comparison op = Comparison::kGreaterOrEqual;
  double value = 0;
};

// Which models SearchModels returns: those matching every condition set.
struct ModelFilter {
  std::string name;       // exactly this name
  std::string name_like;  // a SQL LIKE pattern (case-insensitive; '\' escapes % and _)
  std::map<std::string, std::string> tags;  // each key with exactly this value
  std::optional<MetricThreshold> metric;    // on the newest version
  std::optional<std::vector<int64_t>> projects;  // only these projects' (by id) when set
  int64_t limit = 100;
  int64_t offset = 0;
};

// A change for the ledger to record: what was done to what, with the content hashes and
// settings that describe it. The store adds when, who (common/actor.h) and the index.
struct LedgerChange {
  std::string action;   // "model.alias.set"
  std::string subject;  // "model:fraud"
  nlohmann::json details = nlohmann::json::object();
};

// A host that URL imports may fetch from, who allowed it (ActorScope) and when.
struct ImportHostRecord {
  std::string host;
  std::string added_by;
  int64_t added_at = 0;
};

// Implementations are thread-safe; every method that changes several rows does
// it in one transaction. Every method that changes state also appends a ledger entry
// describing the change in that same transaction: the change and its entry are both there
// or both absent.
class MetadataStore : public PipelineStore {
 public:
  virtual ~MetadataStore() = default;

  // Users and API tokens. Tokens are stored only as hashes.
  virtual Result<UserRecord> CreateUser(const std::string &name, bool is_admin) = 0;
  virtual Result<std::optional<UserRecord>> FindUser(const std::string &name) = 0;
  virtual Result<std::vector<UserRecord>> ListUsers() = 0;
  virtual Result<std::optional<Credentials>> UserCredentials(const std::string &name) = 0;
  // Sets (or, with "", removes) a user's password hash and clears its lock-out.
  virtual Status SetPasswordHash(const std::string &name, const std::string &hash,
                                 int64_t now) = 0;
  // After a login attempt: a success resets the failure count; a failure counts, and the
  // max_failures-th in a row locks the user until `lock_until`.
  virtual Status RecordLogin(int64_t user_id, bool succeeded, int max_failures,
                             int64_t lock_until) = 0;
  // Stores a new token of `token.user_id` (label, scopes, endpoint, expires_at are read);
  // returns its id.
  virtual Result<int64_t> AddToken(const TokenRecord &token, const std::string &token_hash,
                                   int64_t now) = 0;
  // Revokes the user's tokens with this label (all of them when label is
  // empty).
  virtual Status RevokeTokens(int64_t user_id, const std::string &label) = 0;
  // Revokes one token; with user_id != 0 only if it is that user's (kNotFound otherwise,
  // so a user cannot learn which ids others' tokens have).
  virtual Status RevokeToken(int64_t token_id, int64_t user_id) = 0;
  // A user's tokens (every user's when user_id is 0), newest first, revoked ones included.
  virtual Result<std::vector<TokenRecord>> ListTokens(int64_t user_id) = 0;
  // The grant of a token hash that is neither revoked nor expired at `now`; records its
  // last use.
  virtual Result<std::optional<TokenGrant>> GrantForToken(const std::string &token_hash,
                                                          int64_t now) = 0;

  // Jobs: a durable queue with leases and fencing tokens.
  // With `hold_version_id`, the job holds that dataset version (see
  // HoldVersion) from the same transaction on.
  virtual Result<JobRecord> EnqueueJob(const std::string &kind, const std::string &params_json,
                                       int64_t now, int64_t hold_version_id = 0) = 0;
  // Takes the oldest queued job of one of `kinds` (any kind when empty), or
  // nullopt.
  virtual Result<std::optional<JobRecord>> ClaimJob(const std::string &owner,
                                                    const std::vector<std::string> &kinds,
                                                    int64_t lease_until, int64_t now) = 0;
  // Extends the lease and records progress; answers whether a cancel was
  // requested. kConflict when the lease was lost (the job was re-queued and
  // claimed again).
  virtual Result<bool> RenewLease(const JobLease &lease, int64_t lease_until, int progress,
                                  const std::string &message) = 0;
  virtual Status AppendJobLog(int64_t job_id, int64_t now, const std::string &line) = 0;
  // Ends a job (succeeded, failed or cancelled); kConflict when the lease was
  // lost.
  virtual Status FinishJob(const JobLease &lease, JobState state, const std::string &result_json,
                           const std::string &error, int64_t now) = 0;
  // Gives a running job back to the queue (graceful shutdown); the attempt does
  // not count.
  virtual Status ReleaseJob(const JobLease &lease) = 0;
  // Re-queues running jobs whose lease expired; fails those past max_attempts
  // with a reason.
  virtual Result<int> RequeueExpiredJobs(int64_t now, int max_attempts) = 0;
  virtual Result<JobRecord> RequestCancel(int64_t job_id, int64_t now) = 0;
  virtual Result<JobRecord> GetJob(int64_t job_id) = 0;
  virtual Result<std::vector<JobRecord>> ListJobs(const JobFilter &filter) = 0;
  virtual Result<std::vector<std::string>> JobLog(int64_t job_id) = 0;

  // Datasets and their immutable versions.
  // In one transaction: checks the lease, creates the dataset if needed, adds
  // the next version, and marks the job succeeded with the result that
  // `make_result` writes.
  virtual Result<DatasetVersionRecord> CommitDatasetVersion(
      const NewDatasetVersion &version, const JobLease &lease, int64_t now,
      const std::function<std::string(const DatasetVersionRecord &)> &make_result) = 0;
  virtual Result<std::vector<DatasetRecord>> ListDatasets() = 0;
  virtual Result<DatasetRecord> GetDataset(const std::string &name) = 0;
  virtual Result<std::vector<DatasetVersionRecord>> ListVersions(int64_t dataset_id) = 0;
  // version 0 means the newest.
  virtual Result<DatasetVersionRecord> GetVersion(const std::string &name, int64_t version) = 0;
  // A version held by a job that has not finished cannot be deleted.
  // Deletes one version (or, with version 0 and whole_dataset, the dataset);
  // kConflict naming the holder when in use. Returns the blob hashes no version
  // refers to any more.
  virtual Result<std::vector<std::string>> DeleteVersions(const std::string &name, int64_t version,
                                                          bool whole_dataset) = 0;
  // Every blob hash that metadata refers to, dataset versions' and model members' (for
  // collecting orphans at start).
  virtual Result<std::vector<std::string>> ReferencedBlobs() = 0;

  // Models, their immutable versions (numbered 1, 2, ... per model, never reused), aliases
  // and tags.
  // Creates the model unless one has this name (that one is then left unchanged).
  virtual Result<CreatedModel> CreateModel(const NewModel &model, int64_t now) = 0;
  // In one transaction: checks the lease, creates the model if needed, adds the next version
  // with its members, and marks the job succeeded with the result that `make_result` writes.
  virtual Result<ModelVersionRecord> CommitModelVersion(
      const NewModelVersion &version, const JobLease &lease, int64_t now,
      const std::function<std::string(const ModelVersionRecord &)> &make_result) = 0;
  // The same for a version no job makes (bundle imports): model if needed, next version.
  virtual Result<ModelVersionRecord> AddModelVersion(const NewModelVersion &version,
                                                     int64_t now) = 0;
  virtual Result<ModelRecord> GetModel(const std::string &name) = 0;
  // The models matching `filter`, by name.
  virtual Result<std::vector<ModelRecord>> SearchModels(const ModelFilter &filter) = 0;
  // Oldest first.
  virtual Result<std::vector<ModelVersionRecord>> ListModelVersions(const std::string &name) = 0;
  // version 0 means the newest.
  virtual Result<ModelVersionRecord> GetModelVersion(const std::string &name, int64_t version) = 0;
  virtual Result<ModelVersionRecord> GetModelVersionByAlias(const std::string &name,
                                                            const std::string &alias) = 0;
  // Points `alias` at `version`, moving it if it pointed elsewhere (one statement: readers
  // see the old version or the new one). kNotFound for a version that does not exist.
  // Returns the version it now points at.
  virtual Result<ModelVersionRecord> SetModelAlias(const std::string &name,
                                                   const std::string &alias, int64_t version,
                                                   int64_t now) = 0;
  virtual Status DeleteModelAlias(const std::string &name, const std::string &alias,
                                  int64_t now) = 0;
  virtual Result<ModelRecord> SetModelTag(const std::string &name, const std::string &key,
                                          const std::string &value, int64_t now) = 0;
  virtual Result<ModelRecord> DeleteModelTag(const std::string &name, const std::string &key,
                                             int64_t now) = 0;
  virtual Result<ModelRecord> SetModelDescription(const std::string &name,
                                                  const std::string &description, int64_t now) = 0;
  // Deletes one version; kConflict naming the alias while one points at it. Returns the
  // blob hashes that no dataset version and no model member refers to any more.
  virtual Result<std::vector<std::string>> DeleteModelVersion(const std::string &name,
                                                              int64_t version, int64_t now) = 0;
  // Deletes the model with its versions, aliases and tags; returns orphan blobs likewise.
  virtual Result<std::vector<std::string>> DeleteModel(const std::string &name) = 0;

  // Serving endpoints. Create: kConflict when the name is taken. Update replaces the model
  // references of an existing endpoint (kNotFound when there is none). Listed by name.
  virtual Result<EndpointRecord> CreateEndpoint(const EndpointRecord &endpoint, int64_t now) = 0;
  virtual Result<EndpointRecord> UpdateEndpoint(const EndpointRecord &endpoint, int64_t now) = 0;
  virtual Result<EndpointRecord> GetEndpoint(const std::string &name) = 0;
  virtual Result<std::vector<EndpointRecord>> ListEndpoints() = 0;
  virtual Status DeleteEndpoint(const std::string &name) = 0;

  // Projects and their members. Names are those of CheckProjectName (security/); the
  // project "default" (kDefaultProjectId) always exists and cannot be deleted.
  virtual Result<ProjectRecord> CreateProject(const std::string &name,
                                              const std::string &description, int64_t now) = 0;
  virtual Result<ProjectRecord> GetProject(const std::string &name) = 0;
  // Every project (user_id 0), or those the user is a member of; by name.
  virtual Result<std::vector<ProjectRecord>> ListProjects(int64_t user_id) = 0;
  // Deletes an empty project and its memberships; kConflict naming what it still holds.
  virtual Status DeleteProject(const std::string &name) = 0;
  // Gives the user this role in the project (adding or changing the membership); with
  // ProjectRole::kNone removes the membership (kNotFound when there was none).
  virtual Status SetProjectRole(const std::string &project, const std::string &user,
                                ProjectRole role, int64_t now) = 0;
  virtual Result<std::vector<ProjectMemberRecord>> ListProjectMembers(
      const std::string &project) = 0;
  // The project that the named thing belongs to and the user's role there; nullopt when no
  // such thing exists. For kJob the name is the job's id; for kProject, the project's name.
  virtual Result<std::optional<ProjectAccess>> AccessTo(ProjectResource kind,
                                                        const std::string &name,
                                                        int64_t user_id) = 0;
  // The user's role in each project it is a member of, by project id.
  virtual Result<std::map<int64_t, ProjectRole>> ProjectRoles(int64_t user_id) = 0;

  // The tamper-evident ledger. Records a change whose state lives outside the store (a key
  // rotation): the entry alone, in its own transaction.
  virtual Status RecordChange(const LedgerChange &change, int64_t now) = 0;
  // The number of entries (the next entry's index).
  virtual Result<int64_t> LedgerSize() = 0;
  // Entries with index >= from, oldest first, at most `limit`.
  virtual Result<std::vector<LedgerEntryRecord>> LedgerEntries(int64_t from, int64_t limit) = 0;
  // The entries about any of `subjects` (exact), oldest first.
  virtual Result<std::vector<LedgerEntryRecord>> LedgerEntriesAbout(
      const std::vector<std::string> &subjects) = 0;
  // Keeps a signed tree head; a head of the same size is kept only once (the first).
  virtual Status AddTreeHead(const TreeHeadRecord &head) = 0;
  // All heads kept, smallest first.
  virtual Result<std::vector<TreeHeadRecord>> TreeHeads() = 0;

  // URL imports: the hosts an admin allows them to fetch from (data/url_fetch.h says how an
  // entry matches). Entries arrive normalised (data::NormalizeImportHost); listed by host.
  // Add answers the entry as stored, and whether it is new (an existing one is left as it
  // was, without a ledger entry); Remove is kNotFound for a host that is not listed.
  virtual Result<std::vector<ImportHostRecord>> ListImportHosts() = 0;
  virtual Result<std::pair<ImportHostRecord, bool>> AddImportHost(const std::string &host,
                                                                  int64_t now) = 0;
  virtual Status RemoveImportHost(const std::string &host, int64_t now) = 0;

  // DataLake sources (data/sources/README.md). Create files the source in
  // ProjectScope::Current(): kConflict when the name is taken, kPermissionDenied when its
  // dataset exists in another project. Update replaces config and enabled. Listed by name,
  // only `projects`' (by id) when set. Each of these three is in the ledger.
  virtual Result<SourceRecord> CreateSource(const SourceRecord &source, int64_t now) = 0;
  virtual Result<SourceRecord> GetSource(const std::string &name) = 0;
  virtual Result<std::vector<SourceRecord>> ListSources(
      const std::optional<std::vector<int64_t>> &projects) = 0;
  virtual Result<SourceRecord> UpdateSource(const std::string &name,
                                            const std::string &config_json, bool enabled,
                                            int64_t now) = 0;
  virtual Status DeleteSource(const std::string &name, int64_t now) = 0;
  // A source's run state, written by its runs (no ledger entry: not a governance change).
  // rows_taken, batches and last_rows are not written here: CommitDatasetVersion counts a
  // version whose source_json names the source (its "source_id") in its own transaction.
  virtual Status SetSourceState(int64_t source_id, const SourceRunState &state) = 0;
  // The source_json of the newest version of `dataset` that the source `source_id` made
  // (its "source_id" field), where its cursor is; nullopt before its first batch.
  virtual Result<std::optional<std::string>> NewestSourceVersion(const std::string &dataset,
                                                                 int64_t source_id) = 0;

  // "ok" when the database passes its own integrity check, else what it found.
  virtual Result<std::string> IntegrityCheck() = 0;
};

}  // namespace aimass::store
