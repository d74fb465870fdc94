// Reading model rows for SqliteStore's model half (sqlite_store_models.cc and
// sqlite_store_model_changes.cc): records with their tags, aliases and members, and the
// not-found errors users see. Internal to store/; callers hold SqliteStore's mutex.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/records.h"
#include "store/sqlite_db.h"

namespace aimass::store::model_rows {

std::unexpected<Error> NoModel(const std::string& name);
std::unexpected<Error> NoVersion(const std::string& name, int64_t version);
std::unexpected<Error> NoAlias(const std::string& name, const std::string& alias);

// The id of the model called `name`, or NoModel.
Result<int64_t> ModelId(Database& db, const std::string& name);
// The row id of `name@version` (model_id's), or NoVersion.
Result<int64_t> VersionId(Database& db, int64_t model_id, const std::string& name, int64_t version);

// Whole records (with tags and aliases; with members and aliases).
Result<ModelRecord> ModelById(Database& db, int64_t model_id);
Result<ModelVersionRecord> VersionById(Database& db, int64_t version_id);

// Models selected by `where` (a SQL tail after FROM models m, e.g. "WHERE m.name = ?"),
// whose parameters `bind` binds.
template <typename Bind>
Result<std::vector<ModelRecord>> Models(Database& db, const std::string& where, Bind bind);
// Versions selected by `where` (after FROM model_versions v JOIN models m).
template <typename Bind>
Result<std::vector<ModelVersionRecord>> Versions(Database& db, const std::string& where, Bind bind);

// The pieces the templates use.
extern const char* const kModelSelect;
extern const char* const kVersionSelect;
ModelRecord ReadModel(const Statement& row);
ModelVersionRecord ReadVersion(const Statement& row);
Status AddTagsAndAliases(Database& db, ModelRecord& model);
Status AddMembersAndAliases(Database& db, ModelVersionRecord& version);

template <typename Bind>
Result<std::vector<ModelRecord>> Models(Database& db, const std::string& where, Bind bind) {
  AIMASS_ASSIGN_OR_RETURN(auto query, db.Prepare(std::string(kModelSelect) + where));
  bind(query);
  AIMASS_ASSIGN_OR_RETURN(auto models, query.Collect<ModelRecord>(ReadModel));
  for (auto& model : models) AIMASS_RETURN_IF_ERROR(AddTagsAndAliases(db, model));
  return models;
}

template <typename Bind>
Result<std::vector<ModelVersionRecord>> Versions(Database& db, const std::string& where,
                                                 Bind bind) {
  AIMASS_ASSIGN_OR_RETURN(auto query, db.Prepare(std::string(kVersionSelect) + where));
  bind(query);
  AIMASS_ASSIGN_OR_RETURN(auto versions, query.Collect<ModelVersionRecord>(ReadVersion));
  for (auto& version : versions) AIMASS_RETURN_IF_ERROR(AddMembersAndAliases(db, version));
  return versions;
}

}  // namespace aimass::store::model_rows
