// Checks the ledger as stored: every entry hashes into every signed head, nothing was
// edited, removed, reordered or inserted, and the log only grew since a head the checker
// trusts. What `aimass ledger verify` runs offline, and what the sealer runs at start.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "security/ledger/merkle.h"
#include "security/ledger/tree_head.h"
#include "store/metadata_store.h"

namespace aimass::security::ledger {

struct LedgerReport {
  int64_t entries = 0;   // rows read
  int64_t heads = 0;     // signed heads kept in the store
  int64_t unsealed = 0;  // entries after the newest signed head
  Hash root{};           // of all the entries as they are now
  std::optional<TreeHead> newest_head;
  // What is wrong, one line each, naming the entry or head; empty when the ledger is
  // intact. Unsealed entries alone are not a problem here (see `unsealed`).
  std::vector<std::string> problems;
  // The leaf hashes recomputed from the entries' text, in index order (for the sealer).
  std::vector<Hash> leaves;

  bool intact() const { return problems.empty(); }
};

// Reads every entry and head from `store`. Each entry must sit at its own index (the one in
// its text), hash to its stored leaf hash, and repeat its text's fields in its columns;
// each head must be signed by `public_key` and have the root of that many entries; with a
// `trusted` head (saved earlier, e.g. by `aimass ledger head -o FILE`), the entries must
// still have its root at its size. An error only when the store cannot be read.
Result<LedgerReport> VerifyLedger(store::MetadataStore& store, const Ed25519PublicKey& public_key,
                                  const std::optional<TreeHead>& trusted);

// The checked leaf hash of one stored entry that should have index `expected` (the one after
// the entry before it), or what is wrong with it.
Result<Hash> CheckedLeafHash(const store::LedgerEntryRecord& entry, int64_t expected);

// A head as the store keeps it, and back (the error names what is malformed).
store::TreeHeadRecord ToRecord(const TreeHead& head);
Result<TreeHead> FromRecord(const store::TreeHeadRecord& record);

}  // namespace aimass::security::ledger
