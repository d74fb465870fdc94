#include "security/secret_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sodium.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include "common/files.h"
#include "common/hash.h"

namespace aimass::security {
namespace {
namespace fs = std::filesystem;

class SecretFileTest : public ::testing::Test {
 protected:
  SecretFileTest() : dir_(fs::temp_directory_path() / ("aimass-secret-file-" + RandomHex(6))) {
    fs::create_directories(dir_);
  }
  ~SecretFileTest() override { fs::remove_all(dir_); }

  fs::path dir_;
};

TEST_F(SecretFileTest, WriteAllWritesEveryByte) {
  const fs::path file = dir_ / "secret";
  std::string bytes(3 * 1024 * 1024 + 7, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 31 % 251);
  {
    FileDescriptor fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    ASSERT_GE(fd.get(), 0);
    EXPECT_TRUE(WriteAll(fd.get(), bytes));
    EXPECT_TRUE(WriteAll(fd.get(), ""));
    EXPECT_EQ(fd.Close(), 0);
    EXPECT_EQ(fd.get(), -1);
  }
  auto text = ReadFile(file);
  ASSERT_TRUE(text) << text.error().message;
  EXPECT_EQ(*text, bytes);
}

TEST_F(SecretFileTest, WriteAllLeavesErrnoSetWhenAWriteFails) {
  const fs::path file = dir_ / "read-only";
  ASSERT_TRUE(WriteFileAtomically(file, "x"));
  FileDescriptor fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_GE(fd.get(), 0);
  errno = 0;
  EXPECT_FALSE(WriteAll(fd.get(), "secret"));
  EXPECT_EQ(errno, EBADF);

  errno = EBADF;
  auto error = IoError("cannot write", file);
  EXPECT_EQ(error.error().code, ErrorCode::kInternal);
  EXPECT_EQ(error.error().message,
            "cannot write '" + file.string() + "': " + std::string(std::strerror(EBADF)));
}

TEST_F(SecretFileTest, FileDescriptorClosesWhenItGoes) {
  int raw = -1;
  {
    FileDescriptor fd(::open(dir_.c_str(), O_RDONLY | O_CLOEXEC));
    raw = fd.get();
    ASSERT_GE(raw, 0);
  }
  EXPECT_EQ(::fcntl(raw, F_GETFD), -1);
  EXPECT_EQ(errno, EBADF);
  FileDescriptor failed_open(-1);  // holds a failed open's -1 and closes nothing
  EXPECT_EQ(failed_open.get(), -1);
}

TEST(EnsureSodiumTest, InitialisesLibsodiumOnce) {
  EnsureSodium();
  EnsureSodium();
  EXPECT_EQ(sodium_init(), 1);  // 1: already initialised
}

}  // namespace
}  // namespace aimass::security
