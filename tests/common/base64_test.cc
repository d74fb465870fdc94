#include "common/base64.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <random>
#include <string>

namespace aimass {
namespace {

TEST(Base64Test, EncodesTheRfc4648Vectors) {
  EXPECT_EQ(Base64(""), "");
  EXPECT_EQ(Base64("f"), "Zg==");
  EXPECT_EQ(Base64("fo"), "Zm8=");
  EXPECT_EQ(Base64("foo"), "Zm9v");
  EXPECT_EQ(Base64("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Base64("foobar"), "Zm9vYmFy");
  EXPECT_EQ(FromBase64("Zm9vYmE="), "fooba");
  EXPECT_EQ(FromBase64("Zm9vYg=="), "foob");
  EXPECT_EQ(FromBase64(""), "");
}

TEST(Base64Test, AgreesWithLibsodiumOnEveryLengthAndReadsItsOwnOutputBack) {
  ASSERT_GE(sodium_init(), 0);
  std::mt19937 random(7);
  for (size_t size = 0; size < 300; ++size) {
    std::string bytes(size, '\0');
    for (char& byte : bytes) byte = static_cast<char>(random());
    constexpr int kVariant = sodium_base64_VARIANT_ORIGINAL;
    std::string expected(sodium_base64_encoded_len(size, kVariant), '\0');
    sodium_bin2base64(expected.data(), expected.size(),
                      reinterpret_cast<const unsigned char*>(bytes.data()), size, kVariant);
    expected.resize(expected.size() - 1);  // its terminating NUL
    std::string appended = "line:";
    AppendBase64(bytes, appended);
    ASSERT_EQ(appended, "line:" + expected) << size;
    ASSERT_EQ(FromBase64(expected), bytes) << size;
  }
}

TEST(Base64Test, RefusesWhatIsNotPaddedStandardBase64) {
  for (const char* text : {"Zg", "Zg=", "Zm9", "Z===", "====", "Zg=a", "Zm=v", "Zm9v!A==",
                           "Zm9-", "Zm9_", "Zm9v\n", "Zg==Zg=="}) {
    EXPECT_EQ(FromBase64(text), std::nullopt) << text;
  }
}

}  // namespace
}  // namespace aimass
