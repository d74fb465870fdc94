// The model half of SqliteStore: creating models, adding immutable versions (from jobs or
// imports), and reading and searching them. Changes to aliases, tags, descriptions and
// deletion are in sqlite_store_model_changes.cc.
#include <string>

#include "common/project_scope.h"
#include "store/ledger_details.h"
#include "store/sqlite_model_rows.h"
#include "store/sqlite_store.h"

namespace aimass::store {
namespace {

using namespace model_rows;

const char* ComparisonSql(Comparison op) {
  switch (op) {
    case Comparison::kLess:
      return "<";
    case Comparison::kLessOrEqual:
      return "<=";
    case Comparison::kEqual:
      return "=";
    case Comparison::kGreaterOrEqual:
      return ">=";
    case Comparison::kGreater:
      return ">";
  }
  return "=";
}

// The JSON path of a top-level key: $."roc_auc". Metric names follow the name rules (no
// quotes), which the registry checks.
std::string MetricPath(const std::string& metric) { return "$.\"" + metric + "\""; }

}  // namespace

Result<CreatedModel> SqliteStore::CreateModel(const NewModel& model, int64_t now) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  AIMASS_RETURN_IF_ERROR(tx.Begin());
  AIMASS_RETURN_IF_ERROR(CheckSameProjectLocked("models", model.name));
  AIMASS_ASSIGN_OR_RETURN(auto insert,
                          db_->Prepare("INSERT OR IGNORE INTO models(name, description, "
                                       "created_at, updated_at, project_id) VALUES (?, ?, ?, ?, ?)"));
  AIMASS_RETURN_IF_ERROR(insert.Bind(model.name)
                             .Bind(model.description)
                             .Bind(now)
                             .Bind(now)
                             .Bind(ProjectScope::Current())
                             .Run());
  const bool created = db_->Changes() > 0;
  AIMASS_ASSIGN_OR_RETURN(int64_t id, ModelId(*db_, model.name));
  if (created) {
    for (const auto& [key, value] : model.tags) {
      AIMASS_ASSIGN_OR_RETURN(
          auto tag, db_->Prepare("INSERT INTO model_tags(model_id, key, value) VALUES (?, ?, ?)"));
      AIMASS_RETURN_IF_ERROR(tag.Bind(id).Bind(key).Bind(value).Run());
    }
  }
  AIMASS_ASSIGN_OR_RETURN(ModelRecord record, ModelById(*db_, id));
  if (created) {
    AIMASS_RETURN_IF_ERROR(AppendLedgerLocked(
        {"model.created",
         "model:" + model.name,
         {{"description", model.description}, {"tags", model.tags}}},
        now));
  }
  AIMASS_RETURN_IF_ERROR(tx.Commit());
  return CreatedModel{std::move(record), created};
}

Result<ModelVersionRecord> SqliteStore::AddModelVersionLocked(const NewModelVersion& version,
                                                              int64_t job_id, int64_t now) {
  AIMASS_RETURN_IF_ERROR(CheckSameProjectLocked("models", version.model_name));
  AIMASS_ASSIGN_OR_RETURN(auto create,
                          db_->Prepare("INSERT OR IGNORE INTO models(name, created_at, "
                                       "updated_at, project_id) VALUES (?, ?, ?, ?)"));
  AIMASS_RETURN_IF_ERROR(
      create.Bind(version.model_name).Bind(now).Bind(now).Bind(ProjectScope::Current()).Run());
  if (db_->Changes() > 0) {
    AIMASS_RETURN_IF_ERROR(AppendLedgerLocked({"model.created", "model:" + version.model_name}, now));
  }
  AIMASS_ASSIGN_OR_RETURN(auto pick,
                          db_->Prepare("SELECT id, next_version FROM models WHERE name = ?"));
  pick.Bind(version.model_name);
  AIMASS_RETURN_IF_ERROR(pick.Step());
  const int64_t model_id = pick.Int(0);
  const int64_t number = pick.Int(1);
  AIMASS_ASSIGN_OR_RETURN(
      auto insert,
      db_->Prepare("INSERT INTO model_versions(model_id, version, task, description, "
                   "metrics_json, leaderboard_json, params_json, lineage_json, source_json, "
                   "job_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  AIMASS_RETURN_IF_ERROR(insert.Bind(model_id)
                             .Bind(number)
                             .Bind(version.task)
                             .Bind(version.description)
                             .Bind(version.metrics_json)
                             .Bind(version.leaderboard_json)
                             .Bind(version.params_json)
                             .Bind(version.lineage_json)
                             .Bind(version.source_json)
                             .Bind(job_id)
                             .Bind(now)
                             .Run());
  const int64_t version_id = db_->LastInsertId();
  AIMASS_ASSIGN_OR_RETURN(auto bump, db_->Prepare("UPDATE models SET next_version = ?, "
                                                  "updated_at = ? WHERE id = ?"));
  AIMASS_RETURN_IF_ERROR(bump.Bind(number + 1).Bind(now).Bind(model_id).Run());
  for (const auto& member : version.members) {
    AIMASS_ASSIGN_OR_RETURN(auto add, db_->Prepare("INSERT INTO model_members(version_id, name, "
                                                   "blob_hash, size_bytes) VALUES (?, ?, ?, ?)"));
    auto added =
        add.Bind(version_id).Bind(member.name).Bind(member.blob_hash).Bind(member.size_bytes).Run();
    if (!added && added.error().code == ErrorCode::kConflict) {
      return Fail(ErrorCode::kInvalidArgument,
                  "member '" + member.name + "' is given twice; each member needs its own name");
    }
    AIMASS_RETURN_IF_ERROR(added);
  }
  nlohmann::json members = nlohmann::json::object();
  for (const auto& member : version.members) members[member.name] = member.blob_hash;
  const std::string ref = version.model_name + "@" + std::to_string(number);
  AIMASS_RETURN_IF_ERROR(
      AppendLedgerLocked({"model.version.registered",
                          "model:" + ref,
                          {{"task", version.task},
                           {"members", members},
                           {"metrics", ColumnValue(version.metrics_json)},
                           {"lineage", ColumnValue(version.lineage_json)},
                           {"source", ColumnValue(version.source_json)},
                           {"params_sha256", ColumnHash(version.params_json)},
                           {"leaderboard_sha256", ColumnHash(version.leaderboard_json)},
                           {"job", job_id}}},
                         now));
  return VersionById(*db_, version_id);
}

Result<ModelVersionRecord> SqliteStore::CommitModelVersion(
    const NewModelVersion& version, const JobLease& lease, int64_t now,
    const std::function<std::string(const ModelVersionRecord&)>& make_result) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  AIMASS_RETURN_IF_ERROR(tx.Begin());
  AIMASS_RETURN_IF_ERROR(CheckCommitLocked(lease));
  AIMASS_ASSIGN_OR_RETURN(ModelVersionRecord record,
                          AddModelVersionLocked(version, lease.job_id, now));
  AIMASS_RETURN_IF_ERROR(
      FinishJobLocked(lease, JobState::kSucceeded, make_result(record), "", now));
  AIMASS_RETURN_IF_ERROR(tx.Commit());
  return record;
}

Result<ModelVersionRecord> SqliteStore::AddModelVersion(const NewModelVersion& version,
                                                        int64_t now) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  AIMASS_RETURN_IF_ERROR(tx.Begin());
  AIMASS_ASSIGN_OR_RETURN(ModelVersionRecord record, AddModelVersionLocked(version, 0, now));
  AIMASS_RETURN_IF_ERROR(tx.Commit());
  return record;
}

Result<ModelRecord> SqliteStore::GetModel(const std::string& name) {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(int64_t id, ModelId(*db_, name));
  return ModelById(*db_, id);
}

Result<std::vector<ModelRecord>> SqliteStore::SearchModels(const ModelFilter& filter) {
  std::lock_guard lock(mu_);
  // ?1 and ?2 are named by number; every later '?' takes the next number in order.
  std::string where = "WHERE (?1 = '' OR m.name = ?1) AND (?2 = '' OR m.name LIKE ?2 ESCAPE '\\') ";
  for (size_t i = 0; i < filter.tags.size(); ++i) {
    where +=
        "AND EXISTS (SELECT 1 FROM model_tags t WHERE t.model_id = m.id AND t.key = ? "
        "AND t.value = ?) ";
  }
  if (filter.metric) {
    where += std::string(
                 "AND EXISTS (SELECT 1 FROM model_versions v WHERE v.model_id = m.id AND "
                 "v.version = (SELECT MAX(version) FROM model_versions WHERE model_id = m.id) "
                 "AND json_type(v.metrics_json, ?) IN ('integer', 'real') "
                 "AND json_extract(v.metrics_json, ?) ") +
             ComparisonSql(filter.metric->op) + " ?) ";
  }
  const std::string projects =
      filter.projects ? nlohmann::json(*filter.projects).dump() : std::string();
  if (filter.projects) where += "AND m.project_id IN (SELECT value FROM json_each(?)) ";
  where += "ORDER BY m.name LIMIT ? OFFSET ?";
  return Models(*db_, where, [&](Statement& query) {
    query.Bind(filter.name).Bind(filter.name_like);
    for (const auto& [key, value] : filter.tags) query.Bind(key).Bind(value);
    if (filter.metric) {
      const std::string path = MetricPath(filter.metric->metric);
      query.Bind(path).Bind(path).Bind(filter.metric->value);
    }
    if (filter.projects) query.Bind(projects);
    query.Bind(filter.limit).Bind(filter.offset);
  });
}

Result<std::vector<ModelVersionRecord>> SqliteStore::ListModelVersions(const std::string& name) {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(int64_t id, ModelId(*db_, name));
  return Versions(*db_, "WHERE v.model_id = ? ORDER BY v.version",
                  [&](Statement& query) { query.Bind(id); });
}

Result<ModelVersionRecord> SqliteStore::GetModelVersion(const std::string& name, int64_t version) {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(int64_t id, ModelId(*db_, name));
  AIMASS_ASSIGN_OR_RETURN(
      auto versions,
      Versions(*db_,
               "WHERE v.model_id = ? AND (? = 0 OR v.version = ?) "
               "ORDER BY v.version DESC LIMIT 1",
               [&](Statement& query) { query.Bind(id).Bind(version).Bind(version); }));
  if (versions.empty()) return NoVersion(name, version);
  return std::move(versions.front());
}

Result<ModelVersionRecord> SqliteStore::GetModelVersionByAlias(const std::string& name,
                                                               const std::string& alias) {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(int64_t id, ModelId(*db_, name));
  AIMASS_ASSIGN_OR_RETURN(auto query, db_->Prepare("SELECT version_id FROM model_aliases "
                                                   "WHERE model_id = ? AND alias = ?"));
  query.Bind(id).Bind(alias);
  AIMASS_ASSIGN_OR_RETURN(bool found, query.Step());
  if (!found) return NoAlias(name, alias);
  return VersionById(*db_, query.Int(0));
}

}  // namespace aimass::store
