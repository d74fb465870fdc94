#include "http/url.h"

#include <gtest/gtest.h>

#include "http/request_id.h"

namespace aimass::http {
namespace {

TEST(PercentDecodeTest, DecodesEscapesAndPlus) {
  EXPECT_EQ(PercentDecode("a%20b%2Fc", false), "a b/c");
  EXPECT_EQ(PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(PercentDecode("a+b", true), "a b");
}

TEST(PercentDecodeTest, RefusesMalformedEscapes) {
  EXPECT_FALSE(PercentDecode("%", false));
  EXPECT_FALSE(PercentDecode("%2", false));
  EXPECT_FALSE(PercentDecode("%G1", false));
}

TEST(SplitTargetTest, SplitsOffTheQuery) {
  auto parts = SplitTarget("/a/b?x=1&y");
  EXPECT_EQ(parts.path, "/a/b");
  EXPECT_EQ(parts.query, "x=1&y");
  EXPECT_EQ(SplitTarget("/a").query, "");
}

TEST(ParseQueryTest, DecodesPairsAndKeepsTheFirstOfRepeats) {
  std::map<std::string, std::string> query;
  ASSERT_TRUE(ParseQuery("name=credit%20data&flag&&limit=5&limit=9&q=a+b", query));
  EXPECT_EQ(query["name"], "credit data");
  EXPECT_EQ(query["flag"], "");
  EXPECT_EQ(query["limit"], "5");
  EXPECT_EQ(query["q"], "a b");
  std::map<std::string, std::string> bad;
  EXPECT_FALSE(ParseQuery("x=%zz", bad));
}

TEST(RequestIdTest, KeepsSaneIdsAndReplacesOthers) {
  EXPECT_EQ(RequestIdFor("abc-123_x.y:z"), "abc-123_x.y:z");
  EXPECT_EQ(RequestIdFor("").size(), 16u);
  EXPECT_EQ(RequestIdFor("has space").size(), 16u);
  EXPECT_EQ(RequestIdFor(std::string(200, 'a')).size(), 16u);
  EXPECT_NE(RequestIdFor(""), RequestIdFor(""));
}

}  // namespace
}  // namespace aimass::http
