#include "security/ledger/signing_key.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "common/files.h"
#include "common/hash.h"

namespace aimass::security::ledger {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class SigningKeyTest : public ::testing::Test {
 protected:
  SigningKeyTest() : dir_(fs::temp_directory_path() / ("aimass-ledger-key-" + RandomHex(6))) {
    fs::create_directories(dir_);
  }
  ~SigningKeyTest() override { fs::remove_all(dir_); }

  static unsigned ModeOf(const fs::path& file) {
    struct stat st;
    EXPECT_EQ(::stat(file.c_str(), &st), 0);
    return st.st_mode & 07777;
  }

  // Rewrites the key file with `contents`, keeping mode 0600.
  void Overwrite(const std::string& contents) {
    ASSERT_TRUE(WriteFileAtomically(key_file(), contents));
  }

  fs::path key_file() const { return dir_ / "ledger.key"; }

  fs::path dir_;
};

TEST_F(SigningKeyTest, CreatesAKeyReadableOnlyByItsOwner) {
  const mode_t old_umask = ::umask(0);  // the mode must not depend on the caller's umask
  auto key = LedgerSigningKey::LoadOrCreate(key_file());
  ::umask(old_umask);
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(ModeOf(key_file()), 0600u);
  EXPECT_EQ(fs::file_size(key_file()), LedgerSigningKey::kFileBytes);
  // Only the key itself: no temporary file left behind.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
  auto text = ReadFile(key_file());
  ASSERT_TRUE(text);
  EXPECT_TRUE(text->starts_with("aimass-ledger-ed25519-v1\n"));
  EXPECT_TRUE(text->ends_with(ToHex((*key)->public_key()) + "\n"));
}

TEST_F(SigningKeyTest, LoadingAgainGivesTheSameKey) {
  auto created = LedgerSigningKey::LoadOrCreate(key_file());
  ASSERT_TRUE(created) << created.error().message;
  auto loaded = LedgerSigningKey::LoadOrCreate(key_file());
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ((*loaded)->public_key(), (*created)->public_key());

  // Ed25519 is deterministic: the same key signs the same bytes identically.
  TreeHead head;
  head.size = 3;
  head.timestamp_ms = 42;
  head.signature = (*created)->Sign(TreeHeadSigningBytes(head));
  EXPECT_EQ((*loaded)->Sign(TreeHeadSigningBytes(head)), head.signature);
  auto verified = VerifyTreeHead(head, (*loaded)->public_key());
  EXPECT_TRUE(verified) << verified.error().message;

  // Another file is another key.
  auto other = LedgerSigningKey::LoadOrCreate(dir_ / "other.key");
  ASSERT_TRUE(other);
  EXPECT_NE((*other)->public_key(), (*created)->public_key());
  EXPECT_FALSE(VerifyTreeHead(head, (*other)->public_key()));
}

// Processes that start together must not each make a key and sign with different ones.
TEST_F(SigningKeyTest, ConcurrentCreatorsAgreeOnOneKey) {
  std::vector<Ed25519PublicKey> seen(8);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < seen.size(); ++i) {
    threads.emplace_back([&, i] {
      auto key = LedgerSigningKey::LoadOrCreate(key_file());
      if (key) seen[i] = (*key)->public_key();
    });
  }
  for (std::thread& thread : threads) thread.join();
  auto key = LedgerSigningKey::LoadOrCreate(key_file());
  ASSERT_TRUE(key);
  for (const Ed25519PublicKey& public_key : seen) EXPECT_EQ(public_key, (*key)->public_key());
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

TEST_F(SigningKeyTest, RefusesAKeyOthersCanRead) {
  ASSERT_TRUE(LedgerSigningKey::LoadOrCreate(key_file()));
  for (fs::perms mode : {fs::perms(0644), fs::perms(0640), fs::perms(0604), fs::perms(0660)}) {
    fs::permissions(key_file(), mode);
    auto key = LedgerSigningKey::LoadOrCreate(key_file());
    ASSERT_FALSE(key);
    EXPECT_EQ(key.error().code, ErrorCode::kPermissionDenied);
    EXPECT_THAT(key.error().message, HasSubstr("chmod 600 " + key_file().string()));
  }
  fs::permissions(key_file(), fs::perms(0600));
  EXPECT_TRUE(LedgerSigningKey::LoadOrCreate(key_file()));
  fs::permissions(key_file(), fs::perms(0400));  // read-only for its owner is fine
  EXPECT_TRUE(LedgerSigningKey::LoadOrCreate(key_file()));
}

TEST_F(SigningKeyTest, RefusesATruncatedOrDamagedFile) {
  ASSERT_TRUE(LedgerSigningKey::LoadOrCreate(key_file()));
  auto original = ReadFile(key_file());
  ASSERT_TRUE(original);

  Overwrite(original->substr(0, 100));
  auto truncated = LedgerSigningKey::LoadOrCreate(key_file());
  ASSERT_FALSE(truncated);
  EXPECT_THAT(truncated.error().message, HasSubstr("has 100 bytes, not 155"));
  EXPECT_THAT(truncated.error().message, HasSubstr("Restore it from a backup"));

  Overwrite("");
  EXPECT_FALSE(LedgerSigningKey::LoadOrCreate(key_file())) << "empty";
  Overwrite(*original + "\n");
  EXPECT_FALSE(LedgerSigningKey::LoadOrCreate(key_file())) << "too long";

  std::string other_public = *original;
  other_public[other_public.size() - 2] = other_public[other_public.size() - 2] == '0' ? '1' : '0';
  Overwrite(other_public);
  auto mismatched = LedgerSigningKey::LoadOrCreate(key_file());
  ASSERT_FALSE(mismatched);
  EXPECT_THAT(mismatched.error().message, HasSubstr("does not belong to its seed"));

  std::string not_hex = *original;
  not_hex[30] = 'x';  // inside the seed
  Overwrite(not_hex);
  auto unreadable = LedgerSigningKey::LoadOrCreate(key_file());
  ASSERT_FALSE(unreadable);
  EXPECT_THAT(unreadable.error().message, HasSubstr("the seed is not hex"));

  std::string other_header = *original;
  other_header[0] = 'X';
  Overwrite(other_header);
  EXPECT_THAT(LedgerSigningKey::LoadOrCreate(key_file()).error().message, HasSubstr("layout"));

  Overwrite(*original);  // the damage was never saved over: the key is still there
  EXPECT_TRUE(LedgerSigningKey::LoadOrCreate(key_file()));
}

TEST_F(SigningKeyTest, ErrorsNameTheFileOrDirectory) {
  auto missing_dir = LedgerSigningKey::LoadOrCreate(dir_ / "missing" / "ledger.key");
  ASSERT_FALSE(missing_dir);
  EXPECT_THAT(missing_dir.error().message, HasSubstr((dir_ / "missing").string()));

  fs::create_directories(dir_ / "a-directory");
  auto directory = LedgerSigningKey::LoadOrCreate(dir_ / "a-directory");
  ASSERT_FALSE(directory);
  EXPECT_THAT(directory.error().message, HasSubstr("a-directory"));
}

}  // namespace
}  // namespace aimass::security::ledger
