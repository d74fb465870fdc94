// The pipelines' half of SqliteStore: pipelines, their applied versions, runs and steps,
// and what each trigger last saw.
#include <nlohmann/json.hpp>
#include <string>

#include "common/actor.h"
#include "common/project_scope.h"
#include "store/sqlite_store.h"

namespace aimass::store {
namespace {

constexpr const char* kPipelineColumns =
    "p.id, p.name, p.project_id, pr.name, p.next_version - 1, p.webhook_token_hash != '', "
    "p.created_at, p.updated_at FROM pipelines p JOIN projects pr ON pr.id = p.project_id";

PipelineRecord ReadPipeline(const Statement& row) {
  PipelineRecord record;
  record.id = row.Int(0);
  record.name = row.Text(1);
  record.project_id = row.Int(2);
  record.project = row.Text(3);
  record.version = row.Int(4);
  record.has_webhook_token = row.Int(5) != 0;
  record.created_at = row.Int(6);
  record.updated_at = row.Int(7);
  return record;
}

constexpr const char* kVersionColumns =
    "id, pipeline_id, version, yaml, spec, spec_hash, created_by, created_at FROM "
    "pipeline_versions";

PipelineVersionRecord ReadVersion(const Statement& row) {
  return PipelineVersionRecord{row.Int(0),  row.Int(1),  row.Int(2),  row.Text(3),
                               row.Text(4), row.Text(5), row.Text(6), row.Int(7)};
}

constexpr const char* kRunColumns =
    "r.id, r.pipeline_id, p.name, p.project_id, r.version_id, v.version, r.state, r.trigger, "
    "r.trigger_detail, r.rerun_of, r.created_by, r.error, r.created_at, r.started_at, "
    "r.finished_at FROM pipeline_runs r JOIN pipelines p ON p.id = r.pipeline_id JOIN "
    "pipeline_versions v ON v.id = r.version_id";

PipelineRunRecord ReadRun(const Statement& row) {
  PipelineRunRecord run;
  run.id = row.Int(0);
  run.pipeline_id = row.Int(1);
  run.pipeline = row.Text(2);
  run.project_id = row.Int(3);
  run.version_id = row.Int(4);
  run.version = row.Int(5);
  run.state = ParseRunState(row.Text(6)).value_or(RunState::kFailed);
  run.trigger = row.Text(7);
  run.trigger_detail_json = row.Text(8);
  run.rerun_of = row.OptionalInt(9);
  run.created_by = row.Text(10);
  run.error = row.Text(11);
  run.created_at = row.Int(12);
  run.started_at = row.OptionalInt(13);
  run.finished_at = row.OptionalInt(14);
  return run;
}

constexpr const char* kStepColumns =
    "run_id, name, position, type, state, attempt, job_id, retry_at, cache_key, cached_from, "
    "inputs, outputs, log, error, started_at, finished_at FROM pipeline_steps";

StepState ParseStepState(const std::string& name) {
  for (auto state :
       {StepState::kWaiting, StepState::kRunning, StepState::kSucceeded, StepState::kCached,
        StepState::kFailed, StepState::kSkipped, StepState::kCancelled}) {
    if (StepStateName(state) == name) return state;
  }
  return StepState::kFailed;
}

PipelineStepRecord ReadStep(const Statement& row) {
  PipelineStepRecord step;
  step.run_id = row.Int(0);
  step.name = row.Text(1);
  step.position = static_cast<int>(row.Int(2));
  step.type = row.Text(3);
  step.state = ParseStepState(row.Text(4));
  step.attempt = static_cast<int>(row.Int(5));
  step.job_id = row.OptionalInt(6);
  step.retry_at = row.OptionalInt(7);
  step.cache_key = row.Text(8);
  step.cached_from = row.OptionalInt(9);
  step.inputs_json = row.Text(10);
  step.outputs_json = row.Text(11);
  step.log = row.Text(12);
  step.error = row.Text(13);
  step.started_at = row.OptionalInt(14);
  step.finished_at = row.OptionalInt(15);
  return step;
}

std::string NotFound(const std::string& name) {
  return "no pipeline named '" + name + "'; see them with `aimass pipelines list`";
}

}  // namespace

std::string_view RunStateName(RunState state) {
  switch (state) {
    case RunState::kQueued:
      return "queued";
    case RunState::kRunning:
      return "running";
    case RunState::kSucceeded:
      return "succeeded";
    case RunState::kFailed:
      return "failed";
    case RunState::kCancelled:
      return "cancelled";
  }
  return "failed";
}

std::optional<RunState> ParseRunState(std::string_view name) {
  for (auto state : {RunState::kQueued, RunState::kRunning, RunState::kSucceeded, RunState::kFailed,
                     RunState::kCancelled}) {
    if (RunStateName(state) == name) return state;
  }
  return std::nullopt;
}

std::string_view StepStateName(StepState state) {
  switch (state) {
    case StepState::kWaiting:
      return "waiting";
    case StepState::kRunning:
      return "running";
    case StepState::kSucceeded:
      return "succeeded";
    case StepState::kCached:
      return "cached";
    case StepState::kFailed:
      return "failed";
    case StepState::kSkipped:
      return "skipped";
    case StepState::kCancelled:
      return "cancelled";
  }
  return "failed";
}

bool IsFinished(RunState state) {
  return state == RunState::kSucceeded || state == RunState::kFailed ||
         state == RunState::kCancelled;
}

bool IsFinished(StepState state) {
  return state != StepState::kWaiting && state != StepState::kRunning;
}

Result<std::pair<PipelineVersionRecord, bool>> SqliteStore::ApplyPipeline(
    const std::string& name, const std::string& yaml, const std::string& spec_json,
    const std::string& spec_hash, int64_t now) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  AIMASS_RETURN_IF_ERROR(tx.Begin());
  AIMASS_RETURN_IF_ERROR(CheckSameProjectLocked("pipelines", name));
  AIMASS_ASSIGN_OR_RETURN(auto insert,
                          db_->Prepare("INSERT INTO pipelines(name, project_id, created_at, "
                                       "updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(name) DO "
                                       "NOTHING"));
  AIMASS_RETURN_IF_ERROR(insert.Bind(name).Bind(ProjectScope::Current()).Bind(now).Bind(now).Run());
  const bool created = db_->Changes() > 0;
  AIMASS_ASSIGN_OR_RETURN(auto pipeline,
                          db_->Prepare("SELECT id, next_version FROM pipelines WHERE name = ?"));
  pipeline.Bind(name);
  AIMASS_RETURN_IF_ERROR(pipeline.Step());
  const int64_t pipeline_id = pipeline.Int(0);
  const int64_t next = pipeline.Int(1);
  if (next > 1) {
    AIMASS_ASSIGN_OR_RETURN(auto newest, db_->Prepare(std::string("SELECT ") + kVersionColumns +
                                                      " WHERE pipeline_id = ? AND version = ?"));
    newest.Bind(pipeline_id).Bind(next - 1);
    AIMASS_ASSIGN_OR_RETURN(bool found, newest.Step());
    if (found && newest.Text(5) == spec_hash) return std::pair{ReadVersion(newest), false};
  }
  AIMASS_ASSIGN_OR_RETURN(
      auto add, db_->Prepare("INSERT INTO pipeline_versions(pipeline_id, version, yaml, spec, "
                             "spec_hash, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"));
  const std::string actor = ActorScope::Current();
  AIMASS_RETURN_IF_ERROR(add.Bind(pipeline_id)
                             .Bind(next)
                             .Bind(yaml)
                             .Bind(spec_json)
                             .Bind(spec_hash)
                             .Bind(actor)
                             .Bind(now)
                             .Run());
  PipelineVersionRecord version{db_->LastInsertId(), pipeline_id, next,  yaml,
                                spec_json,           spec_hash,   actor, now};
  AIMASS_ASSIGN_OR_RETURN(auto bump,
                          db_->Prepare("UPDATE pipelines SET next_version = next_version + 1, "
                                       "updated_at = ? WHERE id = ?"));
  AIMASS_RETURN_IF_ERROR(bump.Bind(now).Bind(pipeline_id).Run());
  AIMASS_RETURN_IF_ERROR(
      AppendLedgerLocked({created ? "pipeline.created" : "pipeline.version.created",
                          "pipeline:" + name + "@" + std::to_string(next),
                          {{"spec_sha256", spec_hash}}},
                         now));
  AIMASS_RETURN_IF_ERROR(tx.Commit());
  return std::pair{version, true};
}

Result<PipelineRecord> SqliteStore::GetPipeline(const std::string& name) {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(
      auto query, db_->Prepare(std::string("SELECT ") + kPipelineColumns + " WHERE p.name = ?"));
  query.Bind(name);
  AIMASS_ASSIGN_OR_RETURN(bool found, query.Step());
  if (!found) return Fail(ErrorCode::kNotFound, NotFound(name));
  return ReadPipeline(query);
}

Result<std::vector<PipelineRecord>> SqliteStore::ListPipelines(
    const std::optional<std::vector<int64_t>>& projects) {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(auto query,
                          db_->Prepare(std::string("SELECT ") + kPipelineColumns +
                                       " WHERE ? = '' OR p.project_id IN (SELECT value FROM "
                                       "json_each(?)) ORDER BY p.name"));
  const std::string list = projects ? nlohmann::json(*projects).dump() : std::string();
  query.Bind(list).Bind(list);
  return query.Collect<PipelineRecord>(ReadPipeline);
}

Result<PipelineVersionRecord> SqliteStore::GetPipelineVersion(int64_t pipeline_id,
                                                              int64_t version) {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(
      auto query, db_->Prepare(std::string("SELECT ") + kVersionColumns +
                               " WHERE pipeline_id = ?1 AND (version = ?2 OR (?2 = 0 AND "
                               "version = (SELECT MAX(version) FROM pipeline_versions WHERE "
                               "pipeline_id = ?1)))"));
  query.Bind(pipeline_id).Bind(version);
  AIMASS_ASSIGN_OR_RETURN(bool found, query.Step());
  if (!found) {
    return Fail(ErrorCode::kNotFound, "the pipeline has no version " + std::to_string(version) +
                                          "; `aimass pipelines show NAME` lists its versions");
  }
  return ReadVersion(query);
}

Result<PipelineVersionRecord> SqliteStore::GetPipelineVersionById(int64_t version_id) {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(auto query,
                          db_->Prepare(std::string("SELECT ") + kVersionColumns + " WHERE id = ?"));
  query.Bind(version_id);
  AIMASS_ASSIGN_OR_RETURN(bool found, query.Step());
  if (!found)
    return Fail(ErrorCode::kNotFound, "no pipeline version " + std::to_string(version_id));
  return ReadVersion(query);
}

Status SqliteStore::DeletePipeline(const std::string& name, int64_t now) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  AIMASS_RETURN_IF_ERROR(tx.Begin());
  AIMASS_ASSIGN_OR_RETURN(auto find, db_->Prepare("SELECT id FROM pipelines WHERE name = ?"));
  find.Bind(name);
  AIMASS_ASSIGN_OR_RETURN(bool found, find.Step());
  if (!found) return Fail(ErrorCode::kNotFound, NotFound(name));
  const int64_t id = find.Int(0);
  AIMASS_ASSIGN_OR_RETURN(
      auto active, db_->Prepare("SELECT id FROM pipeline_runs WHERE pipeline_id = ? AND state "
                                "IN ('queued', 'running') LIMIT 1"));
  active.Bind(id);
  AIMASS_ASSIGN_OR_RETURN(bool busy, active.Step());
  if (busy) {
    return Fail(ErrorCode::kConflict, "pipeline '" + name + "' has run " +
                                          std::to_string(active.Int(0)) +
                                          " going; cancel it first (aimass pipelines cancel " +
                                          std::to_string(active.Int(0)) + ")");
  }
  for (const char* sql :
       {"DELETE FROM pipeline_steps WHERE run_id IN (SELECT id FROM pipeline_runs WHERE "
        "pipeline_id = ?)",
        "DELETE FROM pipeline_runs WHERE pipeline_id = ?",
        "DELETE FROM pipeline_versions WHERE pipeline_id = ?",
        "DELETE FROM pipeline_trigger_marks WHERE pipeline_id = ?",
        "DELETE FROM pipelines WHERE id = ?"}) {
    AIMASS_ASSIGN_OR_RETURN(auto remove, db_->Prepare(sql));
    AIMASS_RETURN_IF_ERROR(remove.Bind(id).Run());
  }
  AIMASS_RETURN_IF_ERROR(AppendLedgerLocked({"pipeline.deleted", "pipeline:" + name, {}}, now));
  return tx.Commit();
}

Status SqliteStore::SetPipelineWebhookHash(const std::string& name, const std::string& hash,
                                           int64_t now) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  AIMASS_RETURN_IF_ERROR(tx.Begin());
  AIMASS_ASSIGN_OR_RETURN(
      auto update,
      db_->Prepare("UPDATE pipelines SET webhook_token_hash = ?, updated_at = ? WHERE name = ?"));
  AIMASS_RETURN_IF_ERROR(update.Bind(hash).Bind(now).Bind(name).Run());
  if (db_->Changes() == 0) return Fail(ErrorCode::kNotFound, NotFound(name));
  AIMASS_RETURN_IF_ERROR(
      AppendLedgerLocked({hash.empty() ? "pipeline.webhook.removed" : "pipeline.webhook.token_set",
                          "pipeline:" + name,
                          {}},
                         now));
  return tx.Commit();
}

Result<std::string> SqliteStore::PipelineWebhookHash(const std::string& name) {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(auto query,
                          db_->Prepare("SELECT webhook_token_hash FROM pipelines WHERE name = ?"));
  query.Bind(name);
  AIMASS_ASSIGN_OR_RETURN(bool found, query.Step());
  if (!found) return Fail(ErrorCode::kNotFound, NotFound(name));
  return query.Text(0);
}

Result<PipelineRunRecord> SqliteStore::CreatePipelineRun(const NewPipelineRun& run, int64_t now) {
  int64_t run_id = 0;
  {
    std::lock_guard lock(mu_);
    Transaction tx(*db_);
    AIMASS_RETURN_IF_ERROR(tx.Begin());
    AIMASS_ASSIGN_OR_RETURN(
        auto insert,
        db_->Prepare("INSERT INTO pipeline_runs(pipeline_id, version_id, state, trigger, "
                     "trigger_detail, rerun_of, created_by, created_at) VALUES (?, ?, 'queued', "
                     "?, ?, ?, ?, ?)"));
    AIMASS_RETURN_IF_ERROR(insert.Bind(run.pipeline_id)
                               .Bind(run.version_id)
                               .Bind(run.trigger)
                               .Bind(run.trigger_detail_json)
                               .Bind(run.rerun_of)
                               .Bind(ActorScope::Current())
                               .Bind(now)
                               .Run());
    run_id = db_->LastInsertId();
    for (const PipelineStepRecord& step : run.steps) {
      AIMASS_ASSIGN_OR_RETURN(
          auto add, db_->Prepare("INSERT INTO pipeline_steps(run_id, name, position, type, "
                                 "state, cached_from, outputs, log, finished_at) VALUES (?, ?, "
                                 "?, ?, ?, ?, ?, ?, ?)"));
      AIMASS_RETURN_IF_ERROR(add.Bind(run_id)
                                 .Bind(step.name)
                                 .Bind(step.position)
                                 .Bind(step.type)
                                 .Bind(StepStateName(step.state))
                                 .Bind(step.cached_from)
                                 .Bind(step.outputs_json)
                                 .Bind(step.log)
                                 .Bind(step.finished_at)
                                 .Run());
    }
    AIMASS_ASSIGN_OR_RETURN(auto name, db_->Prepare("SELECT name FROM pipelines WHERE id = ?"));
    name.Bind(run.pipeline_id);
    AIMASS_RETURN_IF_ERROR(name.Step());
    AIMASS_RETURN_IF_ERROR(AppendLedgerLocked({"pipeline.run.queued",
                                               "pipeline:" + name.Text(0),
                                               {{"run", run_id}, {"trigger", run.trigger}}},
                                              now));
    AIMASS_RETURN_IF_ERROR(tx.Commit());
  }
  return GetPipelineRun(run_id);
}

Result<PipelineRunRecord> SqliteStore::GetPipelineRun(int64_t run_id) {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(auto query,
                          db_->Prepare(std::string("SELECT ") + kRunColumns + " WHERE r.id = ?"));
  query.Bind(run_id);
  AIMASS_ASSIGN_OR_RETURN(bool found, query.Step());
  if (!found) {
    return Fail(ErrorCode::kNotFound, "no pipeline run " + std::to_string(run_id) +
                                          "; see the runs with `aimass pipelines runs NAME`");
  }
  PipelineRunRecord run = ReadRun(query);
  AIMASS_ASSIGN_OR_RETURN(auto steps, db_->Prepare(std::string("SELECT ") + kStepColumns +
                                                   " WHERE run_id = ? ORDER BY position"));
  steps.Bind(run_id);
  AIMASS_ASSIGN_OR_RETURN(run.steps, steps.Collect<PipelineStepRecord>(ReadStep));
  return run;
}

Result<std::vector<PipelineRunRecord>> SqliteStore::ListPipelineRuns(
    const PipelineRunFilter& filter) {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(
      auto query,
      db_->Prepare(std::string("SELECT ") + kRunColumns +
                   " WHERE (?1 = 0 OR r.pipeline_id = ?1) AND (?2 = '' OR r.state IN (SELECT "
                   "value FROM json_each(?2))) AND (?3 = '' OR p.project_id IN (SELECT value "
                   "FROM json_each(?3))) ORDER BY r.id DESC LIMIT ?4"));
  nlohmann::json states = nlohmann::json::array();
  for (RunState state : filter.states) states.push_back(RunStateName(state));
  const std::string projects =
      filter.projects ? nlohmann::json(*filter.projects).dump() : std::string();
  query.Bind(filter.pipeline_id)
      .Bind(filter.states.empty() ? std::string() : states.dump())
      .Bind(projects)
      .Bind(filter.limit);
  return query.Collect<PipelineRunRecord>(ReadRun);
}

Status SqliteStore::SetPipelineRunState(int64_t run_id, RunState state, const std::string& error,
                                        int64_t now) {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(
      auto update,
      db_->Prepare("UPDATE pipeline_runs SET state = ?1, error = ?2, started_at = CASE WHEN ?1 = "
                   "'running' AND started_at IS NULL THEN ?3 ELSE started_at END, finished_at = "
                   "CASE WHEN ?1 IN ('succeeded', 'failed', 'cancelled') THEN ?3 ELSE "
                   "finished_at END WHERE id = ?4"));
  AIMASS_RETURN_IF_ERROR(update.Bind(RunStateName(state)).Bind(error).Bind(now).Bind(run_id).Run());
  if (db_->Changes() == 0)
    return Fail(ErrorCode::kNotFound, "no pipeline run " + std::to_string(run_id));
  return Ok();
}

Status SqliteStore::UpdatePipelineStep(const PipelineStepRecord& step) {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(
      auto update,
      db_->Prepare("UPDATE pipeline_steps SET state = ?, attempt = ?, job_id = ?, retry_at = ?, "
                   "cache_key = ?, cached_from = ?, inputs = ?, outputs = ?, log = ?, error = ?, "
                   "started_at = ?, finished_at = ? WHERE run_id = ? AND name = ?"));
  AIMASS_RETURN_IF_ERROR(update.Bind(StepStateName(step.state))
                             .Bind(step.attempt)
                             .Bind(step.job_id)
                             .Bind(step.retry_at)
                             .Bind(step.cache_key)
                             .Bind(step.cached_from)
                             .Bind(step.inputs_json)
                             .Bind(step.outputs_json)
                             .Bind(step.log)
                             .Bind(step.error)
                             .Bind(step.started_at)
                             .Bind(step.finished_at)
                             .Bind(step.run_id)
                             .Bind(step.name)
                             .Run());
  if (db_->Changes() == 0) {
    return Fail(ErrorCode::kNotFound,
                "run " + std::to_string(step.run_id) + " has no step '" + step.name + "'");
  }
  return Ok();
}

Result<std::optional<PipelineStepRecord>> SqliteStore::FindCachedStep(int64_t pipeline_id,
                                                                      const std::string& type,
                                                                      const std::string& key) {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(
      auto query,
      db_->Prepare(std::string("SELECT ") + kStepColumns +
                   " WHERE type = ? AND cache_key = ? AND state = 'succeeded' AND run_id IN "
                   "(SELECT id FROM pipeline_runs WHERE pipeline_id = ?) ORDER BY run_id DESC "
                   "LIMIT 1"));
  query.Bind(type).Bind(key).Bind(pipeline_id);
  AIMASS_ASSIGN_OR_RETURN(bool found, query.Step());
  if (!found) return std::optional<PipelineStepRecord>();
  return std::optional<PipelineStepRecord>(ReadStep(query));
}

Result<std::string> SqliteStore::TriggerMark(int64_t pipeline_id, const std::string& key) {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(
      auto query, db_->Prepare("SELECT mark FROM pipeline_trigger_marks WHERE pipeline_id = ? "
                               "AND trigger_key = ?"));
  query.Bind(pipeline_id).Bind(key);
  AIMASS_ASSIGN_OR_RETURN(bool found, query.Step());
  return found ? query.Text(0) : std::string();
}

Status SqliteStore::SetTriggerMark(int64_t pipeline_id, const std::string& key,
                                   const std::string& mark) {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(
      auto upsert, db_->Prepare("INSERT INTO pipeline_trigger_marks(pipeline_id, trigger_key, "
                                "mark) VALUES (?, ?, ?) ON CONFLICT(pipeline_id, trigger_key) "
                                "DO UPDATE SET mark = excluded.mark"));
  return upsert.Bind(pipeline_id).Bind(key).Bind(mark).Run();
}

}  // namespace aimass::store
