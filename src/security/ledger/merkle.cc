#include "security/ledger/merkle.h"

#include <sodium.h>

#include <bit>

#include "security/secret_file.h"

namespace aimass::security::ledger {
namespace {

Hash Sha256WithPrefix(uint8_t prefix, std::span<const uint8_t> a, std::span<const uint8_t> b) {
  EnsureSodium();
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  crypto_hash_sha256_update(&state, &prefix, 1);
  crypto_hash_sha256_update(&state, a.data(), a.size());
  crypto_hash_sha256_update(&state, b.data(), b.size());
  Hash out;
  crypto_hash_sha256_final(&state, out.data());
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The largest power of two below n (n >= 2): where RFC 6962 splits a tree of n leaves.
size_t SplitPoint(size_t n) { return std::bit_floor(n - 1); }

// PATH(m, D[n]) of RFC 6962 section 2.1.1, appended leaf-first.
void AppendPath(uint64_t m, std::span<const Hash> leaves, std::vector<Hash>& proof) {
  if (leaves.size() <= 1) return;
  const size_t k = SplitPoint(leaves.size());
  if (m < k) {
    AppendPath(m, leaves.first(k), proof);
    proof.push_back(RootOf(leaves.subspan(k)));
  } else {
    AppendPath(m - k, leaves.subspan(k), proof);
    proof.push_back(RootOf(leaves.first(k)));
  }
}

// SUBPROOF(m, D[n], b) of RFC 6962 section 2.1.2; `complete` is b: whether D[0:m] is the
// old tree itself, whose root the verifier already has.
void AppendSubproof(uint64_t m, std::span<const Hash> leaves, bool complete,
                    std::vector<Hash>& proof) {
  if (m == leaves.size()) {
    if (!complete) proof.push_back(RootOf(leaves));
    return;
  }
  const size_t k = SplitPoint(leaves.size());
  if (m <= k) {
    AppendSubproof(m, leaves.first(k), complete, proof);
    proof.push_back(RootOf(leaves.subspan(k)));
  } else {
    AppendSubproof(m - k, leaves.subspan(k), false, proof);
    proof.push_back(RootOf(leaves.first(k)));
  }
}

std::string HashCount(size_t n) { return std::to_string(n) + (n == 1 ? " hash" : " hashes"); }

}  // namespace

std::string ToHex(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    hex.push_back(kDigits[b >> 4]);
    hex.push_back(kDigits[b & 0xf]);
  }
  return hex;
}

Status FromHex(std::string_view hex, std::span<uint8_t> out, std::string_view what) {
  if (hex.size() != out.size() * 2) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string(what) + " must be " + std::to_string(out.size() * 2) +
                    " hex characters (" + std::to_string(out.size()) + " bytes), got " +
                    std::to_string(hex.size()) + " characters");
  }
  for (size_t i = 0; i < out.size(); ++i) {
    const int high = HexValue(hex[2 * i]);
    const int low = HexValue(hex[2 * i + 1]);
    if (high < 0 || low < 0) {
      const size_t at = high < 0 ? 2 * i : 2 * i + 1;
      return Fail(ErrorCode::kInvalidArgument, std::string(what) + " is not hex: character " +
                                                   std::to_string(at + 1) + " is '" +
                                                   std::string(1, hex[at]) + "'");
    }
    out[i] = static_cast<uint8_t>(high << 4 | low);
  }
  return Ok();
}

Result<Hash> HashFromHex(std::string_view hex) {
  Hash hash;
  AIMASS_RETURN_IF_ERROR(FromHex(hex, hash, "a SHA-256 hash"));
  return hash;
}

Hash LeafHash(std::span<const uint8_t> data) { return Sha256WithPrefix(0x00, data, {}); }

Hash LeafHash(std::string_view data) {
  return LeafHash(std::span(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
}

Hash NodeHash(const Hash& left, const Hash& right) { return Sha256WithPrefix(0x01, left, right); }

Hash EmptyRoot() {
  EnsureSodium();
  Hash out;
  crypto_hash_sha256(out.data(), nullptr, 0);
  return out;
}

Hash RootOf(std::span<const Hash> leaves) {
  if (leaves.empty()) return EmptyRoot();
  if (leaves.size() == 1) return leaves[0];
  const size_t k = SplitPoint(leaves.size());
  return NodeHash(RootOf(leaves.first(k)), RootOf(leaves.subspan(k)));
}

Result<std::vector<Hash>> InclusionProof(std::span<const Hash> leaves, uint64_t index,
                                         uint64_t tree_size) {
  if (tree_size > leaves.size()) {
    return Fail(ErrorCode::kInvalidArgument,
                "inclusion proof in a tree of " + std::to_string(tree_size) + " leaves: only " +
                    std::to_string(leaves.size()) + " leaves are given");
  }
  if (index >= tree_size) {
    return Fail(ErrorCode::kInvalidArgument,
                "inclusion proof: leaf " + std::to_string(index) + " is not in a tree of " +
                    std::to_string(tree_size) + " leaves (the index must be below the size)");
  }
  std::vector<Hash> proof;
  AppendPath(index, leaves.first(tree_size), proof);
  return proof;
}

Result<std::vector<Hash>> ConsistencyProof(std::span<const Hash> leaves, uint64_t old_size,
                                           uint64_t new_size) {
  if (new_size > leaves.size()) {
    return Fail(ErrorCode::kInvalidArgument,
                "consistency proof to a tree of " + std::to_string(new_size) + " leaves: only " +
                    std::to_string(leaves.size()) + " leaves are given");
  }
  if (old_size > new_size) {
    return Fail(ErrorCode::kInvalidArgument, "consistency proof from size " +
                                                 std::to_string(old_size) + " to size " +
                                                 std::to_string(new_size) +
                                                 ": the old size must not be larger (a log only "
                                                 "grows)");
  }
  std::vector<Hash> proof;
  // Every tree extends the empty one, and a tree extends itself: nothing to prove.
  if (old_size == 0 || old_size == new_size) return proof;
  AppendSubproof(old_size, leaves.first(new_size), true, proof);
  return proof;
}

Status VerifyInclusion(const Hash& leaf_hash, uint64_t index, uint64_t tree_size,
                       std::span<const Hash> proof, const Hash& root) {
  const std::string what = "inclusion proof for leaf " + std::to_string(index) + " in a tree of " +
                           std::to_string(tree_size) + " leaves";
  if (index >= tree_size) {
    return Fail(ErrorCode::kInvalidArgument,
                what + ": the index must be below the size, so this leaf is not in that tree");
  }
  // fn walks the leaf's position up the tree, sn the last leaf's; where fn is a right child,
  // or the rightmost node of an unbalanced level, the proof hash goes on its left.
  uint64_t fn = index;
  uint64_t sn = tree_size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : proof) {
    if (sn == 0) {
      return Fail(ErrorCode::kInvalidArgument,
                  what + ": the proof has " + HashCount(proof.size()) +
                      ", more than such a tree needs (an extended or mismatched proof)");
    }
    if ((fn & 1) != 0 || fn == sn) {
      r = NodeHash(p, r);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) {
    return Fail(ErrorCode::kInvalidArgument,
                what + ": the proof has " + HashCount(proof.size()) +
                    ", fewer than such a tree needs (a truncated or mismatched proof)");
  }
  if (r != root) {
    return Fail(ErrorCode::kInvalidArgument,
                what + ": the proof leads to root " + HashToHex(r) + ", not to " + HashToHex(root) +
                    " (the leaf, its index, the proof or the root differ "
                    "from what the log holds)");
  }
  return Ok();
}

Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash& old_root,
                         const Hash& new_root, std::span<const Hash> proof) {
  const std::string what = "consistency proof from size " + std::to_string(old_size) + " to size " +
                           std::to_string(new_size);
  if (old_size > new_size) {
    return Fail(ErrorCode::kInvalidArgument,
                what + ": the old size is larger than the new one, but a log only grows");
  }
  if (old_size == 0) {
    if (!proof.empty()) {
      return Fail(ErrorCode::kInvalidArgument, what +
                                                   ": from an empty tree the proof must be "
                                                   "empty, but it has " +
                                                   HashCount(proof.size()));
    }
    if (old_root != EmptyRoot()) {
      return Fail(ErrorCode::kInvalidArgument,
                  what + ": the old root " + HashToHex(old_root) +
                      " is not the empty tree's root (SHA-256 of nothing, " +
                      HashToHex(EmptyRoot()) + ")");
    }
    return Ok();
  }
  if (old_size == new_size) {
    if (!proof.empty()) {
      return Fail(ErrorCode::kInvalidArgument, what +
                                                   ": between equal sizes the proof must be "
                                                   "empty, but it has " +
                                                   HashCount(proof.size()));
    }
    if (old_root != new_root) {
      return Fail(ErrorCode::kInvalidArgument,
                  what + ": the two roots differ (" + HashToHex(old_root) + " and " +
                      HashToHex(new_root) + "), so the log was rewritten");
    }
    return Ok();
  }
  if (proof.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                what + ": the proof is empty, but a tree that grew needs at least one hash");
  }

  // When the old tree is a complete subtree (its size a power of two) the proof leaves out
  // its root, which the verifier already has: start from old_root instead.
  size_t next = 0;
  Hash fr = old_root;
  if (!std::has_single_bit(old_size)) fr = proof[next++];
  Hash sr = fr;
  uint64_t fn = old_size - 1;
  uint64_t sn = new_size - 1;
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  for (; next < proof.size(); ++next) {
    const Hash& c = proof[next];
    if (sn == 0) {
      return Fail(ErrorCode::kInvalidArgument,
                  what + ": the proof has " + HashCount(proof.size()) +
                      ", more than these sizes need (an extended or mismatched proof)");
    }
    if ((fn & 1) != 0 || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) {
    return Fail(ErrorCode::kInvalidArgument,
                what + ": the proof has " + HashCount(proof.size()) +
                    ", fewer than these sizes need (a truncated or mismatched proof)");
  }
  if (fr != old_root) {
    return Fail(ErrorCode::kInvalidArgument, what + ": the proof leads to old root " +
                                                 HashToHex(fr) + ", not to " + HashToHex(old_root) +
                                                 " (the old head or the proof was changed)");
  }
  if (sr != new_root) {
    return Fail(ErrorCode::kInvalidArgument, what + ": the proof leads to new root " +
                                                 HashToHex(sr) + ", not to " + HashToHex(new_root) +
                                                 " (the new head or the proof was changed, or the "
                                                 "log's earlier entries were rewritten)");
  }
  return Ok();
}

Result<MerkleFrontier> MerkleFrontier::Restore(uint64_t size, std::vector<Hash> subtree_roots) {
  if (static_cast<size_t>(std::popcount(size)) != subtree_roots.size()) {
    return Fail(ErrorCode::kInvalidArgument, "Merkle frontier of " + std::to_string(size) +
                                                 " leaves needs " +
                                                 std::to_string(std::popcount(size)) +
                                                 " subtree roots (one per set bit of "
                                                 "the size), got " +
                                                 std::to_string(subtree_roots.size()));
  }
  MerkleFrontier frontier;
  frontier.size_ = size;
  frontier.subtree_roots_ = std::move(subtree_roots);
  return frontier;
}

void MerkleFrontier::Append(const Hash& leaf_hash) {
  subtree_roots_.push_back(leaf_hash);
  // Like a binary counter's carry: each trailing 1 bit of the old size is a subtree of the
  // same height as the one just completed, so the two merge into one a level higher.
  for (uint64_t carry = size_; (carry & 1) != 0; carry >>= 1) {
    const Hash right = subtree_roots_.back();
    subtree_roots_.pop_back();
    subtree_roots_.back() = NodeHash(subtree_roots_.back(), right);
  }
  ++size_;
}

Hash MerkleFrontier::Root() const {
  if (subtree_roots_.empty()) return EmptyRoot();
  // RFC 6962 splits at the largest power of two, so the tree is the subtrees joined from the
  // right: MTH = Node(s0, Node(s1, ... Node(s[n-2], s[n-1]))).
  Hash root = subtree_roots_.back();
  for (size_t i = subtree_roots_.size() - 1; i-- > 0;) {
    root = NodeHash(subtree_roots_[i], root);
  }
  return root;
}

}  // namespace aimass::security::ledger
