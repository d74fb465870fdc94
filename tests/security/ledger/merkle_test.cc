#include "security/ledger/merkle.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace aimass::security::ledger {
namespace {

using ::testing::HasSubstr;

Hash H(std::string_view hex) {
  auto hash = HashFromHex(hex);
  EXPECT_TRUE(hash) << hex;
  return hash.value_or(Hash{});
}

std::vector<Hash> Hs(std::initializer_list<std::string_view> hexes) {
  std::vector<Hash> hashes;
  for (std::string_view hex : hexes) hashes.push_back(H(hex));
  return hashes;
}

// The reference tree of the Certificate Transparency implementations (google/
// certificate-transparency cpp/merkletree/merkle_tree_test.cc, the same vectors as
// transparency-dev/merkle testonly/constants.go): eight leaves, given as hex.
const std::vector<std::string> kCtLeafInputs = {"",
                                                "00",
                                                "10",
                                                "2021",
                                                "3031",
                                                "40414243",
                                                "5051525354555657",
                                                "606162636465666768696a6b6c6d6e6f"};

// kCtRoots[n - 1] is the root of the first n leaves.
const std::vector<std::string> kCtRoots = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};

constexpr std::string_view kEmptyRoot =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::vector<Hash> CtLeaves() {
  std::vector<Hash> leaves;
  for (const std::string& hex : kCtLeafInputs) {
    std::vector<uint8_t> bytes(hex.size() / 2);
    EXPECT_TRUE(FromHex(hex, bytes, "leaf"));
    leaves.push_back(LeafHash(bytes));
  }
  return leaves;
}

std::vector<Hash> NumberedLeaves(size_t n) {
  std::vector<Hash> leaves;
  for (size_t i = 0; i < n; ++i) leaves.push_back(LeafHash("entry " + std::to_string(i)));
  return leaves;
}

Hash Flipped(Hash hash, size_t byte = 0) {
  hash[byte % hash.size()] ^= 0x01;
  return hash;
}

TEST(MerkleTest, EmptyTreeIsSha256OfNothing) {
  EXPECT_EQ(HashToHex(EmptyRoot()), kEmptyRoot);
  EXPECT_EQ(HashToHex(RootOf({})), kEmptyRoot);
  EXPECT_EQ(HashToHex(MerkleFrontier().Root()), kEmptyRoot);
}

TEST(MerkleTest, LeafAndNodeHashesAreDomainSeparated) {
  // SHA256(0x00) and SHA256(0x01 || leaf0 || leaf1), from the reference tree.
  const std::vector<Hash> leaves = CtLeaves();
  EXPECT_EQ(HashToHex(leaves[0]), kCtRoots[0]);
  EXPECT_EQ(HashToHex(NodeHash(leaves[0], leaves[1])), kCtRoots[1]);
  // The same 64 bytes as a leaf hash to something else than as a node.
  std::string both(reinterpret_cast<const char*>(leaves[0].data()), 32);
  both.append(reinterpret_cast<const char*>(leaves[1].data()), 32);
  EXPECT_NE(LeafHash(both), NodeHash(leaves[0], leaves[1]));
}

TEST(MerkleTest, RootsMatchCertificateTransparencyVectors) {
  const std::vector<Hash> leaves = CtLeaves();
  for (size_t n = 1; n <= leaves.size(); ++n) {
    EXPECT_EQ(HashToHex(RootOf(std::span(leaves).first(n))), kCtRoots[n - 1]) << "size " << n;
  }
}

TEST(MerkleTest, InclusionProofsMatchCertificateTransparencyVectors) {
  const std::vector<Hash> leaves = CtLeaves();
  struct Vector {
    uint64_t index;  // zero-based; the CT test numbers leaves from 1
    uint64_t size;
    std::vector<Hash> proof;
  };
  const std::vector<Vector> vectors = {
      {0, 1, {}},
      {0, 8,
       Hs({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
           "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
           "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"})},
      {5, 8,
       Hs({"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
           "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
           "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
      {2, 3, Hs({"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"})},
      {1, 5,
       Hs({"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
           "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
           "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"})},
  };
  for (const Vector& v : vectors) {
    auto proof = InclusionProof(leaves, v.index, v.size);
    ASSERT_TRUE(proof) << proof.error().message;
    EXPECT_EQ(*proof, v.proof) << "leaf " << v.index << " of " << v.size;
    const Hash root = H(kCtRoots[v.size - 1]);
    auto verified = VerifyInclusion(leaves[v.index], v.index, v.size, v.proof, root);
    EXPECT_TRUE(verified) << verified.error().message;
  }
}

TEST(MerkleTest, ConsistencyProofsMatchCertificateTransparencyVectors) {
  const std::vector<Hash> leaves = CtLeaves();
  struct Vector {
    uint64_t old_size;
    uint64_t new_size;
    std::vector<Hash> proof;
  };
  const std::vector<Vector> vectors = {
      {1, 1, {}},
      {1, 8,
       Hs({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
           "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
           "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"})},
      {6, 8,
       Hs({"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
           "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
           "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
      {2, 5,
       Hs({"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
           "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"})},
  };
  for (const Vector& v : vectors) {
    auto proof = ConsistencyProof(leaves, v.old_size, v.new_size);
    ASSERT_TRUE(proof) << proof.error().message;
    EXPECT_EQ(*proof, v.proof) << v.old_size << " -> " << v.new_size;
    auto verified = VerifyConsistency(v.old_size, v.new_size, H(kCtRoots[v.old_size - 1]),
                                      H(kCtRoots[v.new_size - 1]), v.proof);
    EXPECT_TRUE(verified) << verified.error().message;
  }
}

// Every way of changing a valid inclusion proof's inputs must fail. (A size off by one can
// still verify where it gives the path the same shape; that is why a signed tree head binds
// the size and the root together. Like the CT reference tests, this doubles and halves it.)
void ExpectInclusionTamperingFails(const std::vector<Hash>& leaves, uint64_t index) {
  const uint64_t size = leaves.size();
  const Hash root = RootOf(leaves);
  auto proof_or = InclusionProof(leaves, index, size);
  ASSERT_TRUE(proof_or);
  const std::vector<Hash> proof = *proof_or;
  const Hash leaf = leaves[index];
  SCOPED_TRACE("leaf " + std::to_string(index) + " of " + std::to_string(size));

  auto ok = VerifyInclusion(leaf, index, size, proof, root);
  ASSERT_TRUE(ok) << ok.error().message;

  EXPECT_FALSE(VerifyInclusion(Flipped(leaf), index, size, proof, root)) << "flipped leaf bit";
  EXPECT_FALSE(VerifyInclusion(leaf, index, size, proof, Flipped(root, 31))) << "wrong root";
  for (uint64_t wrong : {index - 1, index + 1, index ^ 2}) {
    if (wrong == index) continue;
    EXPECT_FALSE(VerifyInclusion(leaf, wrong, size, proof, root)) << "index " << wrong;
  }
  for (uint64_t wrong : {size * 2, size / 2}) {
    EXPECT_FALSE(VerifyInclusion(leaf, index, wrong, proof, root)) << "size " << wrong;
  }
  for (size_t i = 0; i < proof.size(); ++i) {
    std::vector<Hash> changed = proof;
    changed[i] = Flipped(changed[i], i);
    EXPECT_FALSE(VerifyInclusion(leaf, index, size, changed, root)) << "flipped proof[" << i << "]";
  }
  if (!proof.empty()) {
    std::vector<Hash> truncated(proof.begin(), proof.end() - 1);
    auto status = VerifyInclusion(leaf, index, size, truncated, root);
    ASSERT_FALSE(status);
    EXPECT_THAT(status.error().message, HasSubstr("fewer than"));
  }
  for (const Hash& extra : {root, Hash{}}) {
    std::vector<Hash> extended = proof;
    extended.push_back(extra);
    auto status = VerifyInclusion(leaf, index, size, extended, root);
    ASSERT_FALSE(status);
    EXPECT_THAT(status.error().message, HasSubstr("more than"));
    std::vector<Hash> prefixed = {extra};
    prefixed.insert(prefixed.end(), proof.begin(), proof.end());
    EXPECT_FALSE(VerifyInclusion(leaf, index, size, prefixed, root)) << "garbage in front";
  }
  // Swapping this leaf with a neighbour reorders the log: its root changes, and the proof
  // of the leaf's old place no longer holds.
  if (size >= 2) {
    const uint64_t other = index + 1 < size ? index + 1 : index - 1;
    std::vector<Hash> swapped = leaves;
    std::swap(swapped[index], swapped[other]);
    ASSERT_NE(RootOf(swapped), root);
    EXPECT_FALSE(VerifyInclusion(leaf, index, size, proof, RootOf(swapped))) << "swapped leaves";
  }
}

TEST(MerkleTest, InclusionProofsVerifyAndResistTamperingForEveryIndexUpTo40) {
  for (size_t size = 1; size <= 40; ++size) {
    const std::vector<Hash> leaves = NumberedLeaves(size);
    for (uint64_t index = 0; index < size; ++index) ExpectInclusionTamperingFails(leaves, index);
  }
}

void ExpectConsistencyTamperingFails(const std::vector<Hash>& leaves, uint64_t old_size) {
  const uint64_t new_size = leaves.size();
  const Hash old_root = RootOf(std::span(leaves).first(old_size));
  const Hash new_root = RootOf(leaves);
  auto proof_or = ConsistencyProof(leaves, old_size, new_size);
  ASSERT_TRUE(proof_or);
  const std::vector<Hash> proof = *proof_or;
  SCOPED_TRACE(std::to_string(old_size) + " -> " + std::to_string(new_size));

  auto ok = VerifyConsistency(old_size, new_size, old_root, new_root, proof);
  ASSERT_TRUE(ok) << ok.error().message;
  if (old_size == 0 || old_size == new_size) {
    EXPECT_TRUE(proof.empty());
    return;
  }
  ASSERT_FALSE(proof.empty());

  for (uint64_t wrong : {old_size - 1, old_size + 1, old_size ^ 2}) {
    if (wrong == old_size) continue;
    EXPECT_FALSE(VerifyConsistency(wrong, new_size, old_root, new_root, proof))
        << "old size " << wrong;
  }
  for (uint64_t wrong : {new_size * 2, new_size / 2}) {
    EXPECT_FALSE(VerifyConsistency(old_size, wrong, old_root, new_root, proof))
        << "new size " << wrong;
  }
  EXPECT_FALSE(VerifyConsistency(old_size, new_size, Flipped(old_root), new_root, proof));
  EXPECT_FALSE(VerifyConsistency(old_size, new_size, old_root, Flipped(new_root), proof));
  EXPECT_FALSE(VerifyConsistency(old_size, new_size, new_root, old_root, proof)) << "swapped";
  EXPECT_FALSE(VerifyConsistency(old_size, new_size, old_root, new_root, {})) << "empty proof";
  for (size_t i = 0; i < proof.size(); ++i) {
    std::vector<Hash> changed = proof;
    changed[i] = Flipped(changed[i], i);
    EXPECT_FALSE(VerifyConsistency(old_size, new_size, old_root, new_root, changed))
        << "flipped proof[" << i << "]";
  }
  std::vector<Hash> truncated(proof.begin(), proof.end() - 1);
  EXPECT_FALSE(VerifyConsistency(old_size, new_size, old_root, new_root, truncated)) << "truncated";
  for (const Hash& extra : {proof.back(), Hash{}}) {
    std::vector<Hash> extended = proof;
    extended.push_back(extra);
    auto status = VerifyConsistency(old_size, new_size, old_root, new_root, extended);
    ASSERT_FALSE(status);
    EXPECT_THAT(status.error().message, HasSubstr("more than"));
    std::vector<Hash> prefixed = {extra};
    prefixed.insert(prefixed.end(), proof.begin(), proof.end());
    EXPECT_FALSE(VerifyConsistency(old_size, new_size, old_root, new_root, prefixed))
        << "garbage in front";
  }
  // A log that rewrote an old entry while growing: the new root comes from the changed log.
  std::vector<Hash> rewritten = leaves;
  rewritten[old_size - 1] = Flipped(rewritten[old_size - 1]);
  auto rewritten_proof = ConsistencyProof(rewritten, old_size, new_size);
  ASSERT_TRUE(rewritten_proof);
  EXPECT_FALSE(VerifyConsistency(old_size, new_size, old_root, RootOf(rewritten), *rewritten_proof))
      << "rewritten entry";
  // Two old entries swapped: the same multiset, another order.
  if (old_size >= 2) {
    std::vector<Hash> swapped = leaves;
    std::swap(swapped[0], swapped[old_size - 1]);
    auto swapped_proof = ConsistencyProof(swapped, old_size, new_size);
    ASSERT_TRUE(swapped_proof);
    EXPECT_FALSE(VerifyConsistency(old_size, new_size, old_root, RootOf(swapped), *swapped_proof))
        << "swapped entries";
  }
}

TEST(MerkleTest, ConsistencyProofsVerifyAndResistTamperingForEverySizePairUpTo40) {
  for (size_t new_size = 1; new_size <= 40; ++new_size) {
    const std::vector<Hash> leaves = NumberedLeaves(new_size);
    for (uint64_t old_size = 0; old_size <= new_size; ++old_size) {
      ExpectConsistencyTamperingFails(leaves, old_size);
    }
  }
}

TEST(MerkleTest, ProofsOfAPrefixOfTheLeavesUseOnlyThatPrefix) {
  const std::vector<Hash> leaves = NumberedLeaves(20);
  auto proof = InclusionProof(leaves, 3, 7);
  ASSERT_TRUE(proof);
  EXPECT_TRUE(VerifyInclusion(leaves[3], 3, 7, *proof, RootOf(std::span(leaves).first(7))));
  auto consistency = ConsistencyProof(leaves, 5, 11);
  ASSERT_TRUE(consistency);
  EXPECT_TRUE(VerifyConsistency(5, 11, RootOf(std::span(leaves).first(5)),
                                RootOf(std::span(leaves).first(11)), *consistency));
}

TEST(MerkleTest, BadArgumentsAreErrorsNotCrashes) {
  const std::vector<Hash> leaves = NumberedLeaves(5);
  const Hash root = RootOf(leaves);
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();

  EXPECT_THAT(InclusionProof(leaves, 5, 5).error().message, HasSubstr("leaf 5"));
  EXPECT_FALSE(InclusionProof(leaves, 0, 0));
  EXPECT_THAT(InclusionProof(leaves, 0, 6).error().message, HasSubstr("only 5 leaves"));
  EXPECT_FALSE(InclusionProof(leaves, kMax, kMax));
  EXPECT_THAT(ConsistencyProof(leaves, 4, 3).error().message, HasSubstr("only grows"));
  EXPECT_FALSE(ConsistencyProof(leaves, 2, 6));
  EXPECT_EQ(ConsistencyProof(leaves, 0, 5)->size(), 0u);

  EXPECT_EQ(VerifyInclusion(leaves[0], 5, 5, {}, root).error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(VerifyInclusion(leaves[0], 0, 0, {}, EmptyRoot()));
  // Sizes near the top of the range, with proofs too long and too short.
  const std::vector<Hash> long_proof(100, root);
  EXPECT_FALSE(VerifyInclusion(leaves[0], kMax - 1, kMax, long_proof, root));
  EXPECT_FALSE(VerifyInclusion(leaves[0], kMax - 1, kMax, {}, root));
  EXPECT_FALSE(VerifyConsistency(1, kMax, leaves[0], root, long_proof));
  EXPECT_FALSE(VerifyConsistency(kMax - 1, kMax, root, root, long_proof));
  EXPECT_FALSE(VerifyConsistency(kMax, kMax - 1, root, root, {}));

  EXPECT_THAT(VerifyConsistency(4, 3, root, root, {}).error().message, HasSubstr("only grows"));
  EXPECT_TRUE(VerifyConsistency(0, 5, EmptyRoot(), root, {}));
  EXPECT_THAT(VerifyConsistency(0, 5, root, root, {}).error().message,
              HasSubstr("empty tree's root"));
  EXPECT_FALSE(VerifyConsistency(0, 5, EmptyRoot(), root, std::vector<Hash>{root}));
  EXPECT_TRUE(VerifyConsistency(5, 5, root, root, {}));
  EXPECT_THAT(VerifyConsistency(5, 5, root, Flipped(root), {}).error().message,
              HasSubstr("rewritten"));
  EXPECT_FALSE(VerifyConsistency(5, 5, root, root, std::vector<Hash>{root}));
  EXPECT_THAT(VerifyConsistency(3, 5, root, root, {}).error().message, HasSubstr("empty"));
}

TEST(MerkleTest, FrontierRootEqualsRootOfForSizes0To70) {
  const std::vector<Hash> leaves = NumberedLeaves(70);
  MerkleFrontier frontier;
  for (size_t n = 0; n <= leaves.size(); ++n) {
    ASSERT_EQ(frontier.size(), n);
    EXPECT_EQ(frontier.Root(), RootOf(std::span(leaves).first(n))) << "size " << n;
    EXPECT_EQ(frontier.subtree_roots().size(), static_cast<size_t>(std::popcount(n)));
    if (n < leaves.size()) frontier.Append(leaves[n]);
  }
}

TEST(MerkleTest, FrontierMatchesCertificateTransparencyRoots) {
  MerkleFrontier frontier;
  const std::vector<Hash> leaves = CtLeaves();
  for (size_t n = 1; n <= leaves.size(); ++n) {
    frontier.Append(leaves[n - 1]);
    EXPECT_EQ(HashToHex(frontier.Root()), kCtRoots[n - 1]);
  }
}

TEST(MerkleTest, FrontierResumesFromItsSavedState) {
  const std::vector<Hash> leaves = NumberedLeaves(45);
  MerkleFrontier first;
  for (size_t i = 0; i < 21; ++i) first.Append(leaves[i]);
  auto resumed = MerkleFrontier::Restore(
      first.size(), std::vector<Hash>(first.subtree_roots().begin(), first.subtree_roots().end()));
  ASSERT_TRUE(resumed) << resumed.error().message;
  for (size_t i = 21; i < leaves.size(); ++i) resumed->Append(leaves[i]);
  EXPECT_EQ(resumed->Root(), RootOf(leaves));

  auto wrong = MerkleFrontier::Restore(21, {leaves[0]});  // 21 = 10101b needs three roots
  ASSERT_FALSE(wrong);
  EXPECT_THAT(wrong.error().message, HasSubstr("needs 3 subtree roots"));
}

TEST(MerkleTest, HexRoundTripAndErrors) {
  const Hash hash = H(kCtRoots[7]);
  EXPECT_EQ(HashToHex(hash), kCtRoots[7]);
  auto upper = HashFromHex("5DC9DA79A70659A9AD559CB701DED9A2AB9D823AAD2F4960CFE370EFF4604328");
  ASSERT_TRUE(upper);
  EXPECT_EQ(*upper, hash);
  EXPECT_THAT(HashFromHex("5dc9").error().message, HasSubstr("64 hex characters"));
  EXPECT_THAT(HashFromHex(std::string(63, 'a') + "g").error().message,
              HasSubstr("character 64 is 'g'"));
  EXPECT_FALSE(HashFromHex(std::string(66, 'a')));
}

}  // namespace
}  // namespace aimass::security::ledger
