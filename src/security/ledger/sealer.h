// The ledger's keeper in a running server: signs a tree head over the entries the store
// appended (within a second of each change, at start, on demand), and hands out the head
// and proofs. It refuses to sign over a ledger that fails verification, so tampering is
// never laundered into a fresh signature.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "security/ledger/merkle.h"
#include "security/ledger/signing_key.h"
#include "security/ledger/tree_head.h"
#include "store/metadata_store.h"

namespace aimass::security::ledger {

// Thread-safe.
class LedgerSealer {
 public:
  // Verifies the whole ledger (VerifyLedger) and keeps its leaf hashes in memory (32 bytes
  // an entry). A ledger that fails verification leaves the sealer broken: Seal and the
  // proofs then answer the problem, and the server goes on serving. An error only when
  // the store cannot be read.
  static Result<std::unique_ptr<LedgerSealer>> Open(store::MetadataStore& store,
                                                    std::shared_ptr<const LedgerSigningKey> key,
                                                    const Clock& clock);
  ~LedgerSealer();
  LedgerSealer(const LedgerSealer&) = delete;
  LedgerSealer& operator=(const LedgerSealer&) = delete;

  // Takes in the entries appended since the last call (checking each), and when there are
  // any signs and keeps a head over all of them. Returns the newest head.
  Result<TreeHead> Seal();
  // Seals every `period` on a thread of its own until destroyed.
  void SealEvery(std::chrono::milliseconds period);

  // Of the sealed entries (sizes and indexes up to the newest head's size).
  Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t tree_size);
  Result<std::vector<Hash>> ConsistencyProof(uint64_t old_size, uint64_t new_size);
  // The newest head without sealing first; nullopt before the first entry is sealed.
  std::optional<TreeHead> Head();
  const Ed25519PublicKey& public_key() const { return key_->public_key(); }

 private:
  LedgerSealer(store::MetadataStore& store, std::shared_ptr<const LedgerSigningKey> key,
               const Clock& clock)
      : store_(store), key_(std::move(key)), clock_(clock) {}
  Status BrokenLocked() const;
  Status CheckSizeLocked(uint64_t tree_size) const;

  store::MetadataStore& store_;
  std::shared_ptr<const LedgerSigningKey> key_;
  const Clock& clock_;

  std::mutex mu_;
  std::vector<Hash> leaves_;
  std::optional<TreeHead> head_;
  std::string broken_;  // why the ledger failed verification; empty while it is intact

  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace aimass::security::ledger
