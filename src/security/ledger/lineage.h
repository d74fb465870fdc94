// The lineage chain of a model or dataset version as ledger entries: the version's own
// entries, the job that made it, the dataset it was trained on or transformed from, and so
// on back to the first upload, each with a proof that it is in the signed log.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "security/ledger/merkle.h"
#include "security/ledger/sealer.h"
#include "store/metadata_store.h"

namespace aimass::security::ledger {

struct ProvenEntry {
  store::LedgerEntryRecord entry;
  std::vector<Hash> proof;  // inclusion in the head's tree; empty while not sealed yet
  bool sealed = false;
};

struct Lineage {
  std::optional<TreeHead> head;      // the head the proofs are for
  std::vector<ProvenEntry> entries;  // oldest first
};

// For "model:NAME@V": its registration, alias moves to it, the training job, and the
// dataset version's chain. For "dataset:NAME@V": its creation, its job, and the chain of
// the version it was transformed from. kNotFound when the version does not exist.
Result<Lineage> ModelLineage(store::MetadataStore& store, LedgerSealer& sealer,
                             const std::string& model, int64_t version);
Result<Lineage> DatasetLineage(store::MetadataStore& store, LedgerSealer& sealer,
                               const std::string& dataset, int64_t version);

}  // namespace aimass::security::ledger
