#include "store/sqlite_store.h"

#include "store/migrations.h"

namespace aimass::store {
std::string_view JobStateName(JobState state) {
  switch (state) {
    case JobState::kQueued:
      return "queued";
    case JobState::kRunning:
      return "running";
    case JobState::kSucceeded:
      return "succeeded";
    case JobState::kFailed:
      return "failed";
    case JobState::kCancelled:
      return "cancelled";
  }
  return "failed";
}

std::optional<JobState> ParseJobState(std::string_view name) {
  for (JobState state : {JobState::kQueued, JobState::kRunning, JobState::kSucceeded,
                         JobState::kFailed, JobState::kCancelled}) {
    if (JobStateName(state) == name) return state;
  }
  return std::nullopt;
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::filesystem::path &file) {
  AIMASS_ASSIGN_OR_RETURN(auto db, Database::Open(file));
  AIMASS_RETURN_IF_ERROR(Migrate(*db));
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(db)));
}

Result<std::string> SqliteStore::IntegrityCheck() {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(auto query, db_->Prepare("PRAGMA integrity_check"));
  AIMASS_ASSIGN_OR_RETURN(
      auto lines, query.Collect<std::string>([](const Statement &row) { return row.Text(0); }));
  std::string report;
  for (const auto &line : lines) report += (report.empty() ? "" : "; ") + line;
  return report;
}

}  // namespace aimass::store
