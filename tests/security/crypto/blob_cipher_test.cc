#include "security/crypto/blob_cipher.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <random>
#include <thread>
#include <vector>

#include "common/files.h"
#include "common/hash.h"

namespace aimass::security::crypto {
namespace {
namespace fs = std::filesystem;

constexpr std::string_view kMasterHex =
    "3333333333333333333333333333333333333333333333333333333333333333";
constexpr size_t kFullChunk = kChunkSize + kChunkOverhead;  // on disk, with its length field

std::string Pseudorandom(size_t size, uint32_t seed) {
  std::mt19937 generator(seed);
  std::string bytes(size, '\0');
  for (char& c : bytes) c = static_cast<char>(generator());
  return bytes;
}

// Where chunk `k` (with its length field) starts in an encrypted value.
size_t ChunkStart(size_t k) { return kEncryptedHeaderSize + k * kFullChunk; }

std::string Flipped(std::string bytes, size_t at, unsigned char mask = 0x01) {
  bytes.at(at) = static_cast<char>(bytes.at(at) ^ mask);
  return bytes;
}

class BlobCipherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("aimass-crypto-" + RandomHex(6));
    fs::create_directories(dir_ / "data");
    auto ring = KeyRing::Open(dir_ / "data", *MasterKey::FromHex(kMasterHex, "test key"));
    ASSERT_TRUE(ring) << ring.error().message;
    ring_ = std::move(*ring);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Encrypt(std::string_view plaintext, std::string_view name = "blob") {
    auto encrypted = EncryptBytes(plaintext, *ring_, name);
    EXPECT_TRUE(encrypted) << encrypted.error().message;
    return encrypted ? *encrypted : std::string();
  }
  // Why decrypting `encrypted` fails; kNone when it decrypts (to anything).
  CipherFailure FailureOf(std::string_view encrypted, std::string_view name = "blob") {
    CipherFailure failure = CipherFailure::kIo;
    auto plaintext = DecryptBytes(encrypted, *ring_, name, &failure);
    EXPECT_EQ(plaintext.has_value(), failure == CipherFailure::kNone);
    if (!plaintext && failure != CipherFailure::kUnsupportedVersion) {
      EXPECT_EQ(plaintext.error().code, ErrorCode::kInternal) << plaintext.error().message;
    }
    return failure;
  }
  size_t FilesIn(const fs::path& dir) {
    return std::distance(fs::directory_iterator(dir), fs::directory_iterator());
  }

  fs::path dir_;
  std::unique_ptr<KeyRing> ring_;
};

TEST_F(BlobCipherTest, BytesRoundTripAtEverySizeThatMatters) {
  for (size_t size : {size_t{0}, size_t{1}, kChunkSize - 1, kChunkSize, kChunkSize + 1,
                      2 * kChunkSize, 3 * kChunkSize + 5, size_t{5} * 1024 * 1024 + 3}) {
    const std::string plaintext = Pseudorandom(size, static_cast<uint32_t>(size));
    const std::string encrypted = Encrypt(plaintext);
    const size_t chunks = std::max<size_t>(1, (size + kChunkSize - 1) / kChunkSize);
    EXPECT_EQ(encrypted.size(), kEncryptedHeaderSize + size + chunks * kChunkOverhead) << size;
    EXPECT_EQ(*PlaintextSize(encrypted.size()), size);
    EXPECT_TRUE(LooksEncrypted(encrypted));
    CipherFailure failure = CipherFailure::kIo;
    auto decrypted = DecryptBytes(encrypted, *ring_, "blob", &failure);
    ASSERT_TRUE(decrypted) << size << ": " << decrypted.error().message;
    EXPECT_EQ(failure, CipherFailure::kNone);
    EXPECT_TRUE(*decrypted == plaintext) << size;
  }
}

TEST_F(BlobCipherTest, FilesRoundTripWithMode0600AndNoLeftovers) {
  for (size_t size :
       {size_t{0}, size_t{1}, kChunkSize, kChunkSize + 1, size_t{6} * 1024 * 1024 + 7}) {
    const std::string plaintext = Pseudorandom(size, 7);
    const fs::path source = dir_ / "plain", sealed = dir_ / "sealed", opened = dir_ / "opened";
    ASSERT_TRUE(WriteFileAtomically(source, plaintext));
    auto encrypted = EncryptFile(source, sealed, *ring_, "sha-of-it");
    ASSERT_TRUE(encrypted) << encrypted.error().message;
    struct stat info {};
    ASSERT_EQ(::stat(sealed.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600u);
    EXPECT_EQ(*PlaintextSize(fs::file_size(sealed)), size);

    CipherFailure failure = CipherFailure::kIo;
    auto decrypted = DecryptFile(sealed, opened, *ring_, "sha-of-it", &failure);
    ASSERT_TRUE(decrypted) << decrypted.error().message;
    EXPECT_EQ(failure, CipherFailure::kNone);
    EXPECT_TRUE(*ReadFile(opened) == plaintext) << size;
    ASSERT_EQ(::stat(opened.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600u);
    EXPECT_EQ(FilesIn(dir_), 4u) << "data/, plain, sealed, opened and no temporary files";
  }
}

TEST_F(BlobCipherTest, EachEncryptionIsFresh) {
  EXPECT_NE(Encrypt("same"), Encrypt("same"));
  EXPECT_EQ(Encrypt("same").find("same"), std::string::npos);
}

// Every header byte is covered: the magic and version by parsing, the key id by the key
// ring, and all of it (with the stream header) by the first chunk's authentication.
TEST_F(BlobCipherTest, EveryHeaderByteIsChecked) {
  const std::string encrypted = Encrypt(Pseudorandom(100, 1));
  for (size_t i = 0; i < kEncryptedHeaderSize; ++i) {
    CipherFailure expected = i < 8    ? CipherFailure::kNotEncrypted
                             : i == 8 ? CipherFailure::kUnsupportedVersion
                             : i < 17 ? CipherFailure::kUnknownDataKey
                                      : CipherFailure::kAuthentication;
    EXPECT_EQ(FailureOf(Flipped(encrypted, i)), expected) << "byte " << i;
  }
  auto newer = DecryptBytes(Flipped(encrypted, 8, 0x03), *ring_, "blob");
  ASSERT_FALSE(newer);
  EXPECT_EQ(newer.error().code, ErrorCode::kUnimplemented);
  EXPECT_NE(newer.error().message.find("version 2"), std::string::npos) << newer.error().message;
}

TEST_F(BlobCipherTest, AFlippedByteInAnyChunkFailsAuthentication) {
  const size_t size = 3 * kChunkSize + 100;  // three full chunks and a short final one
  const std::string encrypted = Encrypt(Pseudorandom(size, 2));
  for (size_t k = 0; k < 4; ++k) {
    const size_t start = ChunkStart(k);
    const size_t end = k < 3 ? ChunkStart(k + 1) : encrypted.size();
    SCOPED_TRACE("chunk " + std::to_string(k));
    EXPECT_EQ(FailureOf(Flipped(encrypted, start)), CipherFailure::kAuthentication)
        << "its length field";
    EXPECT_EQ(FailureOf(Flipped(encrypted, start + 3, 0x80)), CipherFailure::kAuthentication)
        << "its length field, made impossible";
    EXPECT_EQ(FailureOf(Flipped(encrypted, start + 4)), CipherFailure::kAuthentication)
        << "its encrypted tag";
    EXPECT_EQ(FailureOf(Flipped(encrypted, (start + end) / 2, 0x40)),
              CipherFailure::kAuthentication)
        << "its middle";
    EXPECT_EQ(FailureOf(Flipped(encrypted, end - 1, 0x80)), CipherFailure::kAuthentication)
        << "its MAC";
  }
  const std::string empty = Encrypt("");
  for (size_t i = kEncryptedHeaderSize + 4; i < empty.size(); ++i) {
    EXPECT_EQ(FailureOf(Flipped(empty, i)), CipherFailure::kAuthentication) << i;
  }
}

TEST_F(BlobCipherTest, ReorderedOrDroppedChunksFail) {
  const std::string encrypted = Encrypt(Pseudorandom(3 * kChunkSize + 100, 3));
  auto chunk = [&](size_t k) { return encrypted.substr(ChunkStart(k), kFullChunk); };
  std::string swapped =
      encrypted.substr(0, ChunkStart(1)) + chunk(2) + chunk(1) + encrypted.substr(ChunkStart(3));
  EXPECT_EQ(FailureOf(swapped), CipherFailure::kAuthentication);
  std::string dropped = encrypted.substr(0, ChunkStart(1)) + encrypted.substr(ChunkStart(2));
  EXPECT_EQ(FailureOf(dropped), CipherFailure::kAuthentication);
  std::string repeated =
      encrypted.substr(0, ChunkStart(2)) + chunk(1) + encrypted.substr(ChunkStart(2));
  EXPECT_EQ(FailureOf(repeated), CipherFailure::kAuthentication);
}

TEST_F(BlobCipherTest, TruncationIsReported) {
  const std::string encrypted = Encrypt(Pseudorandom(3 * kChunkSize + 100, 4));
  // At chunk boundaries every chunk left authenticates; only the missing final tag tells.
  for (size_t k = 0; k <= 3; ++k) {
    EXPECT_EQ(FailureOf(encrypted.substr(0, ChunkStart(k))), CipherFailure::kTruncated)
        << "after " << k << " chunks";
  }
  for (size_t cut : {size_t{3}, size_t{8}, size_t{20}, kEncryptedHeaderSize - 1, ChunkStart(1) + 2,
                     ChunkStart(1) + 4, ChunkStart(1) + 1000, ChunkStart(2) - 1, ChunkStart(3) + 50,
                     encrypted.size() - 1}) {
    EXPECT_EQ(FailureOf(encrypted.substr(0, cut)), CipherFailure::kTruncated) << "at " << cut;
  }
  // A full final chunk (a plaintext of exactly one chunk) cut at its end is also caught.
  const std::string one_chunk = Encrypt(Pseudorandom(kChunkSize, 5));
  EXPECT_EQ(FailureOf(one_chunk.substr(0, one_chunk.size() - 1)), CipherFailure::kTruncated);
  EXPECT_EQ(FailureOf(one_chunk.substr(0, kEncryptedHeaderSize)), CipherFailure::kTruncated);
}

TEST_F(BlobCipherTest, AppendedBytesAreReported) {
  for (size_t size : {size_t{0}, size_t{10}, kChunkSize, 2 * kChunkSize + 1}) {
    const std::string encrypted = Encrypt(Pseudorandom(size, 6));
    EXPECT_EQ(FailureOf(encrypted + "x"), CipherFailure::kTrailingData) << size;
    EXPECT_EQ(FailureOf(encrypted + std::string(100, '\0')), CipherFailure::kTrailingData);
    EXPECT_EQ(FailureOf(encrypted + encrypted), CipherFailure::kTrailingData) << size;
  }
}

TEST_F(BlobCipherTest, ASwappedBlobFails) {
  const std::string a = Encrypt("dataset version 1", "sha256-of-a");
  const std::string b = Encrypt("dataset version 2", "sha256-of-b");
  EXPECT_EQ(FailureOf(a, "sha256-of-a"), CipherFailure::kNone);
  EXPECT_EQ(FailureOf(a, "sha256-of-b"), CipherFailure::kAuthentication);
  EXPECT_EQ(FailureOf(b, "sha256-of-a"), CipherFailure::kAuthentication);
  EXPECT_EQ(FailureOf(Encrypt("", "x"), "y"), CipherFailure::kAuthentication);

  // The same with files: a's ciphertext renamed to b's name.
  const fs::path plain = dir_ / "a.plain", stored_b = dir_ / "b.blob", out = dir_ / "out";
  ASSERT_TRUE(WriteFileAtomically(plain, Pseudorandom(3 * kChunkSize, 8)));
  ASSERT_TRUE(EncryptFile(plain, stored_b, *ring_, "sha256-of-a"));
  CipherFailure failure = CipherFailure::kNone;
  auto decrypted = DecryptFile(stored_b, out, *ring_, "sha256-of-b", &failure);
  ASSERT_FALSE(decrypted);
  EXPECT_EQ(failure, CipherFailure::kAuthentication);
  EXPECT_NE(decrypted.error().message.find(stored_b.string()), std::string::npos);
  EXPECT_NE(decrypted.error().message.find("another blob"), std::string::npos)
      << decrypted.error().message;
}

TEST_F(BlobCipherTest, AnotherDataKeyOfTheRingFailsAuthentication) {
  const std::string first_id = ring_->Current()->id;
  const std::string encrypted = Encrypt("under the first key");
  auto second_id = ring_->StartNewDataKey();
  ASSERT_TRUE(second_id);
  std::string relabelled = encrypted;
  for (size_t i = 0; i < 8; ++i) {
    relabelled[9 + i] = static_cast<char>(std::stoi(second_id->substr(2 * i, 2), nullptr, 16));
  }
  EXPECT_EQ(FailureOf(relabelled), CipherFailure::kAuthentication);
  EXPECT_EQ(FailureOf(encrypted), CipherFailure::kNone);
  EXPECT_NE(ring_->Find(first_id), nullptr);
}

TEST_F(BlobCipherTest, AnUnknownDataKeyIsNamed) {
  auto other = KeyRing::Open(dir_ / "other", *MasterKey::FromHex(kMasterHex, "test key"));
  ASSERT_TRUE(other);
  auto encrypted = EncryptBytes("elsewhere", **other, "blob");
  CipherFailure failure = CipherFailure::kNone;
  auto decrypted = DecryptBytes(*encrypted, *ring_, "blob", &failure);
  ASSERT_FALSE(decrypted);
  EXPECT_EQ(failure, CipherFailure::kUnknownDataKey);
  EXPECT_NE(decrypted.error().message.find((*other)->Current()->id), std::string::npos);
  EXPECT_NE(decrypted.error().message.find(ring_->file().string()), std::string::npos);
}

TEST_F(BlobCipherTest, PlaintextIsNotAnEncryptedFile) {
  EXPECT_EQ(FailureOf("PAR1 parquet bytes"), CipherFailure::kNotEncrypted);
  EXPECT_EQ(FailureOf(""), CipherFailure::kNotEncrypted);
  EXPECT_EQ(FailureOf("AIMASSE2 and more bytes to fill a header up to forty-one"),
            CipherFailure::kNotEncrypted);
  EXPECT_FALSE(LooksEncrypted("PAR1"));
  EXPECT_FALSE(LooksEncrypted("AIMA"));
}

TEST_F(BlobCipherTest, AFailedDecryptionLeavesTheTargetAlone) {
  const fs::path plain = dir_ / "plain", sealed = dir_ / "sealed", target = dir_ / "target";
  ASSERT_TRUE(WriteFileAtomically(plain, Pseudorandom(2 * kChunkSize + 9, 9)));
  ASSERT_TRUE(EncryptFile(plain, sealed, *ring_, "n"));
  std::string encrypted = *ReadFile(sealed);
  // Damage the last chunk only: the first two chunks authenticate and were written out.
  ASSERT_TRUE(WriteFileAtomically(sealed, Flipped(encrypted, encrypted.size() - 3)));

  CipherFailure failure = CipherFailure::kNone;
  EXPECT_FALSE(DecryptFile(sealed, target, *ring_, "n", &failure));
  EXPECT_EQ(failure, CipherFailure::kAuthentication);
  EXPECT_FALSE(fs::exists(target));
  ASSERT_TRUE(WriteFileAtomically(target, "previous"));
  EXPECT_FALSE(DecryptFile(sealed, target, *ring_, "n", &failure));
  EXPECT_EQ(*ReadFile(target), "previous");
  ASSERT_TRUE(WriteFileAtomically(sealed, encrypted.substr(0, ChunkStart(2))));
  EXPECT_FALSE(DecryptFile(sealed, target, *ring_, "n", &failure));
  EXPECT_EQ(failure, CipherFailure::kTruncated);
  EXPECT_EQ(*ReadFile(target), "previous");
  EXPECT_EQ(FilesIn(dir_), 4u) << "data/, plain, sealed, target and no temporary files";
}

TEST_F(BlobCipherTest, MissingFilesAreReported) {
  CipherFailure failure = CipherFailure::kNone;
  auto decrypted = DecryptFile(dir_ / "absent", dir_ / "out", *ring_, "n", &failure);
  ASSERT_FALSE(decrypted);
  EXPECT_EQ(decrypted.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(failure, CipherFailure::kIo);
  auto encrypted = EncryptFile(dir_ / "absent", dir_ / "out", *ring_, "n");
  ASSERT_FALSE(encrypted);
  EXPECT_EQ(encrypted.error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(fs::exists(dir_ / "out"));
}

TEST_F(BlobCipherTest, PlaintextSizeRefusesImpossibleSizes) {
  for (uint64_t size : {uint64_t{0}, uint64_t{kEncryptedHeaderSize},
                        uint64_t{kEncryptedHeaderSize + kChunkOverhead - 1},
                        uint64_t{kEncryptedHeaderSize + kFullChunk + 5}}) {
    EXPECT_FALSE(PlaintextSize(size)) << size;
  }
  EXPECT_EQ(*PlaintextSize(kEncryptedHeaderSize + 2 * kFullChunk), 2 * kChunkSize);
}

// Rotation swaps the key ring's snapshot while readers keep theirs: blobs written before and
// during a rotation decrypt on every thread throughout, and new ones keep being written.
TEST(CryptoRotationTest, ConcurrentDecryptsDuringRotationAllSucceed) {
  const fs::path dir = fs::temp_directory_path() / ("aimass-crypto-" + RandomHex(6));
  std::vector<std::string> masters;
  for (int i = 0; i < 5; ++i) masters.push_back(RandomHex(32));
  auto ring = KeyRing::Open(dir, *MasterKey::FromHex(masters[0], "test key"));
  ASSERT_TRUE(ring) << ring.error().message;

  struct Blob {
    std::string name, plaintext, encrypted;
  };
  std::vector<Blob> blobs;
  for (int i = 0; i < 6; ++i) {
    Blob blob{"blob-" + std::to_string(i), Pseudorandom(kChunkSize * 2 + 17 * i, i), ""};
    blob.encrypted = *EncryptBytes(blob.plaintext, **ring, blob.name);
    blobs.push_back(std::move(blob));
  }
  const fs::path plain = dir / "plain", sealed = dir / "sealed";
  const std::string file_text = Pseudorandom(3 * kChunkSize + 1, 99);
  ASSERT_TRUE(WriteFileAtomically(plain, file_text));
  ASSERT_TRUE(EncryptFile(plain, sealed, **ring, "file"));

  std::atomic<bool> rotating = true;
  std::atomic<int> decrypted = 0, failed = 0;
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&, t] {
      const fs::path out = dir / ("out-" + std::to_string(t));
      do {
        for (const Blob& blob : blobs) {
          auto plaintext = DecryptBytes(blob.encrypted, **ring, blob.name);
          (plaintext && *plaintext == blob.plaintext ? decrypted : failed)++;
        }
        auto written = EncryptBytes("new " + std::to_string(t), **ring, "new");
        auto read_back = written ? DecryptBytes(*written, **ring, "new") : written;
        (read_back && *read_back == "new " + std::to_string(t) ? decrypted : failed)++;
        bool ok = DecryptFile(sealed, out, **ring, "file") && *ReadFile(out) == file_text;
        (ok ? decrypted : failed)++;
      } while (rotating);
    });
  }
  for (size_t i = 1; i < masters.size(); ++i) {
    auto rotated = (*ring)->Rotate(*MasterKey::FromHex(masters[i], "test key"), i % 2 == 0);
    EXPECT_TRUE(rotated) << rotated.error().message;
  }
  rotating = false;
  for (auto& reader : readers) reader.join();
  EXPECT_EQ(failed, 0);
  EXPECT_GT(decrypted, 0);

  auto reopened = KeyRing::Open(dir, *MasterKey::FromHex(masters.back(), "test key"));
  ASSERT_TRUE(reopened) << reopened.error().message;
  EXPECT_EQ(*DecryptBytes(blobs[0].encrypted, **reopened, blobs[0].name), blobs[0].plaintext);
  EXPECT_FALSE(KeyRing::Open(dir, *MasterKey::FromHex(masters[0], "test key")));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace aimass::security::crypto
