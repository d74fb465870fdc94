// The DataLake sources half of SqliteStore: what each source is (in the ledger) and how its
// runs go (source_states, not in the ledger).
#include <nlohmann/json.hpp>
#include <string>

#include "common/actor.h"
#include "common/hash.h"
#include "common/project_scope.h"
#include "store/sqlite_store.h"

namespace aimass::store {
namespace {

constexpr const char *kSourceSelect =
    "SELECT s.id, s.name, s.kind, s.dataset, s.config, s.enabled, s.created_by, s.created_at, "
    "s.updated_at, s.project_id, p.name, st.job_id, st.last_run_at, st.last_success_at, "
    "st.rows_taken, st.batches, st.last_rows, st.lag_ms, st.error, st.failures, "
    "st.next_run_at FROM sources s JOIN projects p ON p.id = s.project_id "
    "JOIN source_states st ON st.source_id = s.id ";

SourceRecord ReadSource(const Statement &row) {
  SourceRecord source;
  source.id = row.Int(0);
  source.name = row.Text(1);
  source.kind = row.Text(2);
  source.dataset = row.Text(3);
  source.config_json = row.Text(4);
  source.enabled = row.Int(5) != 0;
  source.created_by = row.Text(6);
  source.created_at = row.Int(7);
  source.updated_at = row.Int(8);
  source.project_id = row.Int(9);
  source.project = row.Text(10);
  source.state.job_id = row.Int(11);
  source.state.last_run_at = row.OptionalInt(12);
  source.state.last_success_at = row.OptionalInt(13);
  source.state.rows_taken = row.Int(14);
  source.state.batches = row.Int(15);
  source.state.last_rows = row.Int(16);
  source.state.lag_ms = row.OptionalInt(17);
  source.state.error = row.Text(18);
  source.state.failures = row.Int(19);
  source.state.next_run_at = row.Int(20);
  return source;
}

std::unexpected<Error> NoSource(const std::string &name) {
  return Fail(ErrorCode::kNotFound, "source '" + name +
                                        "' does not exist; list sources with GET "
                                        "/api/v1/sources or `aimass sources list`");
}

// What the ledger keeps of a source's settings: the kind, dataset and the config's hash
// (a config may hold a connection string).
nlohmann::json LedgerDetails(const SourceRecord &source) {
  return {{"kind", source.kind},
          {"dataset", source.dataset},
          {"config_sha256", Sha256Hex(source.config_json)},
          {"enabled", source.enabled}};
}

}  // namespace

Result<SourceRecord> SqliteStore::GetSourceLocked(const std::string &name) {
  AIMASS_ASSIGN_OR_RETURN(auto query,
                          db_->Prepare(std::string(kSourceSelect) + "WHERE s.name = ?"));
  query.Bind(name);
  AIMASS_ASSIGN_OR_RETURN(bool found, query.Step());
  if (!found) return NoSource(name);
  return ReadSource(query);
}

Result<SourceRecord> SqliteStore::CreateSource(const SourceRecord &source, int64_t now) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  AIMASS_RETURN_IF_ERROR(tx.Begin());
  AIMASS_RETURN_IF_ERROR(CheckSameProjectLocked("datasets", source.dataset));
  AIMASS_ASSIGN_OR_RETURN(
      auto insert,
      db_->Prepare("INSERT INTO sources(name, kind, dataset, config, project_id, enabled, "
                   "created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  auto inserted = insert.Bind(source.name)
                      .Bind(source.kind)
                      .Bind(source.dataset)
                      .Bind(source.config_json)
                      .Bind(ProjectScope::Current())
                      .Bind(source.enabled ? 1 : 0)
                      .Bind(ActorScope::Current())
                      .Bind(now)
                      .Bind(now)
                      .Run();
  if (!inserted && inserted.error().code == ErrorCode::kConflict) {
    return Fail(ErrorCode::kConflict, "source '" + source.name +
                                          "' already exists; choose another name, or change "
                                          "it with PUT /api/v1/sources/" +
                                          source.name);
  }
  AIMASS_RETURN_IF_ERROR(inserted);
  AIMASS_ASSIGN_OR_RETURN(
      auto state, db_->Prepare("INSERT INTO source_states(source_id, next_run_at) VALUES (?, ?)"));
  AIMASS_RETURN_IF_ERROR(state.Bind(db_->LastInsertId()).Bind(now).Run());
  AIMASS_ASSIGN_OR_RETURN(SourceRecord created, GetSourceLocked(source.name));
  AIMASS_RETURN_IF_ERROR(
      AppendLedgerLocked({"source.created", "source:" + source.name, LedgerDetails(created)}, now));
  AIMASS_RETURN_IF_ERROR(tx.Commit());
  return created;
}

Result<SourceRecord> SqliteStore::GetSource(const std::string &name) {
  std::lock_guard lock(mu_);
  return GetSourceLocked(name);
}

Result<std::vector<SourceRecord>> SqliteStore::ListSources(
    const std::optional<std::vector<int64_t>> &projects) {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(auto query,
                          db_->Prepare(std::string(kSourceSelect) +
                                       "WHERE ?1 = '' OR s.project_id IN (SELECT value FROM "
                                       "json_each(CASE WHEN ?1 = '' THEN '[]' ELSE ?1 END)) "
                                       "ORDER BY s.name"));
  query.Bind(projects ? nlohmann::json(*projects).dump() : std::string());
  return query.Collect<SourceRecord>(ReadSource);
}

Result<SourceRecord> SqliteStore::UpdateSource(const std::string &name,
                                               const std::string &config_json, bool enabled,
                                               int64_t now) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  AIMASS_RETURN_IF_ERROR(tx.Begin());
  AIMASS_ASSIGN_OR_RETURN(
      auto update,
      db_->Prepare("UPDATE sources SET config = ?, enabled = ?, updated_at = ? WHERE name = ?"));
  AIMASS_RETURN_IF_ERROR(update.Bind(config_json).Bind(enabled ? 1 : 0).Bind(now).Bind(name).Run());
  if (db_->Changes() == 0) return NoSource(name);
  AIMASS_ASSIGN_OR_RETURN(SourceRecord updated, GetSourceLocked(name));
  AIMASS_RETURN_IF_ERROR(
      AppendLedgerLocked({"source.updated", "source:" + name, LedgerDetails(updated)}, now));
  AIMASS_RETURN_IF_ERROR(tx.Commit());
  return updated;
}

Status SqliteStore::DeleteSource(const std::string &name, int64_t now) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  AIMASS_RETURN_IF_ERROR(tx.Begin());
  AIMASS_ASSIGN_OR_RETURN(SourceRecord source, GetSourceLocked(name));
  AIMASS_ASSIGN_OR_RETURN(auto state,
                          db_->Prepare("DELETE FROM source_states WHERE source_id = ?"));
  AIMASS_RETURN_IF_ERROR(state.Bind(source.id).Run());
  AIMASS_ASSIGN_OR_RETURN(auto remove, db_->Prepare("DELETE FROM sources WHERE id = ?"));
  AIMASS_RETURN_IF_ERROR(remove.Bind(source.id).Run());
  AIMASS_RETURN_IF_ERROR(AppendLedgerLocked({"source.deleted", "source:" + name}, now));
  return tx.Commit();
}

Status SqliteStore::SetSourceState(int64_t source_id, const SourceRunState &state) {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(
      auto update,
      db_->Prepare("UPDATE source_states SET job_id = ?, last_run_at = ?, last_success_at = ?, "
                   "lag_ms = ?, error = ?, failures = ?, next_run_at = ? WHERE source_id = ?"));
  AIMASS_RETURN_IF_ERROR(update.Bind(state.job_id)
                             .Bind(state.last_run_at)
                             .Bind(state.last_success_at)
                             .Bind(state.lag_ms)
                             .Bind(state.error)
                             .Bind(state.failures)
                             .Bind(state.next_run_at)
                             .Bind(source_id)
                             .Run());
  if (db_->Changes() == 0) {
    return Fail(ErrorCode::kNotFound,
                "source " + std::to_string(source_id) + " was deleted while it ran");
  }
  return Ok();
}

Result<std::optional<std::string>> SqliteStore::NewestSourceVersion(const std::string &dataset,
                                                                    int64_t source_id) {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(
      auto query,
      db_->Prepare("SELECT v.source_json FROM dataset_versions v JOIN datasets d ON d.id = "
                   "v.dataset_id WHERE d.name = ? AND json_valid(v.source_json) AND "
                   "json_extract(v.source_json, '$.source_id') = ? ORDER BY v.id DESC LIMIT 1"));
  query.Bind(dataset).Bind(source_id);
  AIMASS_ASSIGN_OR_RETURN(bool found, query.Step());
  if (!found) return std::optional<std::string>();
  return std::optional<std::string>(query.Text(0));
}

}  // namespace aimass::store
