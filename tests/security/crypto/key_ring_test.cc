#include "security/crypto/key_ring.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/files.h"
#include "common/hash.h"
#include "security/crypto/blob_cipher.h"

namespace aimass::security::crypto {
namespace {
namespace fs = std::filesystem;

constexpr std::string_view kOldHex =
    "1111111111111111111111111111111111111111111111111111111111111111";
constexpr std::string_view kNewHex =
    "2222222222222222222222222222222222222222222222222222222222222222";

MasterKey Key(std::string_view hex) { return *MasterKey::FromHex(hex, "test key"); }

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : bytes) hex += {kDigits[c >> 4], kDigits[c & 15]};
  return hex;
}

class KeyRingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("aimass-crypto-" + RandomHex(6));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<KeyRing> Open(std::string_view hex) {
    auto ring = KeyRing::Open(dir_, Key(hex));
    EXPECT_TRUE(ring) << ring.error().message;
    return ring ? std::move(*ring) : nullptr;
  }

  // The data directory's master.key, whatever the environment holds.
  MasterKeySources OnlyDataDir() const {
    MasterKeySources sources;
    sources.data_dir = dir_;
    sources.env_var = "";
    return sources;
  }

  fs::path dir_;
};

TEST_F(KeyRingTest, FreshDirectoryGetsOneWrappedDataKey) {
  auto ring = Open(kOldHex);
  ASSERT_TRUE(ring);
  ASSERT_EQ(ring->DataKeyIds().size(), 1u);
  auto current = ring->Current();
  EXPECT_EQ(current->id.size(), 16u);
  EXPECT_EQ(ring->Find(current->id), current);
  EXPECT_EQ(ring->Find("0000000000000000"), nullptr);
  EXPECT_EQ(ring->MasterKeyId(), Key(kOldHex).id());

  const fs::path file = KeyRing::FileIn(dir_);
  EXPECT_EQ(ring->file(), file);
  struct stat info {};
  ASSERT_EQ(::stat(file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  // The file holds the key only wrapped: its bytes appear nowhere in it.
  std::string text = *ReadFile(file);
  std::string raw(reinterpret_cast<const char*>(current->key.data()), SecretKey::kSize);
  EXPECT_EQ(text.find(raw), std::string::npos);
  EXPECT_EQ(text.find(Hex(raw)), std::string::npos);
  auto stored = nlohmann::json::parse(text);
  EXPECT_EQ(stored["master_key_id"], Key(kOldHex).id());
  EXPECT_EQ(stored["current"], current->id);
  ASSERT_EQ(stored["data_keys"].size(), 1u);
  EXPECT_EQ(stored["data_keys"][0]["wrapped"].get<std::string>().size(), 96u);
}

TEST_F(KeyRingTest, ReopeningUnwrapsTheSameKeys) {
  auto ring = Open(kOldHex);
  ASSERT_TRUE(ring);
  auto encrypted = EncryptBytes("weights", *ring, "blob-a");
  ASSERT_TRUE(encrypted);
  ring.reset();
  auto reopened = Open(kOldHex);
  ASSERT_TRUE(reopened);
  EXPECT_EQ(*DecryptBytes(*encrypted, *reopened, "blob-a"), "weights");
}

TEST_F(KeyRingTest, WrongMasterKeyIsRefusedNamingBothIds) {
  ASSERT_TRUE(Open(kOldHex));
  auto ring = KeyRing::Open(dir_, Key(kNewHex));
  ASSERT_FALSE(ring);
  EXPECT_EQ(ring.error().code, ErrorCode::kPermissionDenied);
  EXPECT_NE(ring.error().message.find(Key(kOldHex).id()), std::string::npos);
  EXPECT_NE(ring.error().message.find(Key(kNewHex).id()), std::string::npos);
  EXPECT_NE(ring.error().message.find("test key"), std::string::npos) << ring.error().message;
}

// Someone who edits the file to name their key still cannot unwrap the data keys with it.
TEST_F(KeyRingTest, WrongMasterKeyFailsToUnwrapEvenWhenTheFileNamesIt) {
  ASSERT_TRUE(Open(kOldHex));
  const fs::path file = KeyRing::FileIn(dir_);
  auto stored = nlohmann::json::parse(*ReadFile(file));
  stored["master_key_id"] = Key(kNewHex).id();
  ASSERT_TRUE(WriteFileAtomically(file, stored.dump()));
  auto ring = KeyRing::Open(dir_, Key(kNewHex));
  ASSERT_FALSE(ring);
  EXPECT_EQ(ring.error().code, ErrorCode::kInternal);
  EXPECT_NE(ring.error().message.find("does not unwrap"), std::string::npos)
      << ring.error().message;
}

TEST_F(KeyRingTest, AlteredKeyFileIsReported) {
  ASSERT_TRUE(Open(kOldHex));
  const fs::path file = KeyRing::FileIn(dir_);
  const std::string original = *ReadFile(file);
  auto stored = nlohmann::json::parse(original);

  auto flipped = stored;
  std::string wrapped = flipped["data_keys"][0]["wrapped"];
  wrapped[10] = wrapped[10] == '0' ? '1' : '0';
  flipped["data_keys"][0]["wrapped"] = wrapped;
  ASSERT_TRUE(WriteFileAtomically(file, flipped.dump()));
  auto ring = KeyRing::Open(dir_, Key(kOldHex));
  ASSERT_FALSE(ring);
  EXPECT_EQ(ring.error().code, ErrorCode::kInternal);

  // A wrapped key moved under another id does not unwrap as that id.
  auto renamed = stored;
  renamed["data_keys"][0]["id"] = "0123456789abcdef";
  renamed["current"] = "0123456789abcdef";
  ASSERT_TRUE(WriteFileAtomically(file, renamed.dump()));
  EXPECT_FALSE(KeyRing::Open(dir_, Key(kOldHex)));

  ASSERT_TRUE(WriteFileAtomically(file, "{not json"));
  ring = KeyRing::Open(dir_, Key(kOldHex));
  ASSERT_FALSE(ring);
  EXPECT_NE(ring.error().message.find("backup"), std::string::npos) << ring.error().message;

  auto bad_format = stored;
  bad_format["format"] = "1";
  ASSERT_TRUE(WriteFileAtomically(file, bad_format.dump()));
  EXPECT_FALSE(KeyRing::Open(dir_, Key(kOldHex)));
  auto bad_master = stored;
  bad_master["master_key_id"] = 7;
  ASSERT_TRUE(WriteFileAtomically(file, bad_master.dump()));
  EXPECT_FALSE(KeyRing::Open(dir_, Key(kOldHex)));

  auto no_keys = stored;
  no_keys.erase("data_keys");
  ASSERT_TRUE(WriteFileAtomically(file, no_keys.dump()));
  EXPECT_FALSE(KeyRing::Open(dir_, Key(kOldHex)));

  ASSERT_TRUE(WriteFileAtomically(file, original));
  EXPECT_TRUE(KeyRing::Open(dir_, Key(kOldHex)));
}

TEST_F(KeyRingTest, NewDataKeyIsUsedForNewBlobsAndOldOnesStay) {
  auto ring = Open(kOldHex);
  ASSERT_TRUE(ring);
  const std::string first = ring->Current()->id;
  auto old_blob = EncryptBytes("old", *ring, "a");
  auto second = ring->StartNewDataKey();
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_NE(*second, first);
  EXPECT_EQ(ring->Current()->id, *second);
  EXPECT_EQ(ring->DataKeyIds().size(), 2u);
  EXPECT_EQ(*DecryptBytes(*old_blob, *ring, "a"), "old");

  auto reopened = Open(kOldHex);
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->Current()->id, *second);
  EXPECT_EQ(*DecryptBytes(*old_blob, *reopened, "a"), "old");
}

TEST_F(KeyRingTest, RotationKeepsOldBlobsReadableAndRetiresTheOldMasterKey) {
  auto ring = Open(kOldHex);
  ASSERT_TRUE(ring);
  auto blob = EncryptBytes("dataset v1", *ring, "hash-1");
  ASSERT_TRUE(blob);
  const auto ids = ring->DataKeyIds();

  ASSERT_TRUE(ring->Rotate(Key(kNewHex)));
  EXPECT_EQ(ring->MasterKeyId(), Key(kNewHex).id());
  EXPECT_EQ(ring->DataKeyIds(), ids) << "the data keys themselves do not change";
  EXPECT_EQ(*DecryptBytes(*blob, *ring, "hash-1"), "dataset v1");

  auto old = KeyRing::Open(dir_, Key(kOldHex));
  ASSERT_FALSE(old) << "the old master key no longer opens the key file";
  EXPECT_EQ(old.error().code, ErrorCode::kPermissionDenied);
  auto reopened = Open(kNewHex);
  ASSERT_TRUE(reopened);
  EXPECT_EQ(*DecryptBytes(*blob, *reopened, "hash-1"), "dataset v1");
}

TEST_F(KeyRingTest, RotationCanStartAFreshDataKey) {
  auto ring = Open(kOldHex);
  ASSERT_TRUE(ring);
  const std::string before = ring->Current()->id;
  auto blob = EncryptBytes("x", *ring, "n");
  ASSERT_TRUE(ring->Rotate(Key(kNewHex), /*start_new_data_key=*/true));
  EXPECT_NE(ring->Current()->id, before);
  EXPECT_NE(ring->Find(before), nullptr);
  auto reopened = Open(kNewHex);
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->DataKeyIds().size(), 2u);
  EXPECT_EQ(*DecryptBytes(*blob, *reopened, "n"), "x");
}

// `aimass keys rotate` beside a running server: the server keeps decrypting with the keys
// it holds, but does not write the file back under the master key that was retired.
TEST_F(KeyRingTest, AnotherProcessRotatingIsNotUndone) {
  auto server = Open(kOldHex);
  ASSERT_TRUE(server);
  auto blob = EncryptBytes("x", *server, "n");
  auto cli = Open(kOldHex);
  ASSERT_TRUE(cli);
  ASSERT_TRUE(cli->Rotate(Key(kNewHex), /*start_new_data_key=*/true));

  EXPECT_EQ(*DecryptBytes(*blob, *server, "n"), "x");
  auto added = server->StartNewDataKey();
  ASSERT_FALSE(added);
  EXPECT_EQ(added.error().code, ErrorCode::kConflict);
  EXPECT_NE(added.error().message.find(Key(kNewHex).id()), std::string::npos);
  auto reopened = Open(kNewHex);
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->DataKeyIds().size(), 2u);
}

// Two writers under the same master key merge: neither drops the other's new data key.
TEST_F(KeyRingTest, WritersInTwoProcessesKeepEachOthersKeys) {
  auto a = Open(kOldHex);
  auto b = Open(kOldHex);
  ASSERT_TRUE(a && b);
  auto from_a = a->StartNewDataKey();
  auto from_b = b->StartNewDataKey();
  ASSERT_TRUE(from_a && from_b);
  EXPECT_NE(b->Find(*from_a), nullptr);
  auto reopened = Open(kOldHex);
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->DataKeyIds().size(), 3u);
  EXPECT_EQ(reopened->Current()->id, *from_b);
}

TEST_F(KeyRingTest, RotateMasterKeyFileReplacesTheKeyInTheDataDirectory) {
  auto loaded = LoadMasterKey(OnlyDataDir());
  ASSERT_TRUE(loaded) << loaded.error().message;
  const std::string old_id = loaded->id();
  auto ring = KeyRing::Open(dir_, std::move(*loaded));
  ASSERT_TRUE(ring);
  auto blob = EncryptBytes("model bundle", **ring, "m");

  auto new_id = (*ring)->RotateMasterKeyFile();
  ASSERT_TRUE(new_id) << new_id.error().message;
  EXPECT_NE(*new_id, old_id);
  EXPECT_EQ((*ring)->MasterKeyId(), *new_id);
  EXPECT_FALSE(fs::exists(DefaultMasterKeyPath(dir_).string() + ".next"));

  auto next_start = LoadMasterKey(OnlyDataDir());
  ASSERT_TRUE(next_start);
  EXPECT_EQ(next_start->id(), *new_id);
  auto reopened = KeyRing::Open(dir_, std::move(*next_start));
  ASSERT_TRUE(reopened) << reopened.error().message;
  EXPECT_EQ(*DecryptBytes(*blob, **reopened, "m"), "model bundle");
}

TEST_F(KeyRingTest, RotateMasterKeyFileRefusesAKeyFromElsewhere) {
  ASSERT_TRUE(LoadMasterKey(OnlyDataDir()));  // a master.key exists
  auto ring = Open(kOldHex);                  // but the ring uses another key
  ASSERT_TRUE(ring);
  auto rotated = ring->RotateMasterKeyFile();
  ASSERT_FALSE(rotated);
  EXPECT_EQ(rotated.error().code, ErrorCode::kConflict);
  EXPECT_EQ(ring->MasterKeyId(), Key(kOldHex).id());
  EXPECT_TRUE(Open(kOldHex));
}

// A crash after the data keys were re-wrapped but before master.key.next was renamed over
// master.key: the next start finds the new key and finishes the rotation.
TEST_F(KeyRingTest, InterruptedRotationIsFinishedOnTheNextOpen) {
  auto loaded = LoadMasterKey(OnlyDataDir());
  ASSERT_TRUE(loaded);
  auto ring = KeyRing::Open(dir_, std::move(*loaded));
  ASSERT_TRUE(ring);
  auto blob = EncryptBytes("v", **ring, "b");
  const fs::path next_path = DefaultMasterKeyPath(dir_).string() + ".next";
  auto next = CreateMasterKeyFile(next_path);
  ASSERT_TRUE(next);
  const std::string new_id = next->id();
  ASSERT_TRUE((*ring)->Rotate(std::move(*next)));  // ...and then the process died
  ring->reset();

  auto restart = LoadMasterKey(OnlyDataDir());
  ASSERT_TRUE(restart);
  EXPECT_NE(restart->id(), new_id) << "master.key still holds the old key";
  auto reopened = KeyRing::Open(dir_, std::move(*restart));
  ASSERT_TRUE(reopened) << reopened.error().message;
  EXPECT_EQ((*reopened)->MasterKeyId(), new_id);
  EXPECT_FALSE(fs::exists(next_path));
  EXPECT_EQ(LoadMasterKey(OnlyDataDir())->id(), new_id);
  EXPECT_EQ(*DecryptBytes(*blob, **reopened, "b"), "v");
}

}  // namespace
}  // namespace aimass::security::crypto
