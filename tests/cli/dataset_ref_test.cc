#include "cli/dataset_ref.h"

#include <gtest/gtest.h>

namespace aimass::cli {
namespace {

TEST(DatasetRefTest, NameAloneMeansTheWholeDatasetAndTheNewestVersion) {
  auto ref = ParseDatasetRef("credit");
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->name, "credit");
  EXPECT_FALSE(ref->version);
  EXPECT_FALSE(ref->names_version);
  EXPECT_EQ(ref->VersionSegment(), "latest");
  EXPECT_EQ(ref->ToString(), "credit");
}

TEST(DatasetRefTest, LatestNamesAVersionWithoutANumber) {
  auto ref = ParseDatasetRef("credit@latest");
  ASSERT_TRUE(ref);
  EXPECT_FALSE(ref->version);
  EXPECT_TRUE(ref->names_version);
  EXPECT_EQ(ref->VersionSegment(), "latest");
}

TEST(DatasetRefTest, NumberedVersion) {
  auto ref = ParseDatasetRef("credit_adults@12");
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->name, "credit_adults");
  EXPECT_EQ(ref->version, 12);
  EXPECT_EQ(ref->VersionSegment(), "12");
  EXPECT_EQ(ref->ToString(), "credit_adults@12");
}

TEST(DatasetRefTest, RejectsMalformedReferencesWithTheValidForms) {
  for (const char* bad : {"", "@2", "credit@", "credit@0", "credit@-1", "credit@v2", "credit@1@2",
                          "credit@2x", "a/b@1"}) {
    auto ref = ParseDatasetRef(bad);
    ASSERT_FALSE(ref) << bad;
    EXPECT_NE(ref.error().message.find("NAME@N"), std::string::npos) << ref.error().message;
  }
}

}  // namespace
}  // namespace aimass::cli
