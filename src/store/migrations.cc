#include "store/migrations.h"

#include <array>
#include <string>

namespace aimass::store {
namespace {

// Append only: a released migration never changes.
constexpr std::array<const char *, 10> kMigrations = {
    R"sql(
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  is_admin INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
CREATE TABLE tokens (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  token_hash TEXT NOT NULL UNIQUE,
  label TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE jobs (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  params TEXT NOT NULL DEFAULT '{}',
  state TEXT NOT NULL DEFAULT 'queued',
  progress INTEGER NOT NULL DEFAULT 0,
  message TEXT NOT NULL DEFAULT '',
  result TEXT NOT NULL DEFAULT '',
  error TEXT NOT NULL DEFAULT '',
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER,
  lease_owner TEXT NOT NULL DEFAULT '',
  lease_expires_at INTEGER NOT NULL DEFAULT 0,
  fence INTEGER NOT NULL DEFAULT 0,
  cancel_requested INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX jobs_by_state ON jobs(state, id);
CREATE TABLE job_logs (
  id INTEGER PRIMARY KEY,
  job_id INTEGER NOT NULL REFERENCES jobs(id),
  at INTEGER NOT NULL,
  line TEXT NOT NULL
);
CREATE INDEX job_logs_by_job ON job_logs(job_id, id);
CREATE TABLE datasets (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);
CREATE TABLE dataset_versions (
  id INTEGER PRIMARY KEY,
  dataset_id INTEGER NOT NULL REFERENCES datasets(id),
  version INTEGER NOT NULL,
  blob_hash TEXT NOT NULL,
  row_count INTEGER NOT NULL,
  column_count INTEGER NOT NULL,
  size_bytes INTEGER NOT NULL,
  schema_json TEXT NOT NULL,
  stats_json TEXT NOT NULL,
  source_json TEXT NOT NULL,
  lineage_json TEXT NOT NULL DEFAULT '',
  job_id INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  UNIQUE (dataset_id, version)
);
CREATE INDEX dataset_versions_by_blob ON dataset_versions(blob_hash);
-- A version a running job reads: it cannot be deleted until the job ends.
CREATE TABLE version_holds (
  version_id INTEGER NOT NULL REFERENCES dataset_versions(id),
  job_id INTEGER NOT NULL REFERENCES jobs(id),
  PRIMARY KEY (version_id, job_id)
);
)sql",
    // 2: the model registry.
    R"sql(
CREATE TABLE models (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  -- Version numbers are never reused, also after the newest version is deleted.
  next_version INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE model_versions (
  id INTEGER PRIMARY KEY,
  model_id INTEGER NOT NULL REFERENCES models(id),
  version INTEGER NOT NULL,
  task TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  metrics_json TEXT NOT NULL DEFAULT '{}',
  leaderboard_json TEXT NOT NULL DEFAULT '[]',
  params_json TEXT NOT NULL DEFAULT '{}',
  lineage_json TEXT NOT NULL DEFAULT '{}',
  source_json TEXT NOT NULL DEFAULT '{}',
  job_id INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  UNIQUE (model_id, version)
);
-- The named files of a version; their bytes are blobs.
CREATE TABLE model_members (
  version_id INTEGER NOT NULL REFERENCES model_versions(id),
  name TEXT NOT NULL,
  blob_hash TEXT NOT NULL,
  size_bytes INTEGER NOT NULL,
  PRIMARY KEY (version_id, name)
);
CREATE INDEX model_members_by_blob ON model_members(blob_hash);
CREATE TABLE model_aliases (
  model_id INTEGER NOT NULL REFERENCES models(id),
  alias TEXT NOT NULL,
  version_id INTEGER NOT NULL REFERENCES model_versions(id),
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (model_id, alias)
);
CREATE INDEX model_aliases_by_version ON model_aliases(version_id);
CREATE TABLE model_tags (
  model_id INTEGER NOT NULL REFERENCES models(id),
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (model_id, key)
);
)sql",
    // 3: serving endpoints. Model references stay text as users wrote them ("fraud@champion"):
    // an endpoint follows its alias, so the version it serves is resolved when it loads.
    R"sql(
CREATE TABLE endpoints (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  model TEXT NOT NULL,
  canary TEXT NOT NULL DEFAULT '',
  canary_percent INTEGER NOT NULL DEFAULT 0,
  shadow TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
)sql",
    // 4: the tamper-evident ledger (security/ledger/README.md), and who queued each job so
    // that the ledger can name the author of what the job changes.
    R"sql(
CREATE TABLE ledger_entries (
  idx INTEGER PRIMARY KEY,     -- 0, 1, 2, ...: the entry's leaf index in the Merkle tree
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT NOT NULL,
  entry TEXT NOT NULL,         -- the canonical JSON that is hashed; the columns repeat it
  leaf_hash TEXT NOT NULL      -- SHA-256(0x00 || entry), hex
);
CREATE INDEX ledger_entries_by_subject ON ledger_entries(subject, idx);
CREATE TABLE ledger_heads (
  size INTEGER PRIMARY KEY,
  root TEXT NOT NULL,
  timestamp_ms INTEGER NOT NULL,
  signature TEXT NOT NULL
);
ALTER TABLE jobs ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
)sql",
    // 5: what a token may do (scopes, an endpoint it is limited to) and until when. The
    // tokens made before are the admin's, which keep every power.
    R"sql(
ALTER TABLE tokens ADD COLUMN scopes TEXT NOT NULL DEFAULT 'admin';
ALTER TABLE tokens ADD COLUMN endpoint TEXT NOT NULL DEFAULT '';
ALTER TABLE tokens ADD COLUMN expires_at INTEGER;
CREATE INDEX tokens_by_user ON tokens(user_id, id);
)sql",
    // 6: password login (argon2id hashes; no password means no login) and its lock-out.
    R"sql(
ALTER TABLE users ADD COLUMN password_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until INTEGER NOT NULL DEFAULT 0;
)sql",
    // 7: projects, which isolate datasets, models, endpoints and jobs, and each user's role in
    // them. What existed before belongs to the project "default", and the users made before
    // stay able to work on it as its editors.
    R"sql(
CREATE TABLE projects (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL
);
INSERT INTO projects (id, name, description, created_at)
  VALUES (1, 'default', 'The project of whatever names no other', 0);
CREATE TABLE project_members (
  project_id INTEGER NOT NULL REFERENCES projects(id),
  user_id INTEGER NOT NULL REFERENCES users(id),
  role TEXT NOT NULL,  -- owner, editor or viewer
  added_at INTEGER NOT NULL,
  PRIMARY KEY (project_id, user_id)
);
CREATE INDEX project_members_by_user ON project_members(user_id, project_id);
INSERT INTO project_members (project_id, user_id, role, added_at)
  SELECT 1, id, 'editor', created_at FROM users WHERE is_admin = 0;
ALTER TABLE datasets ADD COLUMN project_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE models ADD COLUMN project_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE endpoints ADD COLUMN project_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE jobs ADD COLUMN project_id INTEGER NOT NULL DEFAULT 1;
)sql",
    // 8: the hosts that URL imports may fetch from (empty: URL imports are off).
    R"sql(
CREATE TABLE import_hosts (
  host TEXT PRIMARY KEY,
  added_by TEXT NOT NULL,
  added_at INTEGER NOT NULL
);
)sql",
    // 9: pipelines (pipelines/README.md): their versions as applied, their runs and each
    // run's steps, and what each trigger last saw (a cron's last firing, a dataset's newest
    // version) so a restart neither misses nor repeats a firing.
    R"sql(
CREATE TABLE pipelines (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  project_id INTEGER NOT NULL DEFAULT 1,
  webhook_token_hash TEXT NOT NULL DEFAULT '',
  next_version INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE pipeline_versions (
  id INTEGER PRIMARY KEY,
  pipeline_id INTEGER NOT NULL REFERENCES pipelines(id),
  version INTEGER NOT NULL,
  yaml TEXT NOT NULL,           -- as the user wrote it
  spec TEXT NOT NULL,           -- the checked pipeline as JSON
  spec_hash TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (pipeline_id, version)
);
CREATE TABLE pipeline_runs (
  id INTEGER PRIMARY KEY,
  pipeline_id INTEGER NOT NULL REFERENCES pipelines(id),
  version_id INTEGER NOT NULL REFERENCES pipeline_versions(id),
  state TEXT NOT NULL,          -- queued, running, succeeded, failed, cancelled
  trigger TEXT NOT NULL,        -- manual, cron, dataset, webhook, rerun
  trigger_detail TEXT NOT NULL DEFAULT '{}',
  rerun_of INTEGER,
  created_by TEXT NOT NULL DEFAULT '',
  error TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER
);
CREATE INDEX pipeline_runs_by_pipeline ON pipeline_runs(pipeline_id, id);
CREATE INDEX pipeline_runs_by_state ON pipeline_runs(state, id);
CREATE TABLE pipeline_steps (
  run_id INTEGER NOT NULL REFERENCES pipeline_runs(id),
  name TEXT NOT NULL,
  position INTEGER NOT NULL,    -- order in the YAML
  type TEXT NOT NULL,
  state TEXT NOT NULL,          -- waiting, running, succeeded, cached, failed, skipped, cancelled
  attempt INTEGER NOT NULL DEFAULT 0,
  job_id INTEGER,
  retry_at INTEGER,             -- a failed attempt's retry waits until then
  cache_key TEXT NOT NULL DEFAULT '',
  cached_from INTEGER,          -- the run whose outputs this step reused
  inputs TEXT NOT NULL DEFAULT '{}',
  outputs TEXT NOT NULL DEFAULT '{}',
  log TEXT NOT NULL DEFAULT '',
  error TEXT NOT NULL DEFAULT '',
  started_at INTEGER,
  finished_at INTEGER,
  PRIMARY KEY (run_id, name)
);
CREATE INDEX pipeline_steps_by_job ON pipeline_steps(job_id);
CREATE INDEX pipeline_steps_by_cache ON pipeline_steps(type, cache_key);
CREATE TABLE pipeline_trigger_marks (
  pipeline_id INTEGER NOT NULL REFERENCES pipelines(id),
  trigger_key TEXT NOT NULL,    -- "cron:0 * * * *", "dataset:sales"
  mark TEXT NOT NULL,           -- the last minute fired, the newest version seen
  PRIMARY KEY (pipeline_id, trigger_key)
);
)sql",
    // 10: DataLake sources (data/sources/README.md): what each source is (changes are in
    // the ledger) and how its runs go (changed by every run, not in the ledger). Its cursor
    // is in the source_json of the dataset versions it made, committed with them.
    R"sql(
CREATE TABLE sources (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  dataset TEXT NOT NULL,
  config TEXT NOT NULL DEFAULT '{}',
  project_id INTEGER NOT NULL DEFAULT 1 REFERENCES projects(id),
  enabled INTEGER NOT NULL DEFAULT 1,
  created_by TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE source_states (
  source_id INTEGER PRIMARY KEY REFERENCES sources(id),
  job_id INTEGER NOT NULL DEFAULT 0,
  last_run_at INTEGER,
  last_success_at INTEGER,
  rows_taken INTEGER NOT NULL DEFAULT 0,
  batches INTEGER NOT NULL DEFAULT 0,
  last_rows INTEGER NOT NULL DEFAULT 0,
  lag_ms INTEGER,
  error TEXT NOT NULL DEFAULT '',
  failures INTEGER NOT NULL DEFAULT 0,
  next_run_at INTEGER NOT NULL DEFAULT 0
);
)sql",
};

}  // namespace

Status Migrate(Database &db) {
  AIMASS_ASSIGN_OR_RETURN(auto query, db.Prepare("PRAGMA user_version"));
  AIMASS_RETURN_IF_ERROR(query.Step());
  const int64_t applied = query.Int(0);
  if (applied > static_cast<int64_t>(kMigrations.size())) {
    return Fail(ErrorCode::kConflict,
                "the metadata database has schema version " + std::to_string(applied) +
                    ", newer than this aimass binary knows (" + std::to_string(kMigrations.size()) +
                    "); run a newer aimass");
  }
  for (size_t i = static_cast<size_t>(applied); i < kMigrations.size(); ++i) {
    Transaction tx(db);
    AIMASS_RETURN_IF_ERROR(tx.Begin());
    AIMASS_RETURN_IF_ERROR(db.Exec(kMigrations[i]));
    AIMASS_RETURN_IF_ERROR(db.Exec("PRAGMA user_version = " + std::to_string(i + 1)));
    AIMASS_RETURN_IF_ERROR(tx.Commit());
  }
  return Ok();
}

}  // namespace aimass::store
