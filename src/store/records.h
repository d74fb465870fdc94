// The rows the metadata store keeps, as plain values. JSON columns stay text
// here; the services that own their meaning parse them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aimass::store {

struct UserRecord {
  int64_t id = 0;
  std::string name;
  bool is_admin = false;
  int64_t created_at = 0;
};

// An API token as stored (its secret only as a hash, which never leaves the store).
struct TokenRecord {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string user_name;
  std::string label;
  std::string scopes;    // "read,write", "predict", "admin": security/scopes.h
  std::string endpoint;  // a predict token limited to this endpoint; "" for any
  int64_t created_at = 0;
  std::optional<int64_t> expires_at;
  std::optional<int64_t> last_used_at;
  bool revoked = false;
};

// What a password login checks.
struct Credentials {
  UserRecord user;
  std::string password_hash;  // argon2id, security/passwords.h; "" when none is set
  int failed_logins = 0;      // since the last success
  int64_t locked_until = 0;   // Unix ms; no login before then
};

// A valid token and the user it speaks for.
struct TokenGrant {
  UserRecord user;
  TokenRecord token;
};

enum class JobState { kQueued, kRunning, kSucceeded, kFailed, kCancelled };
std::string_view JobStateName(JobState state);
std::optional<JobState> ParseJobState(std::string_view name);
inline bool IsFinished(JobState state) {
  return state == JobState::kSucceeded || state == JobState::kFailed ||
         state == JobState::kCancelled;
}

struct JobRecord {
  int64_t id = 0;
  std::string kind;  // "dataset.import", "dataset.transform", ...
  std::string params_json = "{}";
  JobState state = JobState::kQueued;
  int progress = 0;  // 0..100
  std::string message;
  std::string result_json;  // empty until succeeded
  std::string error;        // empty unless failed or cancelled
  int attempts = 0;
  int64_t created_at = 0;
  std::optional<int64_t> started_at;
  std::optional<int64_t> finished_at;
  std::string lease_owner;
  int64_t lease_expires_at = 0;
  int64_t fence = 0;  // grows by one at every claim; a stale worker's writes fail
  bool cancel_requested = false;
  std::string created_by;  // the actor that queued it (common/actor.h)
  int64_t project_id = 0;  // the project it works in (common/project_scope.h)
  std::string project;
};

// A worker's hold on a job: writes must present the fence it was claimed with.
struct JobLease {
  int64_t job_id = 0;
  int64_t fence = 0;
};

struct DatasetRecord {
  int64_t id = 0;
  std::string name;
  int64_t created_at = 0;
  int64_t version_count = 0;
  int64_t project_id = 0;
  std::string project;
};

struct DatasetVersionRecord {
  int64_t id = 0;
  int64_t dataset_id = 0;
  std::string dataset_name;
  int64_t version = 0;
  std::string blob_hash;
  int64_t row_count = 0;
  int64_t column_count = 0;
  int64_t size_bytes = 0;
  std::string schema_json = "[]";
  std::string stats_json = "{}";
  std::string source_json = "{}";
  std::string lineage_json;  // empty unless made by a transform
  int64_t job_id = 0;
  int64_t created_at = 0;
};

// One named file of a model version ("model.json", "learners/0.ubj"); the bytes are a blob.
struct ModelMemberRecord {
  std::string name;
  std::string blob_hash;
  int64_t size_bytes = 0;
};

struct ModelRecord {
  int64_t id = 0;
  std::string name;
  std::string description;
  int64_t created_at = 0;
  int64_t updated_at = 0;  // a new version, an alias, a tag or the description changed
  int64_t version_count = 0;
  int64_t latest_version = 0;  // 0 while it has no versions
  std::map<std::string, std::string> tags;
  std::map<std::string, int64_t> aliases;  // alias -> version number
  int64_t project_id = 0;
  std::string project;
};

// An immutable model version. JSON columns stay text, as for dataset versions.
struct ModelVersionRecord {
  int64_t id = 0;
  int64_t model_id = 0;
  std::string model_name;
  int64_t version = 0;
  std::string task;  // "binary", "multiclass" or "regression"
  std::string description;
  std::string metrics_json = "{}";
  std::string leaderboard_json = "[]";
  std::string params_json = "{}";
  std::string lineage_json = "{}";
  std::string source_json = "{}";  // how it was registered: a training job, a bundle, ...
  int64_t job_id = 0;              // the job that made it; 0 when not made by a job
  int64_t created_at = 0;
  std::vector<ModelMemberRecord> members;  // by name
  std::vector<std::string> aliases;        // the aliases pointing here, sorted
};

// A serving endpoint: which model references it answers with. References are text as the
// user wrote them ("fraud@champion", "fraud@3", "fraud"); serving resolves them.
struct EndpointRecord {
  int64_t id = 0;
  std::string name;
  std::string model;       // the primary model
  std::string canary;      // "" or a reference that takes canary_percent of the requests
  int canary_percent = 0;  // 0..100
  std::string shadow;      // "" or a reference that sees every request; its answers are logged
  int64_t created_at = 0;
  int64_t updated_at = 0;
  int64_t project_id = 0;
  std::string project;
};

// How a DataLake source's runs go (data/sources/README.md). Not a governance fact: changed
// by every run without a ledger entry.
struct SourceRunState {
  int64_t job_id = 0;                  // the run queued or in flight; 0 when none was ever queued
  std::optional<int64_t> last_run_at;  // Unix ms when the last run ended
  std::optional<int64_t> last_success_at;  // ... and the last one that succeeded
  int64_t rows_taken = 0;                  // rows stored from this source, in all
  int64_t batches = 0;                     // versions stored from this source, in all
  int64_t last_rows = 0;                   // rows the last successful run stored
  std::optional<int64_t> lag_ms;           // the last batch's commit time minus its oldest record's
  std::string error;                       // why the last run failed; "" after a success
  int64_t failures = 0;                    // failed runs in a row
  int64_t next_run_at = 0;                 // Unix ms; the runner queues no run before
};

// A DataLake source: where new rows of a dataset come from (data/sources/source.h).
struct SourceRecord {
  int64_t id = 0;
  std::string name;
  std::string kind;     // "directory", "syslog", ...
  std::string dataset;  // the dataset its batches become versions of
  std::string config_json = "{}";
  bool enabled = true;  // false: paused
  std::string created_by;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  int64_t project_id = 0;
  std::string project;
  SourceRunState state;
};

// A project: the datasets, models, endpoints and jobs it owns are visible only to its
// members (and admins), each with a role in it.
struct ProjectRecord {
  int64_t id = 0;
  std::string name;
  std::string description;
  int64_t created_at = 0;
};

// What a member may do in a project: a viewer reads (and predicts), an editor also changes
// what the project owns, an owner also manages its members. Ordered: a stronger role may do
// all a weaker one may.
enum class ProjectRole { kNone = 0, kViewer = 1, kEditor = 2, kOwner = 3 };
std::string_view ProjectRoleName(ProjectRole role);
std::optional<ProjectRole> ParseProjectRole(std::string_view name);

struct ProjectMemberRecord {
  std::string user_name;
  ProjectRole role = ProjectRole::kNone;
  int64_t added_at = 0;
};

// What a project check needs to know about one named thing: the project it belongs to and
// the caller's role there (kNone when not a member).
struct ProjectAccess {
  int64_t project_id = 0;
  std::string project;
  ProjectRole role = ProjectRole::kNone;
};

// The kinds of things that belong to a project, as a project check names them.
enum class ProjectResource {
  kDataset,
  kModel,
  kEndpoint,
  kJob,
  kProject,
  kSource,
  kPipeline,
  kPipelineRun
};

// One entry of the tamper-evident ledger, as stored. `entry_json` is what is hashed (see
// security/ledger/README.md); the other fields repeat it for queries, and a verifier checks
// that they agree. Rows come back as they are in the database, checked or not.
struct LedgerEntryRecord {
  int64_t index = 0;  // the leaf's index in the Merkle tree: 0, 1, 2, ...
  int64_t at = 0;     // Unix milliseconds
  std::string actor;
  std::string action;   // "dataset.version.created", "model.alias.set", ...
  std::string subject;  // "dataset:iris@2", "model:fraud", "endpoint:web", "user:ana", ...
  std::string entry_json;
  std::string leaf_hash;  // SHA-256(0x00 || entry_json), hex
};

// A signed tree head as stored; security/ledger/tree_head.h gives it meaning.
struct TreeHeadRecord {
  int64_t size = 0;
  std::string root;  // hex
  int64_t timestamp_ms = 0;
  std::string signature;  // hex
};

}  // namespace aimass::store
