#include "security/ledger/tree_head.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sodium.h>

#include <filesystem>
#include <fstream>

#include "common/hash.h"

namespace aimass::security::ledger {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr std::string_view kRoot8 =
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328";

struct KeyPair {
  Ed25519PublicKey public_key;
  Ed25519SecretKey secret_key;
};

KeyPair NewKeyPair() {
  EXPECT_GE(sodium_init(), 0);
  KeyPair pair;
  crypto_sign_keypair(pair.public_key.data(), pair.secret_key.data());
  return pair;
}

// The key pair whose seed is the bytes 0, 1, ..., 31.
KeyPair FixedKeyPair() {
  EXPECT_GE(sodium_init(), 0);
  std::array<uint8_t, 32> seed;
  for (size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<uint8_t>(i);
  KeyPair pair;
  crypto_sign_seed_keypair(pair.public_key.data(), pair.secret_key.data(), seed.data());
  return pair;
}

TreeHead ExampleHead() {
  TreeHead head;
  head.size = 8;
  head.root = *HashFromHex(kRoot8);
  head.timestamp_ms = 1'700'000'000'000;
  return head;
}

TEST(TreeHeadTest, SigningBytesHaveTheDocumentedLayout) {
  // "aimass-tree-head-v1", 0x00, size 8 big-endian, the root, 1700000000000 big-endian.
  EXPECT_EQ(ToHex(TreeHeadSigningBytes(ExampleHead())),
            "61696d6173732d747265652d686561642d7631"
            "00"
            "0000000000000008"
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
            "0000018bcfe56800");
  TreeHead negative;
  negative.timestamp_ms = -1;
  const std::vector<uint8_t> bytes = TreeHeadSigningBytes(negative);
  ASSERT_EQ(bytes.size(), kTreeHeadSigningBytesSize);
  EXPECT_EQ(ToHex(std::span(bytes).last(8)), "ffffffffffffffff");
}

// The signature from an independent Ed25519 (Python's `cryptography`, over OpenSSL) of the
// documented bytes: a verifier written elsewhere from the README agrees with this code.
TEST(TreeHeadTest, SignatureMatchesAnIndependentImplementation) {
  const KeyPair pair = FixedKeyPair();
  EXPECT_EQ(ToHex(pair.public_key),
            "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8");
  TreeHead head = ExampleHead();
  head.signature = SignTreeHead(head, pair.secret_key);
  EXPECT_EQ(ToHex(head.signature),
            "165bec886a26bf605e8fc1e60607bb3ddbafbe90b2b9326d877406bd1212c936"
            "b8d7fd626e34e6a76e09e95e0b2ff73d231db8ebc370346f4f21111cd49b8102");
  EXPECT_TRUE(VerifyTreeHead(head, pair.public_key));
}

TEST(TreeHeadTest, SignedHeadVerifiesAndAnyChangeFails) {
  const KeyPair pair = NewKeyPair();
  TreeHead head = ExampleHead();
  head.signature = SignTreeHead(head, pair.secret_key);
  auto ok = VerifyTreeHead(head, pair.public_key);
  ASSERT_TRUE(ok) << ok.error().message;

  TreeHead changed = head;
  changed.size = 9;
  auto status = VerifyTreeHead(changed, pair.public_key);
  ASSERT_FALSE(status);
  EXPECT_THAT(status.error().message, HasSubstr("size 9"));
  EXPECT_THAT(status.error().message, HasSubstr("does not verify"));

  changed = head;
  changed.root[31] ^= 0x80;
  EXPECT_FALSE(VerifyTreeHead(changed, pair.public_key)) << "root";
  changed = head;
  changed.timestamp_ms += 1;
  EXPECT_FALSE(VerifyTreeHead(changed, pair.public_key)) << "timestamp";
  for (size_t byte : {0, 31, 32, 63}) {
    changed = head;
    changed.signature[byte] ^= 0x01;
    EXPECT_FALSE(VerifyTreeHead(changed, pair.public_key)) << "signature byte " << byte;
  }
  changed = head;
  changed.signature = {};
  EXPECT_FALSE(VerifyTreeHead(changed, pair.public_key)) << "no signature";
}

TEST(TreeHeadTest, AnotherKeyDoesNotVerify) {
  const KeyPair signer = NewKeyPair();
  const KeyPair other = NewKeyPair();
  TreeHead head = ExampleHead();
  head.signature = SignTreeHead(head, signer.secret_key);
  EXPECT_TRUE(VerifyTreeHead(head, signer.public_key));
  EXPECT_FALSE(VerifyTreeHead(head, other.public_key));
  head.signature = SignTreeHead(head, other.secret_key);
  EXPECT_FALSE(VerifyTreeHead(head, signer.public_key));
}

TEST(TreeHeadTest, JsonRoundTrip) {
  const KeyPair pair = NewKeyPair();
  TreeHead head = ExampleHead();
  head.timestamp_ms = -5;  // before 1970 is odd, but representable
  head.signature = SignTreeHead(head, pair.secret_key);
  const nlohmann::json json = TreeHeadToJson(head);
  EXPECT_EQ(json["format"], "aimass-tree-head-v1");
  EXPECT_EQ(json["size"], 8);
  EXPECT_EQ(json["root"], kRoot8);
  EXPECT_EQ(json["timestamp_ms"], -5);
  EXPECT_EQ(json["signature"], ToHex(head.signature));

  auto parsed = ParseTreeHead(json.dump());
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->size, head.size);
  EXPECT_EQ(parsed->root, head.root);
  EXPECT_EQ(parsed->timestamp_ms, head.timestamp_ms);
  EXPECT_EQ(parsed->signature, head.signature);
  EXPECT_TRUE(VerifyTreeHead(*parsed, pair.public_key));

  head.size = std::numeric_limits<uint64_t>::max();
  head.timestamp_ms = std::numeric_limits<int64_t>::max();
  parsed = ParseTreeHead(TreeHeadToJson(head).dump());
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->size, head.size);
  EXPECT_EQ(parsed->timestamp_ms, head.timestamp_ms);
}

TEST(TreeHeadTest, MalformedJsonNamesTheProblem) {
  const nlohmann::json good = TreeHeadToJson(ExampleHead());
  auto error_for = [](const nlohmann::json& json) {
    auto head = ParseTreeHead(json.dump());
    EXPECT_FALSE(head) << json.dump();
    return head ? std::string() : head.error().message;
  };
  auto with = [&](std::string_view field, nlohmann::json value) {
    nlohmann::json json = good;
    json[std::string(field)] = std::move(value);
    return json;
  };
  auto without = [&](std::string_view field) {
    nlohmann::json json = good;
    json.erase(std::string(field));
    return json;
  };

  auto not_json = ParseTreeHead("{\"size\": 8,");
  ASSERT_FALSE(not_json);
  EXPECT_THAT(not_json.error().message, HasSubstr("not valid JSON"));
  EXPECT_FALSE(ParseTreeHead(""));
  EXPECT_THAT(error_for(nlohmann::json::array({1, 2})), HasSubstr("JSON object"));

  for (std::string_view field : {"format", "size", "root", "timestamp_ms", "signature"}) {
    EXPECT_THAT(error_for(without(field)), HasSubstr("'" + std::string(field) + "' is missing"));
  }
  EXPECT_THAT(error_for(with("format", "aimass-tree-head-v2")), HasSubstr("reads only"));
  EXPECT_THAT(error_for(with("size", "8")), HasSubstr("'size'"));
  EXPECT_THAT(error_for(with("size", -1)), HasSubstr("'size'"));
  EXPECT_THAT(error_for(with("size", 1.5)), HasSubstr("'size'"));
  EXPECT_THAT(error_for(with("timestamp_ms", "today")), HasSubstr("'timestamp_ms'"));
  EXPECT_THAT(error_for(with("timestamp_ms", 1.5)), HasSubstr("'timestamp_ms'"));
  EXPECT_THAT(error_for(with("timestamp_ms", std::numeric_limits<uint64_t>::max())),
              HasSubstr("'timestamp_ms'"));
  EXPECT_THAT(error_for(with("root", kRoot8.substr(2))), HasSubstr("'root' must be 64 hex"));
  EXPECT_THAT(error_for(with("root", "zz" + std::string(kRoot8.substr(2)))),
              HasSubstr("'root' is not hex"));
  EXPECT_THAT(error_for(with("root", 5)), HasSubstr("'root' must be a string"));
  EXPECT_THAT(error_for(with("signature", "abcd")), HasSubstr("'signature' must be 128 hex"));
}

TEST(TreeHeadTest, SaveAndLoadAFile) {
  fs::path dir = fs::temp_directory_path() / ("aimass-ledger-" + RandomHex(6));
  fs::create_directories(dir);
  const KeyPair pair = NewKeyPair();
  TreeHead head = ExampleHead();
  head.signature = SignTreeHead(head, pair.secret_key);

  ASSERT_TRUE(SaveTreeHead(dir / "head.json", head));
  auto loaded = LoadTreeHead(dir / "head.json");
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_TRUE(VerifyTreeHead(*loaded, pair.public_key));

  auto missing = LoadTreeHead(dir / "nope.json");
  ASSERT_FALSE(missing);
  EXPECT_THAT(missing.error().message, HasSubstr("nope.json"));

  std::ofstream(dir / "bad.json") << "{\"format\": \"aimass-tree-head-v1\", \"size\": \"x\"}";
  auto bad = LoadTreeHead(dir / "bad.json");
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.error().message, HasSubstr("bad.json"));
  EXPECT_THAT(bad.error().message, HasSubstr("'size'"));

  std::ofstream(dir / "huge.json") << std::string(100 * 1024, ' ');
  EXPECT_THAT(LoadTreeHead(dir / "huge.json").error().message, HasSubstr("a few hundred"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace aimass::security::ledger
