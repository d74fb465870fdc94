// The job queue half of SqliteStore: leases, fencing, cancellation, logs.
#include <string>

#include "common/actor.h"
#include "common/hash.h"
#include "common/project_scope.h"
#include "store/sqlite_store.h"

namespace aimass::store {
namespace {

constexpr const char *kJobColumns =
    "id, kind, params, state, progress, message, result, error, attempts, "
    "created_at, "
    "started_at, finished_at, lease_owner, lease_expires_at, fence, "
    "cancel_requested, created_by, project_id, "
    "(SELECT name FROM projects WHERE projects.id = jobs.project_id)";

JobRecord ReadJob(const Statement &row) {
  JobRecord job;
  job.id = row.Int(0);
  job.kind = row.Text(1);
  job.params_json = row.Text(2);
  job.state = ParseJobState(row.Text(3)).value_or(JobState::kFailed);
  job.progress = static_cast<int>(row.Int(4));
  job.message = row.Text(5);
  job.result_json = row.Text(6);
  job.error = row.Text(7);
  job.attempts = static_cast<int>(row.Int(8));
  job.created_at = row.Int(9);
  job.started_at = row.OptionalInt(10);
  job.finished_at = row.OptionalInt(11);
  job.lease_owner = row.Text(12);
  job.lease_expires_at = row.Int(13);
  job.fence = row.Int(14);
  job.cancel_requested = row.Int(15) != 0;
  job.created_by = row.Text(16);
  job.project_id = row.Int(17);
  job.project = row.Text(18);
  return job;
}

std::string Select(const std::string &where) {
  return std::string("SELECT ") + kJobColumns + " FROM jobs " + where;
}

}  // namespace

Result<JobRecord> SqliteStore::GetJobLocked(int64_t job_id) {
  AIMASS_ASSIGN_OR_RETURN(auto query, db_->Prepare(Select("WHERE id = ?")));
  query.Bind(job_id);
  AIMASS_ASSIGN_OR_RETURN(bool found, query.Step());
  if (!found) {
    return Fail(ErrorCode::kNotFound, "job " + std::to_string(job_id) +
                                          " does not exist; list jobs with GET /api/v1/jobs");
  }
  return ReadJob(query);
}

Status SqliteStore::CheckLeaseLocked(const JobLease &lease) {
  AIMASS_ASSIGN_OR_RETURN(JobRecord job, GetJobLocked(lease.job_id));
  if (job.state != JobState::kRunning || job.fence != lease.fence) {
    return Fail(ErrorCode::kConflict,
                "job " + std::to_string(lease.job_id) + ": this worker's lease was lost (fence " +
                    std::to_string(lease.fence) + ", now " + std::to_string(job.fence) + ")");
  }
  return Ok();
}

Status SqliteStore::CheckCommitLocked(const JobLease &lease) {
  AIMASS_RETURN_IF_ERROR(CheckLeaseLocked(lease));
  AIMASS_ASSIGN_OR_RETURN(JobRecord job, GetJobLocked(lease.job_id));
  if (job.cancel_requested) {
    return Fail(ErrorCode::kCancelled,
                "cancelled by a user before its result was stored; nothing was stored");
  }
  return Ok();
}

Result<JobRecord> SqliteStore::EnqueueJob(const std::string &kind, const std::string &params_json,
                                          int64_t now, int64_t hold_version_id) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  AIMASS_RETURN_IF_ERROR(tx.Begin());
  AIMASS_ASSIGN_OR_RETURN(
      auto insert,
      db_->Prepare("INSERT INTO jobs(kind, params, created_at, created_by, project_id) "
                   "VALUES (?, ?, ?, ?, ?)"));
  AIMASS_RETURN_IF_ERROR(insert.Bind(kind)
                             .Bind(params_json)
                             .Bind(now)
                             .Bind(ActorScope::Current())
                             .Bind(ProjectScope::Current())
                             .Run());
  const int64_t id = db_->LastInsertId();
  if (hold_version_id != 0) {
    AIMASS_ASSIGN_OR_RETURN(
        auto hold, db_->Prepare("INSERT INTO version_holds(version_id, job_id) VALUES (?, ?)"));
    auto held = hold.Bind(hold_version_id).Bind(id).Run();
    if (!held) {
      return Fail(ErrorCode::kNotFound, "the dataset version to read was deleted meanwhile");
    }
  }
  AIMASS_ASSIGN_OR_RETURN(JobRecord job, GetJobLocked(id));
  AIMASS_RETURN_IF_ERROR(
      AppendLedgerLocked({"job.queued",
                          "job:" + std::to_string(id),
                          {{"kind", kind}, {"params_sha256", Sha256Hex(params_json)}}},
                         now));
  AIMASS_RETURN_IF_ERROR(tx.Commit());
  return job;
}

Result<std::optional<JobRecord>> SqliteStore::ClaimJob(const std::string &owner,
                                                       const std::vector<std::string> &kinds,
                                                       int64_t lease_until, int64_t now) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  AIMASS_RETURN_IF_ERROR(tx.Begin());
  std::string where = "WHERE state = 'queued'";
  if (!kinds.empty()) {
    where += " AND kind IN (";
    for (size_t i = 0; i < kinds.size(); ++i) where += i ? ",?" : "?";
    where += ")";
  }
  AIMASS_ASSIGN_OR_RETURN(auto pick,
                          db_->Prepare("SELECT id FROM jobs " + where + " ORDER BY id LIMIT 1"));
  for (const auto &kind : kinds) pick.Bind(kind);
  AIMASS_ASSIGN_OR_RETURN(bool found, pick.Step());
  if (!found) return std::optional<JobRecord>();
  const int64_t id = pick.Int(0);
  AIMASS_ASSIGN_OR_RETURN(auto claim,
                          db_->Prepare("UPDATE jobs SET state = 'running', lease_owner = ?, "
                                       "lease_expires_at = ?, "
                                       "fence = fence + 1, attempts = attempts + 1, "
                                       "started_at = COALESCE(started_at, ?) WHERE id = ?"));
  AIMASS_RETURN_IF_ERROR(claim.Bind(owner).Bind(lease_until).Bind(now).Bind(id).Run());
  AIMASS_ASSIGN_OR_RETURN(JobRecord job, GetJobLocked(id));
  AIMASS_RETURN_IF_ERROR(tx.Commit());
  return std::optional<JobRecord>(std::move(job));
}

Result<bool> SqliteStore::RenewLease(const JobLease &lease, int64_t lease_until, int progress,
                                     const std::string &message) {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(
      auto update, db_->Prepare("UPDATE jobs SET lease_expires_at = ?, progress = ?, message = ? "
                                "WHERE id = ? AND fence = ? AND state = 'running'"));
  AIMASS_RETURN_IF_ERROR(update.Bind(lease_until)
                             .Bind(progress)
                             .Bind(message)
                             .Bind(lease.job_id)
                             .Bind(lease.fence)
                             .Run());
  if (db_->Changes() == 0) {
    AIMASS_RETURN_IF_ERROR(CheckLeaseLocked(lease));
  }
  AIMASS_ASSIGN_OR_RETURN(JobRecord job, GetJobLocked(lease.job_id));
  return job.cancel_requested;
}

Status SqliteStore::AppendJobLog(int64_t job_id, int64_t now, const std::string &line) {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(auto insert,
                          db_->Prepare("INSERT INTO job_logs(job_id, at, line) VALUES (?, ?, ?)"));
  return insert.Bind(job_id).Bind(now).Bind(line).Run();
}

Status SqliteStore::FinishJobLocked(const JobLease &lease, JobState state,
                                    const std::string &result_json, const std::string &error,
                                    int64_t now) {
  AIMASS_RETURN_IF_ERROR(CheckLeaseLocked(lease));
  AIMASS_ASSIGN_OR_RETURN(
      auto update,
      db_->Prepare("UPDATE jobs SET state = ?1, result = ?2, error = ?3, finished_at = "
                   "?4, "
                   "progress = CASE WHEN ?1 = 'succeeded' THEN 100 ELSE progress END, "
                   "message = CASE WHEN ?1 = 'succeeded' THEN 'done' ELSE message END, "
                   "lease_owner = '', lease_expires_at = 0 WHERE id = ?5 AND fence = "
                   "?6"));
  AIMASS_RETURN_IF_ERROR(update.Bind(JobStateName(state))
                             .Bind(result_json)
                             .Bind(error)
                             .Bind(now)
                             .Bind(lease.job_id)
                             .Bind(lease.fence)
                             .Run());
  AIMASS_ASSIGN_OR_RETURN(auto release, db_->Prepare("DELETE FROM version_holds WHERE job_id = ?"));
  return release.Bind(lease.job_id).Run();
}

Status SqliteStore::FinishJob(const JobLease &lease, JobState state, const std::string &result_json,
                              const std::string &error, int64_t now) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  AIMASS_RETURN_IF_ERROR(tx.Begin());
  AIMASS_RETURN_IF_ERROR(FinishJobLocked(lease, state, result_json, error, now));
  return tx.Commit();
}

Status SqliteStore::ReleaseJob(const JobLease &lease) {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(
      auto update, db_->Prepare("UPDATE jobs SET state = 'queued', lease_owner = '', "
                                "lease_expires_at = 0, "
                                "attempts = MAX(attempts - 1, 0), message = 'waiting for a worker' "
                                "WHERE id = ? AND fence = ? AND state = 'running'"));
  return update.Bind(lease.job_id).Bind(lease.fence).Run();
}

Result<int> SqliteStore::RequeueExpiredJobs(int64_t now, int max_attempts) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  AIMASS_RETURN_IF_ERROR(tx.Begin());
  AIMASS_ASSIGN_OR_RETURN(auto fail, db_->Prepare("UPDATE jobs SET state = 'failed', finished_at = "
                                                  "?, lease_owner = '', "
                                                  "error = 'the worker running this job stopped "
                                                  "(its lease expired) ' || "
                                                  "attempts || ' times; giving up — look at the "
                                                  "job log, then run it again' "
                                                  "WHERE state = 'running' AND lease_expires_at < "
                                                  "? AND attempts >= ?"));
  AIMASS_RETURN_IF_ERROR(fail.Bind(now).Bind(now).Bind(max_attempts).Run());
  const int failed = db_->Changes();
  AIMASS_ASSIGN_OR_RETURN(auto cancel, db_->Prepare("UPDATE jobs SET state = 'cancelled', "
                                                    "finished_at = ?, lease_owner = '', "
                                                    "error = 'cancelled' WHERE state = "
                                                    "'running' AND lease_expires_at < ? "
                                                    "AND cancel_requested = 1"));
  AIMASS_RETURN_IF_ERROR(cancel.Bind(now).Bind(now).Run());
  const int cancelled = db_->Changes();
  AIMASS_ASSIGN_OR_RETURN(auto requeue,
                          db_->Prepare("UPDATE jobs SET state = 'queued', lease_owner = '', "
                                       "lease_expires_at = 0, "
                                       "message = 're-queued: the worker running it stopped' "
                                       "WHERE state = 'running' AND lease_expires_at < ?"));
  AIMASS_RETURN_IF_ERROR(requeue.Bind(now).Run());
  const int requeued = db_->Changes();
  AIMASS_RETURN_IF_ERROR(
      db_->Exec("DELETE FROM version_holds WHERE job_id IN "
                "(SELECT id FROM jobs WHERE state IN "
                "('failed', 'cancelled', 'succeeded'))"));
  AIMASS_RETURN_IF_ERROR(tx.Commit());
  return failed + cancelled + requeued;
}

Result<JobRecord> SqliteStore::RequestCancel(int64_t job_id, int64_t now) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  AIMASS_RETURN_IF_ERROR(tx.Begin());
  AIMASS_ASSIGN_OR_RETURN(JobRecord job, GetJobLocked(job_id));
  if (IsFinished(job.state)) {
    return Fail(ErrorCode::kConflict, "job " + std::to_string(job_id) + " already " +
                                          std::string(JobStateName(job.state)) +
                                          "; there is nothing to cancel");
  }
  // A queued job ends at once; a running one stops at its worker's next check.
  AIMASS_ASSIGN_OR_RETURN(
      auto update,
      db_->Prepare("UPDATE jobs SET cancel_requested = 1, "
                   "state = CASE WHEN state = 'queued' THEN 'cancelled' ELSE state END, "
                   "finished_at = CASE WHEN state = 'queued' THEN ? ELSE finished_at "
                   "END, "
                   "error = CASE WHEN state = 'queued' THEN 'cancelled before it "
                   "started' "
                   "ELSE error END WHERE id = ?"));
  update.Bind(now).Bind(job_id);
  AIMASS_RETURN_IF_ERROR(update.Run());
  AIMASS_ASSIGN_OR_RETURN(job, GetJobLocked(job_id));
  AIMASS_RETURN_IF_ERROR(tx.Commit());
  return job;
}

Result<JobRecord> SqliteStore::GetJob(int64_t job_id) {
  std::lock_guard lock(mu_);
  return GetJobLocked(job_id);
}

Result<std::vector<JobRecord>> SqliteStore::ListJobs(const JobFilter &filter) {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(
      auto query, db_->Prepare(Select("WHERE (? = '' OR state = ?) AND (? = '' OR kind = ?) "
                                      "AND (? = '' OR project_id IN (SELECT value FROM "
                                      "json_each(?))) ORDER BY id DESC LIMIT ? OFFSET ?")));
  std::string state = filter.state ? std::string(JobStateName(*filter.state)) : "";
  const std::string projects =
      filter.projects ? nlohmann::json(*filter.projects).dump() : std::string();
  query.Bind(state)
      .Bind(state)
      .Bind(filter.kind)
      .Bind(filter.kind)
      .Bind(projects)
      .Bind(projects)
      .Bind(filter.limit)
      .Bind(filter.offset);
  return query.Collect<JobRecord>(ReadJob);
}

Result<std::vector<std::string>> SqliteStore::JobLog(int64_t job_id) {
  std::lock_guard lock(mu_);
  AIMASS_RETURN_IF_ERROR(GetJobLocked(job_id));
  AIMASS_ASSIGN_OR_RETURN(auto query,
                          db_->Prepare("SELECT line FROM job_logs WHERE job_id = ? ORDER BY id"));
  query.Bind(job_id);
  return query.Collect<std::string>([](const Statement &row) { return row.Text(0); });
}

}  // namespace aimass::store
