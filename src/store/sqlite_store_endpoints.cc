// The endpoint half of SqliteStore: serving endpoints and the model references they answer
// with.
#include <string>

#include "common/project_scope.h"
#include "store/ledger_details.h"
#include "store/sqlite_store.h"

namespace aimass::store {
namespace {

constexpr const char *kColumns =
    "id, name, model, canary, canary_percent, shadow, created_at, updated_at, project_id, "
    "(SELECT name FROM projects WHERE projects.id = endpoints.project_id)";

EndpointRecord ReadEndpoint(const Statement &row) {
  EndpointRecord record;
  record.id = row.Int(0);
  record.name = row.Text(1);
  record.model = row.Text(2);
  record.canary = row.Text(3);
  record.canary_percent = static_cast<int>(row.Int(4));
  record.shadow = row.Text(5);
  record.created_at = row.Int(6);
  record.updated_at = row.Int(7);
  record.project_id = row.Int(8);
  record.project = row.Text(9);
  return record;
}

std::unexpected<Error> NoEndpoint(const std::string &name) {
  return Fail(ErrorCode::kNotFound, "no endpoint named '" + name +
                                        "'; GET /api/v1/endpoints lists them, and `aimass deploy "
                                        "MODEL@ALIAS --endpoint NAME` makes one");
}

// What an endpoint answers with, for its ledger entries.
nlohmann::json EndpointDetails(const EndpointRecord &endpoint) {
  return {{"model", endpoint.model},
          {"canary", endpoint.canary},
          {"canary_percent", endpoint.canary_percent},
          {"shadow", endpoint.shadow}};
}

}  // namespace

Result<EndpointRecord> SqliteStore::GetEndpointLocked(const std::string &name) {
  AIMASS_ASSIGN_OR_RETURN(auto query, db_->Prepare(std::string("SELECT ") + kColumns +
                                                   " FROM endpoints WHERE name = ?"));
  query.Bind(name);
  AIMASS_ASSIGN_OR_RETURN(auto rows, query.Collect<EndpointRecord>(ReadEndpoint));
  if (rows.empty()) return NoEndpoint(name);
  return rows.front();
}

Result<EndpointRecord> SqliteStore::CreateEndpoint(const EndpointRecord &endpoint, int64_t now) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  AIMASS_RETURN_IF_ERROR(tx.Begin());
  AIMASS_ASSIGN_OR_RETURN(
      auto insert, db_->Prepare("INSERT INTO endpoints(name, model, canary, canary_percent, "
                                "shadow, created_at, updated_at, project_id) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
  auto added = insert.Bind(endpoint.name)
                   .Bind(endpoint.model)
                   .Bind(endpoint.canary)
                   .Bind(endpoint.canary_percent)
                   .Bind(endpoint.shadow)
                   .Bind(now)
                   .Bind(now)
                   .Bind(ProjectScope::Current())
                   .Run();
  if (!added && added.error().code == ErrorCode::kConflict) {
    return Fail(ErrorCode::kConflict, "an endpoint named '" + endpoint.name +
                                          "' exists; PUT /api/v1/endpoints/" + endpoint.name +
                                          " changes its model, or pick another name");
  }
  AIMASS_RETURN_IF_ERROR(added);
  AIMASS_RETURN_IF_ERROR(AppendLedgerLocked(
      {"endpoint.deployed", "endpoint:" + endpoint.name, EndpointDetails(endpoint)}, now));
  AIMASS_ASSIGN_OR_RETURN(EndpointRecord record, GetEndpointLocked(endpoint.name));
  AIMASS_RETURN_IF_ERROR(tx.Commit());
  return record;
}

Result<EndpointRecord> SqliteStore::UpdateEndpoint(const EndpointRecord &endpoint, int64_t now) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  AIMASS_RETURN_IF_ERROR(tx.Begin());
  AIMASS_ASSIGN_OR_RETURN(auto update,
                          db_->Prepare("UPDATE endpoints SET model = ?, canary = ?, "
                                       "canary_percent = ?, shadow = ?, updated_at = ? "
                                       "WHERE name = ?"));
  AIMASS_RETURN_IF_ERROR(update.Bind(endpoint.model)
                             .Bind(endpoint.canary)
                             .Bind(endpoint.canary_percent)
                             .Bind(endpoint.shadow)
                             .Bind(now)
                             .Bind(endpoint.name)
                             .Run());
  if (db_->Changes() == 0) return NoEndpoint(endpoint.name);
  AIMASS_RETURN_IF_ERROR(AppendLedgerLocked(
      {"endpoint.changed", "endpoint:" + endpoint.name, EndpointDetails(endpoint)}, now));
  AIMASS_ASSIGN_OR_RETURN(EndpointRecord record, GetEndpointLocked(endpoint.name));
  AIMASS_RETURN_IF_ERROR(tx.Commit());
  return record;
}

Result<EndpointRecord> SqliteStore::GetEndpoint(const std::string &name) {
  std::lock_guard lock(mu_);
  return GetEndpointLocked(name);
}

Result<std::vector<EndpointRecord>> SqliteStore::ListEndpoints() {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(auto query, db_->Prepare(std::string("SELECT ") + kColumns +
                                                   " FROM endpoints ORDER BY name"));
  return query.Collect<EndpointRecord>(ReadEndpoint);
}

Status SqliteStore::DeleteEndpoint(const std::string &name) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  AIMASS_RETURN_IF_ERROR(tx.Begin());
  AIMASS_ASSIGN_OR_RETURN(auto remove, db_->Prepare("DELETE FROM endpoints WHERE name = ?"));
  AIMASS_RETURN_IF_ERROR(remove.Bind(name).Run());
  if (db_->Changes() == 0) return NoEndpoint(name);
  AIMASS_RETURN_IF_ERROR(
      AppendLedgerLocked({"endpoint.deleted", "endpoint:" + name}, WallClockMillis()));
  return tx.Commit();
}

}  // namespace aimass::store
