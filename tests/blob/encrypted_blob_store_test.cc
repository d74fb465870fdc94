#include "blob/encrypted_blob_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "common/files.h"
#include "common/hash.h"
#include "security/crypto/blob_cipher.h"

namespace aimass::blob {
namespace {
namespace fs = std::filesystem;
using security::crypto::KeyRing;
using security::crypto::MasterKey;

constexpr std::string_view kKeyHex =
    "1111111111111111111111111111111111111111111111111111111111111111";
constexpr std::string_view kOtherHex =
    "2222222222222222222222222222222222222222222222222222222222222222";
constexpr std::string_view kSecret = "name,salary\nalice,98765\nbob,12345\n";

std::unique_ptr<KeyRing> OpenRing(const fs::path& dir, std::string_view hex) {
  auto ring = KeyRing::Open(dir, *MasterKey::FromHex(hex, "test key"));
  EXPECT_TRUE(ring) << ring.error().message;
  return ring ? std::move(*ring) : nullptr;
}

class EncryptedBlobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("aimass-eblob-" + RandomHex(6));
    fs::create_directories(dir_);
    keys_ = OpenRing(dir_, kKeyHex);
    ASSERT_TRUE(keys_);
    store_ = Wrap(*keys_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<EncryptedBlobStore> Wrap(const KeyRing& keys) {
    auto local = LocalBlobStore::Open(dir_ / "blobs");
    EXPECT_TRUE(local) << local.error().message;
    return std::make_unique<EncryptedBlobStore>(std::move(*local), keys);
  }
  fs::path FileOf(const std::string& hash) const {
    return dir_ / "blobs" / hash.substr(0, 2) / hash.substr(2);
  }
  // The error a read of `hash` gives, which must name the blob and return no data.
  Error ReadFails(const std::string& hash) {
    auto opened = store_->Open(hash);
    EXPECT_FALSE(opened) << "returned data for a blob that should be refused";
    if (opened) return {ErrorCode::kUnimplemented, "no error"};
    EXPECT_NE(opened.error().message.find(hash), std::string::npos) << opened.error().message;
    EXPECT_TRUE(fs::is_empty(dir_ / "blobs" / "tmp")) << "a refused blob left a scratch file";
    return opened.error();
  }

  fs::path dir_;
  std::unique_ptr<KeyRing> keys_;
  std::unique_ptr<EncryptedBlobStore> store_;
};

TEST_F(EncryptedBlobStoreTest, RoundTripKeepsThePlaintextsName) {
  fs::path scratch = store_->NewScratchPath(".csv");
  std::ofstream(scratch) << kSecret;
  auto hash = store_->PutFile(scratch);
  ASSERT_TRUE(hash) << hash.error().message;
  EXPECT_EQ(*hash, Sha256Hex(kSecret));
  EXPECT_FALSE(fs::exists(scratch));
  EXPECT_EQ(*store_->Size(*hash), kSecret.size());
  EXPECT_EQ(store_->List()->size(), 1u);
  auto file = store_->Open(*hash);
  ASSERT_TRUE(file) << file.error().message;
  EXPECT_TRUE(file->is_scratch());
  EXPECT_EQ(*ReadFile(file->path()), kSecret);
  struct stat info {};
  ASSERT_EQ(::stat(file->path().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);

  auto put = store_->Put("small value");
  ASSERT_TRUE(put);
  EXPECT_EQ(*put, Sha256Hex("small value"));
  EXPECT_EQ(*ReadFile(store_->Open(*put)->path()), "small value");
  EXPECT_EQ(*store_->Put("small value"), *put);  // the same bytes are one blob
}

TEST_F(EncryptedBlobStoreTest, TheFileOnDiskHoldsNoPlaintext) {
  auto hash = store_->Put(kSecret);
  ASSERT_TRUE(hash);
  std::string stored = *ReadFile(FileOf(*hash));
  EXPECT_TRUE(stored.starts_with("AIMASSE1"));
  EXPECT_EQ(stored.find("alice"), std::string::npos);
  EXPECT_EQ(stored.find("98765"), std::string::npos);
}

TEST_F(EncryptedBlobStoreTest, FlippedByteIsRefused) {
  auto hash = store_->Put(kSecret);
  ASSERT_TRUE(hash);
  std::string stored = *ReadFile(FileOf(*hash));
  stored[stored.size() - 5] ^= 0x01;
  ASSERT_TRUE(WriteFileAtomically(FileOf(*hash), stored));
  Error error = ReadFails(*hash);
  EXPECT_EQ(error.code, ErrorCode::kInternal);
  EXPECT_NE(error.message.find("authentication"), std::string::npos) << error.message;
}

TEST_F(EncryptedBlobStoreTest, TruncatedFileIsRefused) {
  auto hash = store_->Put(kSecret);
  ASSERT_TRUE(hash);
  fs::resize_file(FileOf(*hash), fs::file_size(FileOf(*hash)) - 3);
  Error error = ReadFails(*hash);
  EXPECT_EQ(error.code, ErrorCode::kInternal);
}

TEST_F(EncryptedBlobStoreTest, AnotherBlobsCiphertextIsRefused) {
  auto mine = store_->Put(kSecret);
  auto theirs = store_->Put("someone else's bytes");
  ASSERT_TRUE(mine && theirs);
  fs::copy_file(FileOf(*theirs), FileOf(*mine), fs::copy_options::overwrite_existing);
  Error error = ReadFails(*mine);
  EXPECT_EQ(error.code, ErrorCode::kInternal);
}

TEST_F(EncryptedBlobStoreTest, WrongKeyIsRefused) {
  auto hash = store_->Put(kSecret);
  ASSERT_TRUE(hash);
  // The key ring itself refuses a wrong master key, naming both ids...
  auto wrong = KeyRing::Open(dir_, *MasterKey::FromHex(kOtherHex, "test key"));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::kPermissionDenied);
  EXPECT_NE(wrong.error().message.find(keys_->MasterKeyId()), std::string::npos);
  // ...and data keys of another data directory do not open this one's blobs.
  const fs::path other_dir = dir_ / "other";
  fs::create_directories(other_dir);
  auto other = OpenRing(other_dir, kOtherHex);
  ASSERT_TRUE(other);
  store_ = Wrap(*other);
  Error error = ReadFails(*hash);
  EXPECT_EQ(error.code, ErrorCode::kInternal);
}

TEST_F(EncryptedBlobStoreTest, LegacyPlaintextBlobsReadAndGetEncrypted) {
  {
    auto local = LocalBlobStore::Open(dir_ / "blobs");
    ASSERT_TRUE(local);
    ASSERT_TRUE((*local)->Put(kSecret));
    ASSERT_TRUE((*local)->Put("corrupt soon"));
  }
  const std::string hash = Sha256Hex(kSecret);
  const std::string damaged = Sha256Hex("corrupt soon");
  std::ofstream(FileOf(damaged), std::ios::trunc) << "corrupt s00n";
  store_ = Wrap(*keys_);
  auto file = store_->Open(hash);
  ASSERT_TRUE(file) << file.error().message;
  EXPECT_FALSE(file->is_scratch());
  EXPECT_EQ(*ReadFile(file->path()), kSecret);
  EXPECT_EQ(*store_->Size(hash), kSecret.size());
  EXPECT_EQ(ReadFails(damaged).code, ErrorCode::kInternal);

  auto encrypted = store_->EncryptLegacyBlobs();
  ASSERT_TRUE(encrypted) << encrypted.error().message;
  EXPECT_EQ(*encrypted, 1u);  // the damaged one is left for reads to report
  EXPECT_TRUE(ReadFile(FileOf(hash))->starts_with("AIMASSE1"));
  EXPECT_EQ(*ReadFile(store_->Open(hash)->path()), kSecret);
  EXPECT_EQ(*store_->Size(hash), kSecret.size());
  EXPECT_EQ(*store_->EncryptLegacyBlobs(), 0u);
  EXPECT_EQ(ReadFails(damaged).code, ErrorCode::kInternal);
}

TEST_F(EncryptedBlobStoreTest, HandleRemovesItsScratchFile) {
  auto hash = store_->Put(kSecret);
  ASSERT_TRUE(hash);
  fs::path scratch;
  {
    auto file = store_->Open(*hash);
    ASSERT_TRUE(file);
    scratch = file->path();
    EXPECT_TRUE(fs::exists(scratch));
    BlobFile moved = std::move(*file);  // the handle moves; the file stays
    EXPECT_TRUE(file->path().empty());
    EXPECT_TRUE(fs::exists(scratch));
    EXPECT_EQ(moved.path(), scratch);
  }
  EXPECT_FALSE(fs::exists(scratch));
  // Released, the file is the caller's to remove.
  auto released = store_->Open(*hash);
  ASSERT_TRUE(released);
  fs::path kept = released->Release();
  released = Result<BlobFile>(BlobFile());
  EXPECT_TRUE(fs::exists(kept));
  fs::remove(kept);
  EXPECT_TRUE(fs::is_empty(dir_ / "blobs" / "tmp"));
}

TEST_F(EncryptedBlobStoreTest, RotationKeepsOldBlobsReadable) {
  auto before = store_->Put(kSecret);
  ASSERT_TRUE(before);
  ASSERT_TRUE(keys_->Rotate(*MasterKey::FromHex(kOtherHex, "test key"), true));
  auto after = store_->Put("after the rotation");
  ASSERT_TRUE(after);
  EXPECT_EQ(*ReadFile(store_->Open(*before)->path()), kSecret);
  // A restart with the new master key reads blobs of both data keys.
  auto reopened = OpenRing(dir_, kOtherHex);
  ASSERT_TRUE(reopened);
  store_ = Wrap(*reopened);
  EXPECT_EQ(*ReadFile(store_->Open(*before)->path()), kSecret);
  EXPECT_EQ(*ReadFile(store_->Open(*after)->path()), "after the rotation");
}

}  // namespace
}  // namespace aimass::blob
