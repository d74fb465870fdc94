#include "security/ledger/verifier.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace aimass::security::ledger {
namespace {

constexpr int64_t kPage = 10'000;

std::string Entry(int64_t index) { return "entry " + std::to_string(index); }

// The fields of the entry's text that its columns repeat: a column changed alone (to hide
// an entry from a query by subject, say) is tampering too.
Status CheckColumns(const store::LedgerEntryRecord& entry, const nlohmann::json& text) {
  auto differs = [&](const char* field, const auto& column) {
    return !text.contains(field) || text[field] != column;
  };
  for (const auto& [field, same] : {std::pair{"at", !differs("at", entry.at)},
                                    {"actor", !differs("actor", entry.actor)},
                                    {"action", !differs("action", entry.action)},
                                    {"subject", !differs("subject", entry.subject)}}) {
    if (!same) {
      return Fail(ErrorCode::kConflict, Entry(entry.index) + "'s column '" + field +
                                            "' differs from its hashed text (edited)");
    }
  }
  return Ok();
}

// Each head's signature, and that the entries have the head's root at its size.
void CheckHeads(const std::vector<store::TreeHeadRecord>& records,
                const Ed25519PublicKey& public_key, const std::vector<Hash>& leaves,
                LedgerReport& report) {
  MerkleFrontier frontier;
  for (const auto& record : records) {
    auto head = FromRecord(record);
    if (!head) {
      report.problems.push_back("the head of size " + std::to_string(record.size) +
                                " is malformed: " + head.error().message);
      continue;
    }
    if (!VerifyTreeHead(*head, public_key)) {
      report.problems.push_back("the head of size " + std::to_string(head->size) +
                                " is not signed by this data directory's ledger key (forged)");
      continue;
    }
    if (head->size > leaves.size()) {
      report.problems.push_back("the head of size " + std::to_string(head->size) +
                                " covers more entries than there are (" +
                                std::to_string(leaves.size()) + "): entries were deleted");
      continue;
    }
    while (frontier.size() < head->size) frontier.Append(leaves[frontier.size()]);
    if (frontier.Root() != head->root) {
      report.problems.push_back("the first " + std::to_string(head->size) +
                                " entries no longer have the root their signed head says: "
                                "entries were edited, removed, reordered or inserted");
    }
    report.newest_head = *head;
  }
}

void CheckTrusted(const TreeHead& trusted, const Ed25519PublicKey& public_key,
                  const std::vector<Hash>& leaves, LedgerReport& report) {
  if (!VerifyTreeHead(trusted, public_key)) {
    report.problems.push_back(
        "the trusted head is not signed by this data directory's ledger key: the key was "
        "replaced, or the head comes from another data directory");
    return;
  }
  if (trusted.size > leaves.size()) {
    report.problems.push_back("the trusted head has " + std::to_string(trusted.size) +
                              " entries, the ledger only " + std::to_string(leaves.size()) +
                              ": it was truncated");
    return;
  }
  const std::span<const Hash> prefix(leaves.data(), trusted.size);
  if (RootOf(prefix) != trusted.root) {
    report.problems.push_back("the first " + std::to_string(trusted.size) +
                              " entries differ from those the trusted head signed: the "
                              "ledger was rewritten since");
  }
}

}  // namespace

Result<Hash> CheckedLeafHash(const store::LedgerEntryRecord& entry, int64_t expected) {
  if (entry.index != expected) {
    return Fail(ErrorCode::kConflict,
                Entry(expected) + " is missing (deleted), the next is " + Entry(entry.index));
  }
  const int64_t index = entry.index;
  const Hash leaf = LeafHash(entry.entry_json);
  if (HashToHex(leaf) != entry.leaf_hash) {
    return Fail(ErrorCode::kConflict,
                Entry(index) + "'s text does not hash to its stored leaf hash (edited)");
  }
  const auto text = nlohmann::json::parse(entry.entry_json, nullptr, false);
  if (text.is_discarded() || !text.is_object()) {
    return Fail(ErrorCode::kConflict, Entry(index) + "'s text is not a JSON object");
  }
  if (!text.contains("index") || text["index"] != index) {
    return Fail(ErrorCode::kConflict, Entry(index) + "'s text says it is entry " +
                                          (text.contains("index") ? text["index"].dump() : "?") +
                                          " (moved)");
  }
  AIMASS_RETURN_IF_ERROR(CheckColumns(entry, text));
  return leaf;
}

store::TreeHeadRecord ToRecord(const TreeHead& head) {
  return {static_cast<int64_t>(head.size), HashToHex(head.root), head.timestamp_ms,
          ToHex(head.signature)};
}

Result<TreeHead> FromRecord(const store::TreeHeadRecord& record) {
  if (record.size < 0) return Fail(ErrorCode::kInvalidArgument, "a negative size");
  TreeHead head;
  head.size = static_cast<uint64_t>(record.size);
  head.timestamp_ms = record.timestamp_ms;
  AIMASS_RETURN_IF_ERROR(FromHex(record.root, head.root, "root"));
  AIMASS_RETURN_IF_ERROR(FromHex(record.signature, head.signature, "signature"));
  return head;
}

Result<LedgerReport> VerifyLedger(store::MetadataStore& store, const Ed25519PublicKey& public_key,
                                  const std::optional<TreeHead>& trusted) {
  LedgerReport report;
  // Reads page by page; after a gap the check goes on from the index the next entry holds,
  // so one deletion is one problem, not one per later entry.
  int64_t expected = 0;
  for (int64_t from = 0;;) {
    AIMASS_ASSIGN_OR_RETURN(auto page, store.LedgerEntries(from, kPage));
    for (const auto& entry : page) {
      auto leaf = CheckedLeafHash(entry, expected);
      if (!leaf) report.problems.push_back(leaf.error().message);
      report.leaves.push_back(leaf ? *leaf : LeafHash(entry.entry_json));
      expected = entry.index + 1;
    }
    report.entries += static_cast<int64_t>(page.size());
    if (static_cast<int64_t>(page.size()) < kPage) break;
    from = page.back().index + 1;
  }
  AIMASS_ASSIGN_OR_RETURN(auto heads, store.TreeHeads());
  report.heads = static_cast<int64_t>(heads.size());
  CheckHeads(heads, public_key, report.leaves, report);
  if (trusted) CheckTrusted(*trusted, public_key, report.leaves, report);
  report.root = RootOf(report.leaves);
  const int64_t sealed = report.newest_head ? static_cast<int64_t>(report.newest_head->size) : 0;
  report.unsealed = std::max<int64_t>(0, report.entries - sealed);
  return report;
}

}  // namespace aimass::security::ledger
