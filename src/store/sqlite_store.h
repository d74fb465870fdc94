// The embedded MetadataStore: one SQLite database file in WAL mode.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>

#include "store/metadata_store.h"
#include "store/sqlite_db.h"

namespace aimass::store {

// Thread-safe: one connection, used under one mutex (SQLite serializes writers
// anyway, and every call here is short).
class SqliteStore final : public MetadataStore {
 public:
  // Opens (creating if needed) and migrates the database at `file`.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::filesystem::path &file);

  Result<UserRecord> CreateUser(const std::string &name, bool is_admin) override;
  Result<std::optional<UserRecord>> FindUser(const std::string &name) override;
  Result<std::vector<UserRecord>> ListUsers() override;
  Result<std::optional<Credentials>> UserCredentials(const std::string &name) override;
  Status SetPasswordHash(const std::string &name, const std::string &hash, int64_t now) override;
  Status RecordLogin(int64_t user_id, bool succeeded, int max_failures,
                     int64_t lock_until) override;
  Result<int64_t> AddToken(const TokenRecord &token, const std::string &token_hash,
                           int64_t now) override;
  Status RevokeTokens(int64_t user_id, const std::string &label) override;
  Status RevokeToken(int64_t token_id, int64_t user_id) override;
  Result<std::vector<TokenRecord>> ListTokens(int64_t user_id) override;
  Result<std::optional<TokenGrant>> GrantForToken(const std::string &token_hash,
                                                  int64_t now) override;

  Result<JobRecord> EnqueueJob(const std::string &kind, const std::string &params_json, int64_t now,
                               int64_t hold_version_id = 0) override;
  Result<std::optional<JobRecord>> ClaimJob(const std::string &owner,
                                            const std::vector<std::string> &kinds,
                                            int64_t lease_until, int64_t now) override;
  Result<bool> RenewLease(const JobLease &lease, int64_t lease_until, int progress,
                          const std::string &message) override;
  Status AppendJobLog(int64_t job_id, int64_t now, const std::string &line) override;
  Status FinishJob(const JobLease &lease, JobState state, const std::string &result_json,
                   const std::string &error, int64_t now) override;
  Status ReleaseJob(const JobLease &lease) override;
  Result<int> RequeueExpiredJobs(int64_t now, int max_attempts) override;
  Result<JobRecord> RequestCancel(int64_t job_id, int64_t now) override;
  Result<JobRecord> GetJob(int64_t job_id) override;
  Result<std::vector<JobRecord>> ListJobs(const JobFilter &filter) override;
  Result<std::vector<std::string>> JobLog(int64_t job_id) override;

  Result<DatasetVersionRecord> CommitDatasetVersion(
      const NewDatasetVersion &version, const JobLease &lease, int64_t now,
      const std::function<std::string(const DatasetVersionRecord &)> &make_result) override;
  Result<std::vector<DatasetRecord>> ListDatasets() override;
  Result<DatasetRecord> GetDataset(const std::string &name) override;
  Result<std::vector<DatasetVersionRecord>> ListVersions(int64_t dataset_id) override;
  Result<DatasetVersionRecord> GetVersion(const std::string &name, int64_t version) override;
  Result<std::vector<std::string>> DeleteVersions(const std::string &name, int64_t version,
                                                  bool whole_dataset) override;
  Result<std::vector<std::string>> ReferencedBlobs() override;

  Result<CreatedModel> CreateModel(const NewModel &model, int64_t now) override;
  Result<ModelVersionRecord> CommitModelVersion(
      const NewModelVersion &version, const JobLease &lease, int64_t now,
      const std::function<std::string(const ModelVersionRecord &)> &make_result) override;
  Result<ModelVersionRecord> AddModelVersion(const NewModelVersion &version, int64_t now) override;
  Result<ModelRecord> GetModel(const std::string &name) override;
  Result<std::vector<ModelRecord>> SearchModels(const ModelFilter &filter) override;
  Result<std::vector<ModelVersionRecord>> ListModelVersions(const std::string &name) override;
  Result<ModelVersionRecord> GetModelVersion(const std::string &name, int64_t version) override;
  Result<ModelVersionRecord> GetModelVersionByAlias(const std::string &name,
                                                    const std::string &alias) override;
  Result<ModelVersionRecord> SetModelAlias(const std::string &name, const std::string &alias,
                                           int64_t version, int64_t now) override;
  Status DeleteModelAlias(const std::string &name, const std::string &alias, int64_t now) override;
  Result<ModelRecord> SetModelTag(const std::string &name, const std::string &key,
                                  const std::string &value, int64_t now) override;
  Result<ModelRecord> DeleteModelTag(const std::string &name, const std::string &key,
                                     int64_t now) override;
  Result<ModelRecord> SetModelDescription(const std::string &name, const std::string &description,
                                          int64_t now) override;
  Result<std::vector<std::string>> DeleteModelVersion(const std::string &name, int64_t version,
                                                      int64_t now) override;
  Result<std::vector<std::string>> DeleteModel(const std::string &name) override;

  Result<EndpointRecord> CreateEndpoint(const EndpointRecord &endpoint, int64_t now) override;
  Result<EndpointRecord> UpdateEndpoint(const EndpointRecord &endpoint, int64_t now) override;
  Result<EndpointRecord> GetEndpoint(const std::string &name) override;
  Result<std::vector<EndpointRecord>> ListEndpoints() override;
  Status DeleteEndpoint(const std::string &name) override;

  Result<ProjectRecord> CreateProject(const std::string &name, const std::string &description,
                                      int64_t now) override;
  Result<ProjectRecord> GetProject(const std::string &name) override;
  Result<std::vector<ProjectRecord>> ListProjects(int64_t user_id) override;
  Status DeleteProject(const std::string &name) override;
  Status SetProjectRole(const std::string &project, const std::string &user, ProjectRole role,
                        int64_t now) override;
  Result<std::vector<ProjectMemberRecord>> ListProjectMembers(const std::string &project) override;
  Result<std::optional<ProjectAccess>> AccessTo(ProjectResource kind, const std::string &name,
                                                int64_t user_id) override;
  Result<std::map<int64_t, ProjectRole>> ProjectRoles(int64_t user_id) override;

  Status RecordChange(const LedgerChange &change, int64_t now) override;
  Result<int64_t> LedgerSize() override;
  Result<std::vector<LedgerEntryRecord>> LedgerEntries(int64_t from, int64_t limit) override;
  Result<std::vector<LedgerEntryRecord>> LedgerEntriesAbout(
      const std::vector<std::string> &subjects) override;
  Status AddTreeHead(const TreeHeadRecord &head) override;
  Result<std::vector<TreeHeadRecord>> TreeHeads() override;

  Result<std::vector<ImportHostRecord>> ListImportHosts() override;
  Result<std::pair<ImportHostRecord, bool>> AddImportHost(const std::string &host,
                                                          int64_t now) override;
  Status RemoveImportHost(const std::string &host, int64_t now) override;

  Result<SourceRecord> CreateSource(const SourceRecord &source, int64_t now) override;
  Result<SourceRecord> GetSource(const std::string &name) override;
  Result<std::vector<SourceRecord>> ListSources(
      const std::optional<std::vector<int64_t>> &projects) override;
  Result<SourceRecord> UpdateSource(const std::string &name, const std::string &config_json,
                                    bool enabled, int64_t now) override;
  Status DeleteSource(const std::string &name, int64_t now) override;
  Status SetSourceState(int64_t source_id, const SourceRunState &state) override;
  Result<std::optional<std::string>> NewestSourceVersion(const std::string &dataset,
                                                         int64_t source_id) override;

  Result<std::string> IntegrityCheck() override;

  Result<std::pair<PipelineVersionRecord, bool>> ApplyPipeline(const std::string &name,
                                                               const std::string &yaml,
                                                               const std::string &spec_json,
                                                               const std::string &spec_hash,
                                                               int64_t now) override;
  Result<PipelineRecord> GetPipeline(const std::string &name) override;
  Result<std::vector<PipelineRecord>> ListPipelines(
      const std::optional<std::vector<int64_t>> &projects) override;
  Result<PipelineVersionRecord> GetPipelineVersion(int64_t pipeline_id, int64_t version) override;
  Result<PipelineVersionRecord> GetPipelineVersionById(int64_t version_id) override;
  Status DeletePipeline(const std::string &name, int64_t now) override;
  Status SetPipelineWebhookHash(const std::string &name, const std::string &hash,
                                int64_t now) override;
  Result<std::string> PipelineWebhookHash(const std::string &name) override;
  Result<PipelineRunRecord> CreatePipelineRun(const NewPipelineRun &run, int64_t now) override;
  Result<PipelineRunRecord> GetPipelineRun(int64_t run_id) override;
  Result<std::vector<PipelineRunRecord>> ListPipelineRuns(const PipelineRunFilter &filter) override;
  Status SetPipelineRunState(int64_t run_id, RunState state, const std::string &error,
                             int64_t now) override;
  Status UpdatePipelineStep(const PipelineStepRecord &step) override;
  Result<std::optional<PipelineStepRecord>> FindCachedStep(int64_t pipeline_id,
                                                           const std::string &type,
                                                           const std::string &key) override;
  Result<std::string> TriggerMark(int64_t pipeline_id, const std::string &key) override;
  Status SetTriggerMark(int64_t pipeline_id, const std::string &key,
                        const std::string &mark) override;

 private:
  explicit SqliteStore(std::unique_ptr<Database> db) : db_(std::move(db)) {}
  // Unlocked helpers: callers hold mu_.
  Result<JobRecord> GetJobLocked(int64_t job_id);
  Status CheckLeaseLocked(const JobLease &lease);
  // The lease, and no cancel asked for: a job's result is stored only by a job still wanted.
  Status CheckCommitLocked(const JobLease &lease);
  Status FinishJobLocked(const JobLease &lease, JobState state, const std::string &result_json,
                         const std::string &error, int64_t now);
  // True while a dataset version or a model member refers to the blob.
  Result<bool> BlobReferencedLocked(const std::string &hash);
  // Of `hashes`, those no metadata refers to any more, sorted and without repeats.
  Result<std::vector<std::string>> OrphansLocked(const std::vector<std::string> &hashes);
  // Creates the model if needed and adds the next version with its members.
  Result<ModelVersionRecord> AddModelVersionLocked(const NewModelVersion &version, int64_t job_id,
                                                   int64_t now);
  Result<EndpointRecord> GetEndpointLocked(const std::string &name);
  Result<SourceRecord> GetSourceLocked(const std::string &name);
  // Appends the ledger entry of `change`, made by ActorScope::Current(), inside the
  // transaction the caller holds.
  Status AppendLedgerLocked(const LedgerChange &change, int64_t now);
  Result<std::string> UserNameLocked(int64_t user_id);
  // kPermissionDenied when `table` ("datasets", "models", "endpoints") has a row called
  // `name` that belongs to another project than ProjectScope::Current() (the current thread's
  // work would otherwise change another project's things); Ok when none has that name.
  Status CheckSameProjectLocked(std::string_view table, const std::string &name);

  std::mutex mu_;
  std::unique_ptr<Database> db_;
};

}  // namespace aimass::store
