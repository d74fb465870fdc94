#include "store/sqlite_model_rows.h"

namespace aimass::store::model_rows {

const char* const kModelSelect =
    "SELECT m.id, m.name, m.description, m.created_at, m.updated_at, "
    "(SELECT COUNT(*) FROM model_versions WHERE model_id = m.id), "
    "COALESCE((SELECT MAX(version) FROM model_versions WHERE model_id = m.id), 0), "
    "m.project_id, (SELECT name FROM projects WHERE id = m.project_id) "
    "FROM models m ";

const char* const kVersionSelect =
    "SELECT v.id, v.model_id, m.name, v.version, v.task, v.description, v.metrics_json, "
    "v.leaderboard_json, v.params_json, v.lineage_json, v.source_json, v.job_id, v.created_at "
    "FROM model_versions v JOIN models m ON m.id = v.model_id ";

std::unexpected<Error> NoModel(const std::string& name) {
  return Fail(ErrorCode::kNotFound, "model '" + name +
                                        "' does not exist; list models with GET /api/v1/models "
                                        "or `aimass models list`");
}

std::unexpected<Error> NoVersion(const std::string& name, int64_t version) {
  if (version == 0) {
    return Fail(ErrorCode::kNotFound, "model '" + name + "' has no versions yet");
  }
  return Fail(ErrorCode::kNotFound,
              "model '" + name + "' has no version " + std::to_string(version) +
                  "; see its versions with `aimass models show " + name + "`");
}

std::unexpected<Error> NoAlias(const std::string& name, const std::string& alias) {
  return Fail(ErrorCode::kNotFound, "model '" + name + "' has no alias '" + alias +
                                        "'; set one with `aimass models alias " + name + "@N " +
                                        alias + "`");
}

ModelRecord ReadModel(const Statement& row) {
  ModelRecord model;
  model.id = row.Int(0);
  model.name = row.Text(1);
  model.description = row.Text(2);
  model.created_at = row.Int(3);
  model.updated_at = row.Int(4);
  model.version_count = row.Int(5);
  model.latest_version = row.Int(6);
  model.project_id = row.Int(7);
  model.project = row.Text(8);
  return model;
}

ModelVersionRecord ReadVersion(const Statement& row) {
  ModelVersionRecord v;
  v.id = row.Int(0);
  v.model_id = row.Int(1);
  v.model_name = row.Text(2);
  v.version = row.Int(3);
  v.task = row.Text(4);
  v.description = row.Text(5);
  v.metrics_json = row.Text(6);
  v.leaderboard_json = row.Text(7);
  v.params_json = row.Text(8);
  v.lineage_json = row.Text(9);
  v.source_json = row.Text(10);
  v.job_id = row.Int(11);
  v.created_at = row.Int(12);
  return v;
}

Status AddTagsAndAliases(Database& db, ModelRecord& model) {
  AIMASS_ASSIGN_OR_RETURN(auto tags, db.Prepare("SELECT key, value FROM model_tags "
                                                "WHERE model_id = ? ORDER BY key"));
  tags.Bind(model.id);
  while (true) {
    AIMASS_ASSIGN_OR_RETURN(bool row, tags.Step());
    if (!row) break;
    model.tags[tags.Text(0)] = tags.Text(1);
  }
  AIMASS_ASSIGN_OR_RETURN(auto aliases, db.Prepare("SELECT a.alias, v.version FROM model_aliases a "
                                                   "JOIN model_versions v ON v.id = a.version_id "
                                                   "WHERE a.model_id = ? ORDER BY a.alias"));
  aliases.Bind(model.id);
  while (true) {
    AIMASS_ASSIGN_OR_RETURN(bool row, aliases.Step());
    if (!row) break;
    model.aliases[aliases.Text(0)] = aliases.Int(1);
  }
  return Ok();
}

Status AddMembersAndAliases(Database& db, ModelVersionRecord& version) {
  AIMASS_ASSIGN_OR_RETURN(auto members,
                          db.Prepare("SELECT name, blob_hash, size_bytes FROM model_members "
                                     "WHERE version_id = ? ORDER BY name"));
  members.Bind(version.id);
  AIMASS_ASSIGN_OR_RETURN(version.members,
                          members.Collect<ModelMemberRecord>([](const Statement& row) {
                            return ModelMemberRecord{row.Text(0), row.Text(1), row.Int(2)};
                          }));
  AIMASS_ASSIGN_OR_RETURN(auto aliases, db.Prepare("SELECT alias FROM model_aliases "
                                                   "WHERE version_id = ? ORDER BY alias"));
  aliases.Bind(version.id);
  AIMASS_ASSIGN_OR_RETURN(version.aliases, aliases.Collect<std::string>(
                                               [](const Statement& row) { return row.Text(0); }));
  return Ok();
}

Result<int64_t> ModelId(Database& db, const std::string& name) {
  AIMASS_ASSIGN_OR_RETURN(auto query, db.Prepare("SELECT id FROM models WHERE name = ?"));
  query.Bind(name);
  AIMASS_ASSIGN_OR_RETURN(bool found, query.Step());
  if (!found) return NoModel(name);
  return query.Int(0);
}

Result<int64_t> VersionId(Database& db, int64_t model_id, const std::string& name,
                          int64_t version) {
  AIMASS_ASSIGN_OR_RETURN(auto query, db.Prepare("SELECT id FROM model_versions "
                                                 "WHERE model_id = ? AND version = ?"));
  query.Bind(model_id).Bind(version);
  AIMASS_ASSIGN_OR_RETURN(bool found, query.Step());
  if (!found) return NoVersion(name, version);
  return query.Int(0);
}

Result<ModelRecord> ModelById(Database& db, int64_t model_id) {
  AIMASS_ASSIGN_OR_RETURN(
      auto models, Models(db, "WHERE m.id = ?", [&](Statement& query) { query.Bind(model_id); }));
  if (models.empty()) return Fail(ErrorCode::kNotFound, "the model was deleted meanwhile");
  return std::move(models.front());
}

Result<ModelVersionRecord> VersionById(Database& db, int64_t version_id) {
  AIMASS_ASSIGN_OR_RETURN(auto versions, Versions(db, "WHERE v.id = ?", [&](Statement& query) {
                            query.Bind(version_id);
                          }));
  if (versions.empty()) {
    return Fail(ErrorCode::kNotFound, "the model version was deleted meanwhile");
  }
  return std::move(versions.front());
}

}  // namespace aimass::store::model_rows
