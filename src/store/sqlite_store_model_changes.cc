// The model half of SqliteStore, continued: aliases, tags, descriptions and deletion.
// Each change is one transaction that also stamps the model's updated_at.
#include <string>

#include "store/ledger_details.h"
#include "store/sqlite_model_rows.h"
#include "store/sqlite_store.h"

namespace aimass::store {
namespace {

using namespace model_rows;

Status Touch(Database& db, int64_t model_id, int64_t now) {
  AIMASS_ASSIGN_OR_RETURN(auto touch, db.Prepare("UPDATE models SET updated_at = ? WHERE id = ?"));
  return touch.Bind(now).Bind(model_id).Run();
}

// The blob hashes of the members that `where` (over model_versions v) selects.
template <typename Bind>
Result<std::vector<std::string>> MemberBlobs(Database& db, const std::string& where, Bind bind) {
  AIMASS_ASSIGN_OR_RETURN(auto query, db.Prepare("SELECT mm.blob_hash FROM model_members mm "
                                                 "JOIN model_versions v ON v.id = mm.version_id " +
                                                 where));
  bind(query);
  return query.Collect<std::string>([](const Statement& row) { return row.Text(0); });
}

}  // namespace

Result<ModelVersionRecord> SqliteStore::SetModelAlias(const std::string& name,
                                                      const std::string& alias, int64_t version,
                                                      int64_t now) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  AIMASS_RETURN_IF_ERROR(tx.Begin());
  AIMASS_ASSIGN_OR_RETURN(int64_t model_id, ModelId(*db_, name));
  AIMASS_ASSIGN_OR_RETURN(int64_t version_id, VersionId(*db_, model_id, name, version));
  // One statement creates or moves the alias: no moment without it.
  AIMASS_ASSIGN_OR_RETURN(
      auto upsert,
      db_->Prepare("INSERT INTO model_aliases(model_id, alias, version_id, updated_at) "
                   "VALUES (?, ?, ?, ?) ON CONFLICT(model_id, alias) DO UPDATE SET "
                   "version_id = excluded.version_id, updated_at = excluded.updated_at"));
  AIMASS_RETURN_IF_ERROR(upsert.Bind(model_id).Bind(alias).Bind(version_id).Bind(now).Run());
  AIMASS_RETURN_IF_ERROR(Touch(*db_, model_id, now));
  AIMASS_RETURN_IF_ERROR(AppendLedgerLocked(
      {"model.alias.set", "model:" + name, {{"alias", alias}, {"version", version}}}, now));
  AIMASS_ASSIGN_OR_RETURN(ModelVersionRecord record, VersionById(*db_, version_id));
  AIMASS_RETURN_IF_ERROR(tx.Commit());
  return record;
}

Status SqliteStore::DeleteModelAlias(const std::string& name, const std::string& alias,
                                     int64_t now) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  AIMASS_RETURN_IF_ERROR(tx.Begin());
  AIMASS_ASSIGN_OR_RETURN(int64_t model_id, ModelId(*db_, name));
  AIMASS_ASSIGN_OR_RETURN(
      auto remove, db_->Prepare("DELETE FROM model_aliases WHERE model_id = ? AND alias = ?"));
  AIMASS_RETURN_IF_ERROR(remove.Bind(model_id).Bind(alias).Run());
  if (db_->Changes() == 0) return NoAlias(name, alias);
  AIMASS_RETURN_IF_ERROR(Touch(*db_, model_id, now));
  AIMASS_RETURN_IF_ERROR(
      AppendLedgerLocked({"model.alias.removed", "model:" + name, {{"alias", alias}}}, now));
  return tx.Commit();
}

Result<ModelRecord> SqliteStore::SetModelTag(const std::string& name, const std::string& key,
                                             const std::string& value, int64_t now) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  AIMASS_RETURN_IF_ERROR(tx.Begin());
  AIMASS_ASSIGN_OR_RETURN(int64_t model_id, ModelId(*db_, name));
  AIMASS_ASSIGN_OR_RETURN(auto upsert, db_->Prepare("INSERT INTO model_tags(model_id, key, value) "
                                                    "VALUES (?, ?, ?) ON CONFLICT(model_id, key) "
                                                    "DO UPDATE SET value = excluded.value"));
  AIMASS_RETURN_IF_ERROR(upsert.Bind(model_id).Bind(key).Bind(value).Run());
  AIMASS_RETURN_IF_ERROR(Touch(*db_, model_id, now));
  AIMASS_RETURN_IF_ERROR(AppendLedgerLocked(
      {"model.tag.set", "model:" + name, {{"key", key}, {"value", value}}}, now));
  AIMASS_ASSIGN_OR_RETURN(ModelRecord record, ModelById(*db_, model_id));
  AIMASS_RETURN_IF_ERROR(tx.Commit());
  return record;
}

Result<ModelRecord> SqliteStore::DeleteModelTag(const std::string& name, const std::string& key,
                                                int64_t now) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  AIMASS_RETURN_IF_ERROR(tx.Begin());
  AIMASS_ASSIGN_OR_RETURN(int64_t model_id, ModelId(*db_, name));
  AIMASS_ASSIGN_OR_RETURN(auto remove,
                          db_->Prepare("DELETE FROM model_tags WHERE model_id = ? AND key = ?"));
  AIMASS_RETURN_IF_ERROR(remove.Bind(model_id).Bind(key).Run());
  if (db_->Changes() == 0) {
    return Fail(ErrorCode::kNotFound, "model '" + name + "' has no tag '" + key + "'");
  }
  AIMASS_RETURN_IF_ERROR(Touch(*db_, model_id, now));
  AIMASS_RETURN_IF_ERROR(
      AppendLedgerLocked({"model.tag.removed", "model:" + name, {{"key", key}}}, now));
  AIMASS_ASSIGN_OR_RETURN(ModelRecord record, ModelById(*db_, model_id));
  AIMASS_RETURN_IF_ERROR(tx.Commit());
  return record;
}

Result<ModelRecord> SqliteStore::SetModelDescription(const std::string& name,
                                                     const std::string& description, int64_t now) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  AIMASS_RETURN_IF_ERROR(tx.Begin());
  AIMASS_ASSIGN_OR_RETURN(int64_t model_id, ModelId(*db_, name));
  AIMASS_ASSIGN_OR_RETURN(auto update, db_->Prepare("UPDATE models SET description = ?, "
                                                    "updated_at = ? WHERE id = ?"));
  AIMASS_RETURN_IF_ERROR(update.Bind(description).Bind(now).Bind(model_id).Run());
  AIMASS_RETURN_IF_ERROR(AppendLedgerLocked(
      {"model.description.set", "model:" + name, {{"description", description}}}, now));
  AIMASS_ASSIGN_OR_RETURN(ModelRecord record, ModelById(*db_, model_id));
  AIMASS_RETURN_IF_ERROR(tx.Commit());
  return record;
}

Result<std::vector<std::string>> SqliteStore::DeleteModelVersion(const std::string& name,
                                                                 int64_t version, int64_t now) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  AIMASS_RETURN_IF_ERROR(tx.Begin());
  AIMASS_ASSIGN_OR_RETURN(int64_t model_id, ModelId(*db_, name));
  AIMASS_ASSIGN_OR_RETURN(int64_t version_id, VersionId(*db_, model_id, name, version));
  // An alias is how serving and users find a version: it must be moved or removed first,
  // rather than vanish with the version.
  AIMASS_ASSIGN_OR_RETURN(auto aliased, db_->Prepare("SELECT alias FROM model_aliases "
                                                     "WHERE version_id = ? ORDER BY alias"));
  aliased.Bind(version_id);
  AIMASS_ASSIGN_OR_RETURN(bool has_alias, aliased.Step());
  if (has_alias) {
    const std::string alias = aliased.Text(0);
    const std::string ref = name + "@" + std::to_string(version);
    return Fail(ErrorCode::kConflict, "alias '" + alias + "' points at " + ref +
                                          "; move it (`aimass models alias " + name + "@N " +
                                          alias + "`) or remove it (`aimass models unalias " +
                                          name + " " + alias + "`), then delete " + ref);
  }
  AIMASS_ASSIGN_OR_RETURN(
      auto hashes, MemberBlobs(*db_, "WHERE v.id = ?", [&](Statement& q) { q.Bind(version_id); }));
  AIMASS_ASSIGN_OR_RETURN(auto members,
                          db_->Prepare("DELETE FROM model_members WHERE version_id = ?"));
  AIMASS_RETURN_IF_ERROR(members.Bind(version_id).Run());
  AIMASS_ASSIGN_OR_RETURN(auto remove, db_->Prepare("DELETE FROM model_versions WHERE id = ?"));
  AIMASS_RETURN_IF_ERROR(remove.Bind(version_id).Run());
  AIMASS_RETURN_IF_ERROR(Touch(*db_, model_id, now));
  AIMASS_RETURN_IF_ERROR(AppendLedgerLocked(
      {"model.version.deleted", "model:" + name + "@" + std::to_string(version)}, now));
  AIMASS_ASSIGN_OR_RETURN(auto orphans, OrphansLocked(hashes));
  AIMASS_RETURN_IF_ERROR(tx.Commit());
  return orphans;
}

Result<std::vector<std::string>> SqliteStore::DeleteModel(const std::string& name) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  AIMASS_RETURN_IF_ERROR(tx.Begin());
  AIMASS_ASSIGN_OR_RETURN(int64_t model_id, ModelId(*db_, name));
  AIMASS_ASSIGN_OR_RETURN(auto hashes, MemberBlobs(*db_, "WHERE v.model_id = ?",
                                                   [&](Statement& q) { q.Bind(model_id); }));
  for (const char* sql :
       {"DELETE FROM model_aliases WHERE model_id = ?", "DELETE FROM model_tags WHERE model_id = ?",
        "DELETE FROM model_members WHERE version_id IN "
        "(SELECT id FROM model_versions WHERE model_id = ?)",
        "DELETE FROM model_versions WHERE model_id = ?", "DELETE FROM models WHERE id = ?"}) {
    AIMASS_ASSIGN_OR_RETURN(auto remove, db_->Prepare(sql));
    AIMASS_RETURN_IF_ERROR(remove.Bind(model_id).Run());
  }
  AIMASS_RETURN_IF_ERROR(AppendLedgerLocked({"model.deleted", "model:" + name}, WallClockMillis()));
  AIMASS_ASSIGN_OR_RETURN(auto orphans, OrphansLocked(hashes));
  AIMASS_RETURN_IF_ERROR(tx.Commit());
  return orphans;
}

}  // namespace aimass::store
