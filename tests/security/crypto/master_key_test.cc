#include "security/crypto/master_key.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "common/files.h"
#include "common/hash.h"

namespace aimass::security::crypto {
namespace {
namespace fs = std::filesystem;

constexpr std::string_view kKeyHex =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

unsigned ModeOf(const fs::path& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

class MasterKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("aimass-crypto-" + RandomHex(6));
    fs::create_directories(dir_);
    // A variable of its own, so a developer's AIMASS_MASTER_KEY cannot leak in.
    env_var_ = "AIMASS_TEST_MASTER_KEY_" + RandomHex(4);
  }
  void TearDown() override {
    ::unsetenv(env_var_.c_str());
    fs::remove_all(dir_);
  }
  MasterKeySources Sources() const {
    MasterKeySources sources;
    sources.data_dir = dir_;
    sources.env_var = env_var_;
    return sources;
  }
  void WriteKeyFile(const fs::path& path, std::string_view text, mode_t mode) {
    std::ofstream(path) << text;
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
  }

  fs::path dir_;
  std::string env_var_;
};

TEST_F(MasterKeyTest, EnvironmentVariableNameIsDocumented) {
  EXPECT_EQ(MasterKeySources{}.env_var, "AIMASS_MASTER_KEY");
}

TEST_F(MasterKeyTest, CreatedOnFirstUseWithMode0600InA0700Directory) {
  auto first = LoadMasterKey(Sources());
  ASSERT_TRUE(first) << first.error().message;
  const fs::path file = DefaultMasterKeyPath(dir_);
  EXPECT_EQ(file, dir_ / "keys" / "master.key");
  EXPECT_EQ(ModeOf(file), 0600u);
  EXPECT_EQ(ModeOf(file.parent_path()), 0700u);
  EXPECT_EQ(fs::file_size(file), 65u);  // 64 hex characters and a newline
  // Nothing else is left behind (the temporary file it was written under).
  EXPECT_EQ(std::distance(fs::directory_iterator(file.parent_path()), {}), 1);

  auto again = LoadMasterKey(Sources());
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->id(), first->id());
  EXPECT_EQ(0, std::memcmp(again->data(), first->data(), SecretKey::kSize));
}

TEST_F(MasterKeyTest, EnvironmentVariableComesFirst) {
  ASSERT_EQ(::setenv(env_var_.c_str(), std::string(kKeyHex).c_str(), 1), 0);
  const fs::path key_file = dir_ / "other.key";
  WriteKeyFile(key_file, "ff" + std::string(62, '0'), 0600);
  MasterKeySources sources = Sources();
  sources.key_file = key_file;
  auto key = LoadMasterKey(sources);
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->id(), MasterKey::FromHex(kKeyHex, "test")->id());
  EXPECT_EQ(key->data()[31], 0x1f);
  EXPECT_EQ(key->source(), "environment variable " + env_var_);
  EXPECT_FALSE(fs::exists(DefaultMasterKeyPath(dir_))) << "no key file is made";
}

TEST_F(MasterKeyTest, BadEnvironmentValueIsRefusedWithoutEchoingIt) {
  ASSERT_EQ(::setenv(env_var_.c_str(), "c2VjcmV0LWJ1dC1ub3QtaGV4", 1), 0);
  auto key = LoadMasterKey(Sources());
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(key.error().message.find(env_var_), std::string::npos) << key.error().message;
  EXPECT_NE(key.error().message.find("64 hex"), std::string::npos) << key.error().message;
  EXPECT_EQ(key.error().message.find("c2VjcmV0"), std::string::npos) << key.error().message;

  std::string not_hex(64, 'g');
  ASSERT_EQ(::setenv(env_var_.c_str(), not_hex.c_str(), 1), 0);
  key = LoadMasterKey(Sources());
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().message.find(not_hex), std::string::npos) << key.error().message;
}

TEST_F(MasterKeyTest, ExplicitKeyFileComesBeforeTheDataDirectory) {
  const fs::path key_file = dir_ / "operator.key";
  WriteKeyFile(key_file, std::string(kKeyHex) + "\n", 0400);
  MasterKeySources sources = Sources();
  sources.key_file = key_file;
  auto key = LoadMasterKey(sources);
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->id(), MasterKey::FromHex(kKeyHex, "test")->id());
  EXPECT_FALSE(fs::exists(DefaultMasterKeyPath(dir_)));

  sources.key_file = dir_ / "missing.key";
  key = LoadMasterKey(sources);
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code, ErrorCode::kNotFound);
}

TEST_F(MasterKeyTest, KeyFileOthersCanReadIsRefusedWithTheFix) {
  const fs::path key_file = dir_ / "open.key";
  for (mode_t mode : {0644, 0640, 0604, 0620}) {
    WriteKeyFile(key_file, kKeyHex, mode);
    auto key = ReadMasterKeyFile(key_file);
    ASSERT_FALSE(key) << std::oct << mode;
    EXPECT_EQ(key.error().code, ErrorCode::kPermissionDenied);
    EXPECT_NE(key.error().message.find("chmod 600 " + key_file.string()), std::string::npos)
        << key.error().message;
  }
  // The data directory's own file is held to the same rule.
  ASSERT_TRUE(LoadMasterKey(Sources()));
  ASSERT_EQ(::chmod(DefaultMasterKeyPath(dir_).c_str(), 0644), 0);
  auto key = LoadMasterKey(Sources());
  ASSERT_FALSE(key);
  EXPECT_NE(key.error().message.find("chmod 600"), std::string::npos) << key.error().message;
}

TEST_F(MasterKeyTest, KeyFileOfTheWrongSizeIsRefused) {
  const fs::path key_file = dir_ / "short.key";
  for (std::string text : {std::string(kKeyHex.substr(0, 62)), std::string(kKeyHex) + "00",
                           std::string(32, 'x'), std::string(5000, 'a'), std::string()}) {
    WriteKeyFile(key_file, text, 0600);
    auto key = ReadMasterKeyFile(key_file);
    ASSERT_FALSE(key) << text.size();
    EXPECT_EQ(key.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(key.error().message.find(key_file.string()), std::string::npos)
        << key.error().message;
  }
}

TEST_F(MasterKeyTest, CreateNeverReplacesAKey) {
  const fs::path key_file = dir_ / "keys" / "made.key";
  auto made = CreateMasterKeyFile(key_file);
  ASSERT_TRUE(made) << made.error().message;
  auto again = CreateMasterKeyFile(key_file);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  EXPECT_EQ(ReadMasterKeyFile(key_file)->id(), made->id());
}

TEST_F(MasterKeyTest, IdNamesTheKeyWithoutRevealingIt) {
  auto key = MasterKey::FromHex(kKeyHex, "test");
  ASSERT_TRUE(key);
  EXPECT_EQ(key->id().size(), 16u);
  EXPECT_EQ(kKeyHex.find(key->id()), std::string_view::npos);
  EXPECT_EQ(MasterKey::FromHex(std::string("  ") + std::string(kKeyHex) + "\n", "t")->id(),
            key->id());
  EXPECT_NE(MasterKey::Generate("a").id(), key->id());
  EXPECT_NE(MasterKey::Generate("a").id(), MasterKey::Generate("b").id());
}

}  // namespace
}  // namespace aimass::security::crypto
