// The import allow-list half of SqliteStore: the hosts URL imports may fetch from.
#include <string>

#include "common/actor.h"
#include "store/sqlite_store.h"

namespace aimass::store {
namespace {

ImportHostRecord ReadImportHost(const Statement& row) {
  return ImportHostRecord{row.Text(0), row.Text(1), row.Int(2)};
}

}  // namespace

Result<std::vector<ImportHostRecord>> SqliteStore::ListImportHosts() {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(
      auto query, db_->Prepare("SELECT host, added_by, added_at FROM import_hosts ORDER BY host"));
  return query.Collect<ImportHostRecord>(ReadImportHost);
}

Result<std::pair<ImportHostRecord, bool>> SqliteStore::AddImportHost(const std::string& host,
                                                                     int64_t now) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  AIMASS_RETURN_IF_ERROR(tx.Begin());
  AIMASS_ASSIGN_OR_RETURN(
      auto existing,
      db_->Prepare("SELECT host, added_by, added_at FROM import_hosts WHERE host = ?"));
  existing.Bind(host);
  AIMASS_ASSIGN_OR_RETURN(bool found, existing.Step());
  if (found) return std::pair{ReadImportHost(existing), false};
  ImportHostRecord record{host, ActorScope::Current(), now};
  AIMASS_ASSIGN_OR_RETURN(
      auto insert,
      db_->Prepare("INSERT INTO import_hosts(host, added_by, added_at) VALUES (?, ?, ?)"));
  AIMASS_RETURN_IF_ERROR(insert.Bind(record.host).Bind(record.added_by).Bind(now).Run());
  AIMASS_RETURN_IF_ERROR(AppendLedgerLocked({"import_host.added", "import_host:" + host, {}}, now));
  AIMASS_RETURN_IF_ERROR(tx.Commit());
  return std::pair{record, true};
}

Status SqliteStore::RemoveImportHost(const std::string& host, int64_t now) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  AIMASS_RETURN_IF_ERROR(tx.Begin());
  AIMASS_ASSIGN_OR_RETURN(auto remove, db_->Prepare("DELETE FROM import_hosts WHERE host = ?"));
  AIMASS_RETURN_IF_ERROR(remove.Bind(host).Run());
  if (db_->Changes() == 0) {
    return Fail(ErrorCode::kNotFound, "host '" + host +
                                          "' is not on the import allow-list; see the list with "
                                          "`aimass import-hosts list`");
  }
  AIMASS_RETURN_IF_ERROR(
      AppendLedgerLocked({"import_host.removed", "import_host:" + host, {}}, now));
  return tx.Commit();
}

}  // namespace aimass::store
