#include "data/sources/syslog_parser.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace aimass::data::sources {
namespace {

// 2026-11-28T00:00:00Z: RFC 3164 times take their year from here.
constexpr int64_t kReceived = 1'795'824'000'000;

nlohmann::json Row(std::string_view line) {
  return nlohmann::json::parse(
      SyslogRowJson(ParseSyslog(line, kReceived), kReceived, "127.0.0.1:40000"));
}

TEST(SyslogParserTest, Rfc5424WithStructuredDataAndBom) {
  auto row =
      Row("<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
          "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"]"
          "[examplePriority@32473 class=\"high\" note=\"a \\\"quoted\\\" \\] end\"] "
          "\xEF\xBB\xBF"
          "An application event log entry...");
  EXPECT_EQ(row["format"], "rfc5424");
  EXPECT_EQ(row["facility"], 20);
  EXPECT_EQ(row["severity"], 5);
  EXPECT_EQ(row["timestamp"], "2003-10-11T22:14:15.003Z");
  EXPECT_EQ(row["hostname"], "mymachine.example.com");
  EXPECT_EQ(row["app"], "evntslog");
  EXPECT_TRUE(row["procid"].is_null());
  EXPECT_EQ(row["msgid"], "ID47");
  EXPECT_EQ(row["message"], "An application event log entry...");
  EXPECT_EQ(row["sender"], "127.0.0.1:40000");
  EXPECT_EQ(row["received_at"], "2026-11-28T00:00:00.000Z");
  auto sd = nlohmann::json::parse(row["structured_data"].get<std::string>());
  EXPECT_EQ(sd["exampleSDID@32473"]["eventSource"], "Application");
  EXPECT_EQ(sd["examplePriority@32473"]["note"], "a \"quoted\" ] end");
}

TEST(SyslogParserTest, Rfc5424NilValuesOffsetsAndNoMessage) {
  auto row = Row("<34>1 2003-10-11T22:14:15.123456-07:00 - - - - -");
  EXPECT_EQ(row["format"], "rfc5424");
  EXPECT_EQ(row["timestamp"], "2003-10-12T05:14:15.123Z");
  EXPECT_TRUE(row["hostname"].is_null());
  EXPECT_TRUE(row["structured_data"].is_null());
  EXPECT_EQ(row["message"], "");
  auto nil_time = Row("<0>1 - host app 12 - - hello");
  EXPECT_EQ(nil_time["format"], "rfc5424");
  EXPECT_TRUE(nil_time["timestamp"].is_null());
  EXPECT_EQ(nil_time["procid"], "12");
  EXPECT_EQ(nil_time["facility"], 0);
}

TEST(SyslogParserTest, RepeatedStructuredDataParameterBecomesAnArray) {
  auto row = Row("<14>1 - h a - - [x@1 k=\"1\" k=\"2\"] m");
  auto sd = nlohmann::json::parse(row["structured_data"].get<std::string>());
  EXPECT_EQ(sd["x@1"]["k"], nlohmann::json::array({"1", "2"}));
}

TEST(SyslogParserTest, Rfc3164WithHostTagAndPid) {
  auto row = Row("<34>Oct 11 22:14:15 mymachine su[1234]: 'su root' failed for lonvick");
  EXPECT_EQ(row["format"], "rfc3164");
  EXPECT_EQ(row["facility"], 4);
  EXPECT_EQ(row["severity"], 2);
  EXPECT_EQ(row["timestamp"], "2026-10-11T22:14:15.000Z");
  EXPECT_EQ(row["hostname"], "mymachine");
  EXPECT_EQ(row["app"], "su");
  EXPECT_EQ(row["procid"], "1234");
  EXPECT_EQ(row["message"], "'su root' failed for lonvick");
}

TEST(SyslogParserTest, Rfc3164WithoutHostnameOrTag) {
  auto no_host = Row("<13>Feb  5 17:32:18 cron: job done\n");
  EXPECT_EQ(no_host["format"], "rfc3164");
  EXPECT_TRUE(no_host["hostname"].is_null());
  EXPECT_EQ(no_host["app"], "cron");
  EXPECT_EQ(no_host["message"], "job done");
  EXPECT_EQ(no_host["timestamp"], "2026-02-05T17:32:18.000Z");
  auto no_tag = Row("<13>Feb 05 17:32:18 host just some words");
  EXPECT_EQ(no_tag["hostname"], "host");
  EXPECT_TRUE(no_tag["app"].is_null());
  EXPECT_EQ(no_tag["message"], "just some words");
}

TEST(SyslogParserTest, Rfc3164DecemberReceivedInJanuaryIsLastYear) {
  constexpr int64_t kNewYear = 1'798'761'600'000;  // 2027-01-01T00:00:00Z
  auto message = ParseSyslog("<13>Dec 31 23:59:59 host app: late", kNewYear);
  ASSERT_TRUE(message.timestamp_millis.has_value());
  EXPECT_EQ(*message.timestamp_millis, kNewYear - 1000);
}

// Each line must give a malformed row keeping (a prefix of) the raw text, and a problem.
TEST(SyslogParserTest, MalformedLinesBecomeMalformedRows) {
  const std::vector<std::string> lines = {
      "",
      "\n",
      "no pri here",
      "<>1 - - - - - -",
      "<1234>1 - - - - - -",
      "<192>1 - - - - - - too big",
      "<999>Oct 11 22:14:15 host app: x",
      "<34",
      "<34>",
      "<34>1 2003-13-45T22:14:15Z host app - - - bad date",
      "<34>1 2003-10-11 22:14:15Z host app - - - space in time",
      "<34>1 2003-10-11T22:14:15 host app - - - no zone",
      "<34>1 2003-10-11T22:14:15.1234567Z host app - - - seven digits",
      "<34>1 - host app - - [id@1 k=\"unterminated",
      "<34>1 - host app - - [id@1 k=\"v\"",
      "<34>1 - host app - - [id@1 k=v] unquoted",
      "<34>1 - host app - - [] empty id",
      "<34>1 - host app - - x not sd",
      "<34>1 - host",
      "<34>Foo 11 22:14:15 host app: bad month",
      "<34>Oct 11 25:14:15 host app: bad hour",
      "<34>Feb 30 10:00:00 host app: no such day",
      std::string("<34>1 - ho\0st app - - - nul in host", 36),
  };
  for (const std::string& line : lines) {
    SyslogMessage message = ParseSyslog(line, kReceived);
    EXPECT_EQ(message.format, SyslogFormat::kMalformed) << line;
    EXPECT_FALSE(message.problem.empty()) << line;
    auto row = nlohmann::json::parse(SyslogRowJson(message, kReceived, "s"));
    EXPECT_EQ(row["format"], "malformed");
  }
  EXPECT_EQ(ParseSyslog("<192>1 - - - - - -", kReceived).problem,
            "PRI 192 is over 191 (facility 23 × 8 + 7)");
}

TEST(SyslogParserTest, InvalidUtf8AndNulBytesBecomeReplacementCharacters) {
  std::string line = "<14>1 - h a - - - bad \xC3\x28 and \xFF nul:";
  line += '\0';
  line += "end";
  auto text = SyslogRowJson(ParseSyslog(line, kReceived), kReceived, "s");
  auto row = nlohmann::json::parse(text);  // throws on invalid UTF-8
  EXPECT_EQ(row["format"], "rfc5424");
  EXPECT_EQ(row["message"],
            "bad \xEF\xBF\xBD( and \xEF\xBF\xBD nul:\xEF\xBF\xBD"
            "end");
  EXPECT_EQ(text.find('\0'), std::string::npos);
}

TEST(SyslogParserTest, HugeLinesAreCappedWhenMalformed) {
  std::string huge(1 << 20, 'x');
  SyslogMessage message = ParseSyslog(huge, kReceived);
  EXPECT_EQ(message.format, SyslogFormat::kMalformed);
  EXPECT_EQ(message.message.size(), kMaxMalformedBytes);
  SyslogMessage valid = ParseSyslog("<14>1 - h a - - - " + huge, kReceived);
  EXPECT_EQ(valid.format, SyslogFormat::kRfc5424);
  EXPECT_EQ(valid.message.size(), huge.size());
}

}  // namespace
}  // namespace aimass::data::sources
