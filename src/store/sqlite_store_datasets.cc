// The dataset half of SqliteStore: datasets, immutable versions, holds,
// deletion.
#include <set>
#include <string>
#include <tuple>

#include "common/project_scope.h"
#include "store/ledger_details.h"
#include "store/sqlite_store.h"

namespace aimass::store {
namespace {

constexpr const char *kVersionSelect =
    "SELECT v.id, v.dataset_id, d.name, v.version, v.blob_hash, v.row_count, "
    "v.column_count, "
    "v.size_bytes, v.schema_json, v.stats_json, v.source_json, v.lineage_json, "
    "v.job_id, "
    "v.created_at FROM dataset_versions v JOIN datasets d ON d.id = "
    "v.dataset_id ";

DatasetVersionRecord ReadVersion(const Statement &row) {
  DatasetVersionRecord v;
  v.id = row.Int(0);
  v.dataset_id = row.Int(1);
  v.dataset_name = row.Text(2);
  v.version = row.Int(3);
  v.blob_hash = row.Text(4);
  v.row_count = row.Int(5);
  v.column_count = row.Int(6);
  v.size_bytes = row.Int(7);
  v.schema_json = row.Text(8);
  v.stats_json = row.Text(9);
  v.source_json = row.Text(10);
  v.lineage_json = row.Text(11);
  v.job_id = row.Int(12);
  v.created_at = row.Int(13);
  return v;
}

DatasetRecord ReadDataset(const Statement &row) {
  return DatasetRecord{row.Int(0), row.Text(1), row.Int(2), row.Int(3), row.Int(4), row.Text(5)};
}

std::unexpected<Error> NoDataset(const std::string &name) {
  return Fail(ErrorCode::kNotFound, "dataset '" + name +
                                        "' does not exist; list datasets with GET "
                                        "/api/v1/datasets or `aimass data list`");
}

}  // namespace

Result<DatasetVersionRecord> SqliteStore::CommitDatasetVersion(
    const NewDatasetVersion &version, const JobLease &lease, int64_t now,
    const std::function<std::string(const DatasetVersionRecord &)> &make_result) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  AIMASS_RETURN_IF_ERROR(tx.Begin());
  AIMASS_RETURN_IF_ERROR(CheckCommitLocked(lease));
  AIMASS_RETURN_IF_ERROR(CheckSameProjectLocked("datasets", version.dataset_name));
  AIMASS_ASSIGN_OR_RETURN(auto create, db_->Prepare("INSERT OR IGNORE INTO datasets(name, "
                                                    "created_at, project_id) VALUES (?, ?, ?)"));
  AIMASS_RETURN_IF_ERROR(
      create.Bind(version.dataset_name).Bind(now).Bind(ProjectScope::Current()).Run());
  AIMASS_ASSIGN_OR_RETURN(
      auto insert, db_->Prepare("INSERT INTO dataset_versions(dataset_id, version, blob_hash, "
                                "row_count, "
                                "column_count, size_bytes, schema_json, stats_json, source_json, "
                                "lineage_json, "
                                "job_id, created_at) "
                                "SELECT d.id, COALESCE((SELECT MAX(version) FROM dataset_versions "
                                "WHERE dataset_id = d.id), 0) + 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? "
                                "FROM datasets d WHERE d.name = ?"));
  AIMASS_RETURN_IF_ERROR(insert.Bind(version.blob_hash)
                             .Bind(version.row_count)
                             .Bind(version.column_count)
                             .Bind(version.size_bytes)
                             .Bind(version.schema_json)
                             .Bind(version.stats_json)
                             .Bind(version.source_json)
                             .Bind(version.lineage_json)
                             .Bind(lease.job_id)
                             .Bind(now)
                             .Bind(version.dataset_name)
                             .Run());
  AIMASS_ASSIGN_OR_RETURN(auto read, db_->Prepare(std::string(kVersionSelect) + "WHERE v.id = ?"));
  read.Bind(db_->LastInsertId());
  AIMASS_RETURN_IF_ERROR(read.Step());
  DatasetVersionRecord record = ReadVersion(read);
  // A source's batch (data/sources): its counters move with the version, in this transaction,
  // so a crash right after the commit cannot lose the batch from them.
  AIMASS_ASSIGN_OR_RETURN(
      auto counted,
      db_->Prepare("UPDATE source_states SET rows_taken = rows_taken + ?1, batches = batches + 1, "
                   "last_rows = ?1 WHERE source_id = json_extract(?2, '$.source_id')"));
  const nlohmann::json lineage = nlohmann::json::parse(version.lineage_json, nullptr, false);
  const int64_t batch_rows = lineage.is_object() && lineage.contains("appended_rows")
                                 ? lineage.value("appended_rows", record.row_count)
                                 : record.row_count;
  AIMASS_RETURN_IF_ERROR(counted.Bind(batch_rows)
                             .Bind(version.source_json.empty() ? "{}" : version.source_json)
                             .Run());
  AIMASS_RETURN_IF_ERROR(AppendLedgerLocked(
      {"dataset.version.created",
       "dataset:" + record.dataset_name + "@" + std::to_string(record.version),
       {{"blob", record.blob_hash},
        {"rows", record.row_count},
        {"columns", record.column_count},
        {"size_bytes", record.size_bytes},
        {"schema_sha256", ColumnHash(record.schema_json)},
        {"source", ColumnValue(record.source_json)},
        {"lineage", ColumnValue(record.lineage_json)},
        {"job", lease.job_id}}},
      now));
  AIMASS_RETURN_IF_ERROR(
      FinishJobLocked(lease, JobState::kSucceeded, make_result(record), "", now));
  AIMASS_RETURN_IF_ERROR(tx.Commit());
  return record;
}

Result<std::vector<DatasetRecord>> SqliteStore::ListDatasets() {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(
      auto query, db_->Prepare("SELECT d.id, d.name, d.created_at, COUNT(v.id), d.project_id, "
                               "p.name FROM datasets d JOIN projects p ON p.id = d.project_id "
                               "LEFT JOIN dataset_versions v ON v.dataset_id = d.id "
                               "GROUP BY d.id ORDER BY d.name"));
  return query.Collect<DatasetRecord>(ReadDataset);
}

Result<DatasetRecord> SqliteStore::GetDataset(const std::string &name) {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(
      auto query, db_->Prepare("SELECT d.id, d.name, d.created_at, "
                               "(SELECT COUNT(*) FROM dataset_versions WHERE dataset_id = d.id), "
                               "d.project_id, p.name FROM datasets d "
                               "JOIN projects p ON p.id = d.project_id WHERE d.name = ?"));
  query.Bind(name);
  AIMASS_ASSIGN_OR_RETURN(bool found, query.Step());
  if (!found) return NoDataset(name);
  return ReadDataset(query);
}

Result<std::vector<DatasetVersionRecord>> SqliteStore::ListVersions(int64_t dataset_id) {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(auto query, db_->Prepare(std::string(kVersionSelect) +
                                                   "WHERE v.dataset_id = ? ORDER BY v.version"));
  query.Bind(dataset_id);
  return query.Collect<DatasetVersionRecord>(ReadVersion);
}

Result<DatasetVersionRecord> SqliteStore::GetVersion(const std::string &name, int64_t version) {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(auto query, db_->Prepare(std::string(kVersionSelect) +
                                                   "WHERE d.name = ? AND (? = 0 OR v.version = ?) "
                                                   "ORDER BY v.version DESC LIMIT 1"));
  query.Bind(name).Bind(version).Bind(version);
  AIMASS_ASSIGN_OR_RETURN(bool found, query.Step());
  if (found) return ReadVersion(query);
  AIMASS_ASSIGN_OR_RETURN(auto exists, db_->Prepare("SELECT 1 FROM datasets WHERE name = ?"));
  exists.Bind(name);
  AIMASS_ASSIGN_OR_RETURN(bool dataset_exists, exists.Step());
  if (!dataset_exists) return NoDataset(name);
  if (version == 0) return Fail(ErrorCode::kNotFound, "dataset '" + name + "' has no versions");
  return Fail(ErrorCode::kNotFound, "dataset '" + name + "' has no version " +
                                        std::to_string(version) +
                                        "; see its versions with "
                                        "`aimass data show " +
                                        name + "`");
}

Result<std::vector<std::string>> SqliteStore::DeleteVersions(const std::string &name,
                                                             int64_t version, bool whole_dataset) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  AIMASS_RETURN_IF_ERROR(tx.Begin());
  AIMASS_ASSIGN_OR_RETURN(
      auto pick, db_->Prepare("SELECT v.id, v.version, v.blob_hash FROM dataset_versions v "
                              "JOIN datasets d ON d.id = v.dataset_id "
                              "WHERE d.name = ? AND (? = 1 OR v.version = ?)"));
  pick.Bind(name).Bind(whole_dataset ? 1 : 0).Bind(version);
  std::vector<std::tuple<int64_t, int64_t, std::string>> doomed;  // (id, version, blob hash)
  while (true) {
    AIMASS_ASSIGN_OR_RETURN(bool row, pick.Step());
    if (!row) break;
    AIMASS_ASSIGN_OR_RETURN(auto hold, db_->Prepare("SELECT h.job_id FROM version_holds h "
                                                    "WHERE h.version_id = ? LIMIT 1"));
    hold.Bind(pick.Int(0));
    AIMASS_ASSIGN_OR_RETURN(bool held, hold.Step());
    if (held) {
      return Fail(ErrorCode::kConflict,
                  name + "@" + std::to_string(pick.Int(1)) + " is in use by job " +
                      std::to_string(hold.Int(0)) + "; wait for it to finish or cancel it " +
                      "(`aimass jobs cancel " + std::to_string(hold.Int(0)) + "`), then delete");
    }
    doomed.emplace_back(pick.Int(0), pick.Int(1), pick.Text(2));
  }
  if (doomed.empty()) {
    AIMASS_ASSIGN_OR_RETURN(auto exists, db_->Prepare("SELECT 1 FROM datasets WHERE name = ?"));
    exists.Bind(name);
    AIMASS_ASSIGN_OR_RETURN(bool dataset_exists, exists.Step());
    if (!dataset_exists) return NoDataset(name);
    if (!whole_dataset) {
      return Fail(ErrorCode::kNotFound,
                  "dataset '" + name + "' has no version " + std::to_string(version));
    }
  }
  const int64_t now = WallClockMillis();
  for (const auto &[id, number, hash] : doomed) {
    AIMASS_ASSIGN_OR_RETURN(auto remove, db_->Prepare("DELETE FROM dataset_versions WHERE id = ?"));
    AIMASS_RETURN_IF_ERROR(remove.Bind(id).Run());
    AIMASS_RETURN_IF_ERROR(AppendLedgerLocked(
        {"dataset.version.deleted", "dataset:" + name + "@" + std::to_string(number)}, now));
  }
  if (whole_dataset) {
    AIMASS_ASSIGN_OR_RETURN(auto remove, db_->Prepare("DELETE FROM datasets WHERE name = ?"));
    AIMASS_RETURN_IF_ERROR(remove.Bind(name).Run());
    AIMASS_RETURN_IF_ERROR(AppendLedgerLocked({"dataset.deleted", "dataset:" + name}, now));
  }
  std::vector<std::string> hashes;
  for (const auto &[id, number, hash] : doomed) hashes.push_back(hash);
  AIMASS_ASSIGN_OR_RETURN(auto orphans, OrphansLocked(hashes));
  AIMASS_RETURN_IF_ERROR(tx.Commit());
  return orphans;
}

// A blob may be shared by dataset versions and model members (the same bytes stored
// twice are one blob), so both tables decide whether it is still needed.
Result<bool> SqliteStore::BlobReferencedLocked(const std::string &hash) {
  AIMASS_ASSIGN_OR_RETURN(
      auto still,
      db_->Prepare("SELECT EXISTS (SELECT 1 FROM dataset_versions WHERE blob_hash = ?1) "
                   "OR EXISTS (SELECT 1 FROM model_members WHERE blob_hash = ?1)"));
  still.Bind(hash);
  AIMASS_RETURN_IF_ERROR(still.Step());
  return still.Int(0) != 0;
}

Result<std::vector<std::string>> SqliteStore::OrphansLocked(
    const std::vector<std::string> &hashes) {
  std::set<std::string> orphans;
  for (const auto &hash : std::set<std::string>(hashes.begin(), hashes.end())) {
    AIMASS_ASSIGN_OR_RETURN(bool referenced, BlobReferencedLocked(hash));
    if (!referenced) orphans.insert(hash);
  }
  return std::vector<std::string>(orphans.begin(), orphans.end());
}

Result<std::vector<std::string>> SqliteStore::ReferencedBlobs() {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(auto query, db_->Prepare("SELECT blob_hash FROM dataset_versions UNION "
                                                   "SELECT blob_hash FROM model_members"));
  return query.Collect<std::string>([](const Statement &row) { return row.Text(0); });
}

}  // namespace aimass::store
