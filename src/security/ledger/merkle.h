// RFC 6962 / RFC 9162 Merkle tree hashing over SHA-256: the tamper-evident ledger's leaves
// are hashed into one root, and short proofs show that an entry is in a tree (inclusion) and
// that a later tree extends an earlier one without rewriting it (consistency).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace aimass::security::ledger {

// A SHA-256 digest: a leaf hash, an inner node or a tree's root.
using Hash = std::array<uint8_t, 32>;

// Lower-case hex of any bytes (two characters each).
std::string ToHex(std::span<const uint8_t> bytes);
// Fills `out` from exactly 2 * out.size() hex characters (either case); an error says what
// was wrong, with `what` (e.g. "field 'root'") naming the value.
Status FromHex(std::string_view hex, std::span<uint8_t> out, std::string_view what);
inline std::string HashToHex(const Hash& hash) { return ToHex(hash); }
Result<Hash> HashFromHex(std::string_view hex);

// SHA256(0x00 || data): the hash of one entry. The prefix keeps a leaf from ever being
// taken for an inner node (RFC 6962 section 2.1, second-preimage resistance).
Hash LeafHash(std::span<const uint8_t> data);
Hash LeafHash(std::string_view data);
// SHA256(0x01 || left || right): an inner node.
Hash NodeHash(const Hash& left, const Hash& right);
// The root of the empty tree: SHA-256 of the empty string.
Hash EmptyRoot();

// MTH(D[n]) of RFC 6962 section 2.1 over leaf hashes (not the entries themselves).
Hash RootOf(std::span<const Hash> leaves);

// PATH(index, D[tree_size]) of RFC 6962 section 2.1.1, ordered from the leaf up. The tree is
// the first `tree_size` of `leaves`; an error when tree_size > leaves.size() or
// index >= tree_size.
Result<std::vector<Hash>> InclusionProof(std::span<const Hash> leaves, uint64_t index,
                                         uint64_t tree_size);
// PROOF(old_size, D[new_size]) of RFC 6962 section 2.1.2: empty when old_size is 0 or equals
// new_size; an error when new_size > leaves.size() or old_size > new_size.
Result<std::vector<Hash>> ConsistencyProof(std::span<const Hash> leaves, uint64_t old_size,
                                           uint64_t new_size);

// RFC 9162 section 2.1.3.2: OK when `proof` shows that `leaf_hash` is leaf number `index` of
// the tree of `tree_size` leaves whose root is `root`; otherwise the error names what failed.
Status VerifyInclusion(const Hash& leaf_hash, uint64_t index, uint64_t tree_size,
                       std::span<const Hash> proof, const Hash& root);
// RFC 9162 section 2.1.4.2: OK when `proof` shows that the tree (new_size, new_root) starts
// with the tree (old_size, old_root). Size 0 is consistent with anything (its root must be
// EmptyRoot() and the proof empty); equal sizes need equal roots and an empty proof.
Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash& old_root,
                         const Hash& new_root, std::span<const Hash> proof);

// The right edge of a growing tree: the roots of its complete subtrees, largest first, one
// per set bit of size() (the "compact range" [0, size) of transparency-dev/merkle). It
// computes the root of a log of any length from O(log n) hashes, so a log with millions of
// entries never holds all its leaves. Not thread-safe.
class MerkleFrontier {
 public:
  MerkleFrontier() = default;
  // Resumes from a saved size() and subtree_roots(); an error when their counts disagree.
  static Result<MerkleFrontier> Restore(uint64_t size, std::vector<Hash> subtree_roots);

  void Append(const Hash& leaf_hash);
  // Equals RootOf(all the leaves appended so far); EmptyRoot() before the first.
  Hash Root() const;
  uint64_t size() const { return size_; }
  std::span<const Hash> subtree_roots() const { return subtree_roots_; }

 private:
  uint64_t size_ = 0;
  std::vector<Hash> subtree_roots_;  // left to right; sizes are the set bits of size_
};

}  // namespace aimass::security::ledger
