#include <gtest/gtest.h>

#include <filesystem>

#include "common/files.h"
#include "common/hash.h"
#include "common/status.h"
#include "common/time_format.h"

namespace aimass {
namespace {

TEST(HashTest, Sha256OfKnownInputs) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Sha256 streamed;
  streamed.Update("a");
  streamed.Update("bc");
  EXPECT_EQ(streamed.FinishHex(), Sha256Hex("abc"));
}

TEST(HashTest, RandomHexIsRandomAndSized) {
  std::string a = RandomHex(32), b = RandomHex(32);
  EXPECT_EQ(a.size(), 64u);
  EXPECT_NE(a, b);
  EXPECT_TRUE(ConstantTimeEquals(a, a));
  EXPECT_FALSE(ConstantTimeEquals(a, b));
  EXPECT_FALSE(ConstantTimeEquals(a, a.substr(1)));
}

TEST(FilesTest, AtomicWriteSetsModeAndContents) {
  auto dir = std::filesystem::temp_directory_path() / ("aimass-common-" + RandomHex(4));
  ASSERT_TRUE(MakeDirectories(dir));
  auto file = dir / "secret";
  ASSERT_TRUE(WriteFileAtomically(file, "hello"));
  EXPECT_EQ(*ReadFile(file), "hello");
  auto perms = std::filesystem::status(file).permissions();
  EXPECT_EQ(perms & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_EQ(*Sha256File(file), Sha256Hex("hello"));
  EXPECT_FALSE(Sha256File(dir / "missing").has_value());
  std::filesystem::remove_all(dir);
}

TEST(StatusTest, CodesMapToHttp) {
  EXPECT_EQ(HttpStatusFor(ErrorCode::kNotFound), 404);
  EXPECT_EQ(ErrorCodeName(ErrorCode::kPayloadTooLarge), "payload_too_large");
  EXPECT_EQ(IsoTime(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(IsoTime(1764199200123), "2025-11-26T23:20:00.123Z");
}

}  // namespace
}  // namespace aimass
