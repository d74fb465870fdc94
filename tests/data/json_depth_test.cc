#include "data/json_depth.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace aimass::data {
namespace {

std::string Nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST(JsonDepthTest, AllowsDocumentsUpToTheLimit) {
  EXPECT_TRUE(CheckJsonDepth(Nested(kMaxJsonDepth)).has_value());
  EXPECT_TRUE(CheckJsonDepth(R"({"a":[1,{"b":"]]]]"}],"c":{}})", "x", 3).has_value());
  EXPECT_TRUE(CheckJsonDepth("").has_value());
  EXPECT_TRUE(CheckJsonDepth("not json at all").has_value());
}

TEST(JsonDepthTest, RefusesDeeperNestingNamingTheByte) {
  auto deep = CheckJsonDepth(Nested(kMaxJsonDepth + 1), "manifest.json");
  ASSERT_FALSE(deep.has_value());
  EXPECT_EQ(deep.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(deep.error().message,
            "manifest.json nests arrays and objects deeper than 64 levels (at byte 64); send a "
            "flatter document");
  std::string objects;
  for (int i = 0; i < 100000; ++i) objects += R"({"a":)";
  EXPECT_FALSE(CheckJsonDepth(objects + "1").has_value());  // unclosed counts too
}

TEST(JsonDepthTest, BracketsInsideStringsDoNotCount) {
  const std::string text = R"({"s":"[[[[\"[[[[\\"})";
  EXPECT_TRUE(CheckJsonDepth(text, "x", 1).has_value());
  EXPECT_FALSE(CheckJsonDepth(R"({"s":"\\"}[[)", "x", 1).has_value());  // the string ended
}

TEST(JsonDepthTest, WhatPassesIsSafeToCopyAndDump) {
  // The reason for the check: a value that passes can be copied and written without
  // recursing past a small depth.
  const std::string text = Nested(kMaxJsonDepth);
  ASSERT_TRUE(CheckJsonDepth(text).has_value());
  nlohmann::json value = nlohmann::json::parse(text);
  nlohmann::json copy = value;
  EXPECT_EQ(copy.dump(), text);
}

std::string Bytes(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (auto part : parts) out.append(part);
  return out;
}

TEST(UbjsonDepthTest, WalksWellFormedDocuments) {
  using namespace std::string_view_literals;
  // {"a": [2 doubles, typed and counted], "b": "hi", "c": {"d": null}}
  const std::string doc =
      Bytes({"{i\001a[$D#i\002"sv, std::string(16, '\0'), "i\001bSi\002hii\001c{i\001dZ}}"sv});
  EXPECT_TRUE(CheckUbjsonDepth(doc, "m").has_value()) << CheckUbjsonDepth(doc, "m").error().message;
  // 2^60 typed nulls take no bytes and no loop.
  const std::string nulls = Bytes({"[$Z#L\020"sv, std::string(7, '\0')});
  EXPECT_TRUE(CheckUbjsonDepth(nulls, "m").has_value());
}

TEST(UbjsonDepthTest, RefusesDeepOrMalformedDocuments) {
  std::string objects = "{";
  for (int i = 0; i < 100; ++i) objects += "i\001a{";
  objects += std::string(101, '}');
  auto deep = CheckUbjsonDepth(objects, "member 'learners/0.ubj'");
  ASSERT_FALSE(deep.has_value());
  EXPECT_NE(deep.error().message.find("member 'learners/0.ubj' nests arrays and objects deeper "
                                      "than 64 levels"),
            std::string::npos)
      << deep.error().message;
  EXPECT_FALSE(CheckUbjsonDepth(std::string(100, '[') + std::string(100, ']'), "m").has_value());
  for (std::string_view bad : {"{i\001a", "{i\001aX}", "[$[#i\001[]", "[#i\377", "{i"}) {
    auto status = CheckUbjsonDepth(bad, "m");
    ASSERT_FALSE(status.has_value()) << bad;
    EXPECT_NE(status.error().message.find("m is not well-formed UBJSON"), std::string::npos)
        << status.error().message;
  }
}

TEST(ModelFileDepthTest, TellsJsonFromUbjsonAsTheReadersDo) {
  // Keys holding a quote would hide every '{' after them from a JSON-text scan: UBJSON must
  // be walked as UBJSON.
  std::string hidden = "{#i\001i\001\"";
  for (int i = 0; i < 100; ++i) hidden += "{#i\001i\001a";
  hidden += "Z";
  EXPECT_TRUE(CheckJsonDepth(hidden).has_value());
  EXPECT_FALSE(CheckModelFileDepth(hidden, "m").has_value());
  EXPECT_FALSE(CheckModelFileDepth(" {\"learner\":" + Nested(100) + "}", "m").has_value());
  EXPECT_FALSE(CheckModelFileDepth(Nested(100), "m").has_value());
  EXPECT_TRUE(CheckModelFileDepth(R"({"learner": {"gradient_booster": {}}})", "m").has_value());
  EXPECT_TRUE(CheckModelFileDepth("solver_type L2R_LR\nnr_class 2\n", "m").has_value());
  EXPECT_TRUE(CheckModelFileDepth("", "m").has_value());
}

}  // namespace
}  // namespace aimass::data
