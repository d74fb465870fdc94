// The ledger half of SqliteStore: appending entries inside the transaction of the change
// they describe, and reading entries and signed tree heads back.
#include <algorithm>
#include <string>

#include "common/actor.h"
#include "common/hash.h"
#include "store/sqlite_store.h"

namespace aimass::store {
namespace {

constexpr const char *kEntryColumns = "idx, at, actor, action, subject, entry, leaf_hash";

LedgerEntryRecord ReadEntry(const Statement &row) {
  LedgerEntryRecord entry;
  entry.index = row.Int(0);
  entry.at = row.Int(1);
  entry.actor = row.Text(2);
  entry.action = row.Text(3);
  entry.subject = row.Text(4);
  entry.entry_json = row.Text(5);
  entry.leaf_hash = row.Text(6);
  return entry;
}

// The bytes that are hashed: compact JSON with its keys sorted (nlohmann keeps objects
// sorted), so the same entry always has the same hash. Text that is not UTF-8 is replaced
// rather than refused: the change it describes is already valid.
std::string CanonicalEntry(int64_t index, int64_t at, const std::string &actor,
                           const LedgerChange &change) {
  const nlohmann::json entry = {{"index", index},
                                {"at", at},
                                {"actor", actor},
                                {"action", change.action},
                                {"subject", change.subject},
                                {"details", change.details}};
  return entry.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

Status SqliteStore::AppendLedgerLocked(const LedgerChange &change, int64_t now) {
  // The caller's BEGIN IMMEDIATE holds SQLite's write lock, so no other connection (another
  // aimass process on the same database) can take the same index in between.
  AIMASS_ASSIGN_OR_RETURN(auto next,
                          db_->Prepare("SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger_entries"));
  AIMASS_RETURN_IF_ERROR(next.Step());
  const int64_t index = next.Int(0);
  const std::string &actor = ActorScope::Current();
  const std::string entry = CanonicalEntry(index, now, actor, change);
  AIMASS_ASSIGN_OR_RETURN(auto insert,
                          db_->Prepare(std::string("INSERT INTO ledger_entries(") + kEntryColumns +
                                       ") VALUES (?, ?, ?, ?, ?, ?, ?)"));
  return insert.Bind(index)
      .Bind(now)
      .Bind(actor)
      .Bind(change.action)
      .Bind(change.subject)
      .Bind(entry)
      .Bind(Sha256Hex(std::string(1, '\0') + entry))
      .Run();
}

Status SqliteStore::RecordChange(const LedgerChange &change, int64_t now) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  AIMASS_RETURN_IF_ERROR(tx.Begin());
  AIMASS_RETURN_IF_ERROR(AppendLedgerLocked(change, now));
  return tx.Commit();
}

Result<int64_t> SqliteStore::LedgerSize() {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(auto query,
                          db_->Prepare("SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger_entries"));
  AIMASS_RETURN_IF_ERROR(query.Step());
  return query.Int(0);
}

Result<std::vector<LedgerEntryRecord>> SqliteStore::LedgerEntries(int64_t from, int64_t limit) {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(auto query, db_->Prepare(std::string("SELECT ") + kEntryColumns +
                                                   " FROM ledger_entries WHERE idx >= ? "
                                                   "ORDER BY idx LIMIT ?"));
  query.Bind(from).Bind(limit);
  return query.Collect<LedgerEntryRecord>(ReadEntry);
}

Result<std::vector<LedgerEntryRecord>> SqliteStore::LedgerEntriesAbout(
    const std::vector<std::string> &subjects) {
  std::lock_guard lock(mu_);
  std::vector<LedgerEntryRecord> entries;
  for (const auto &subject : subjects) {
    AIMASS_ASSIGN_OR_RETURN(auto query, db_->Prepare(std::string("SELECT ") + kEntryColumns +
                                                     " FROM ledger_entries WHERE subject = ?"));
    query.Bind(subject);
    AIMASS_ASSIGN_OR_RETURN(auto found, query.Collect<LedgerEntryRecord>(ReadEntry));
    entries.insert(entries.end(), found.begin(), found.end());
  }
  std::sort(entries.begin(), entries.end(),
            [](const auto &a, const auto &b) { return a.index < b.index; });
  return entries;
}

Status SqliteStore::AddTreeHead(const TreeHeadRecord &head) {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(auto insert,
                          db_->Prepare("INSERT OR IGNORE INTO ledger_heads(size, root, "
                                       "timestamp_ms, signature) VALUES (?, ?, ?, ?)"));
  return insert.Bind(head.size).Bind(head.root).Bind(head.timestamp_ms).Bind(head.signature).Run();
}

Result<std::vector<TreeHeadRecord>> SqliteStore::TreeHeads() {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(auto query, db_->Prepare("SELECT size, root, timestamp_ms, signature "
                                                   "FROM ledger_heads ORDER BY size"));
  return query.Collect<TreeHeadRecord>([](const Statement &row) {
    return TreeHeadRecord{row.Int(0), row.Text(1), row.Int(2), row.Text(3)};
  });
}

}  // namespace aimass::store
