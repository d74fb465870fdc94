#include "cli/server_url.h"

#include <gtest/gtest.h>

namespace aimass::cli {
namespace {

TEST(ServerUrlTest, ParsesHostPortAndPrefix) {
  auto url = ParseServerUrl("http://127.0.0.1:8080/aimass/");
  ASSERT_TRUE(url) << url.error().message;
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, 8080);
  EXPECT_EQ(url->prefix, "/aimass");
  EXPECT_EQ(url->Target("/api/v1/jobs"), "/aimass/api/v1/jobs");
  EXPECT_EQ(url->ToString(), "http://127.0.0.1:8080/aimass");
}

TEST(ServerUrlTest, DefaultsToPort80AndAcceptsNoScheme) {
  auto url = ParseServerUrl("aimass.local");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->host, "aimass.local");
  EXPECT_EQ(url->port, 80);
  EXPECT_EQ(url->prefix, "");
  EXPECT_EQ(url->ToString(), "http://aimass.local:80");
}

TEST(ServerUrlTest, ParsesHttpsWithPort443ByDefault) {
  auto url = ParseServerUrl("https://aimass.example/x");
  ASSERT_TRUE(url) << url.error().message;
  EXPECT_TRUE(url->tls);
  EXPECT_EQ(url->port, 443);
  EXPECT_EQ(url->ToString(), "https://aimass.example:443/x");
  url = ParseServerUrl("https://127.0.0.1:8443");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->port, 8443);
  EXPECT_FALSE(ParseServerUrl("http://127.0.0.1:8443")->tls);
}

TEST(ServerUrlTest, ParsesIpv6Literal) {
  auto url = ParseServerUrl("http://[::1]:9000");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, 9000);
  EXPECT_EQ(url->ToString(), "http://[::1]:9000");
}

TEST(ServerUrlTest, RejectsWhatItCannotUseWithAHint) {
  for (const char* bad :
       {"ftp://x", "http://:8080", "http://x:0", "http://x:70000", "http://x:80a",
        "http://x:", "http://u:p@x:1", "http://x/?a=1", "http://[::1"}) {
    auto url = ParseServerUrl(bad);
    ASSERT_FALSE(url) << bad;
    EXPECT_EQ(url.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(url.error().message.find(bad), std::string::npos) << url.error().message;
    EXPECT_NE(url.error().message.find("http://127.0.0.1:8080"), std::string::npos);
  }
}

TEST(ServerUrlTest, UrlEncodeKeepsUnreservedOnly) {
  EXPECT_EQ(UrlEncode("credit_data-1.csv~"), "credit_data-1.csv~");
  EXPECT_EQ(UrlEncode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
  EXPECT_EQ(UrlEncode("Age:BIGINT,Home:VARCHAR"), "Age%3ABIGINT%2CHome%3AVARCHAR");
}

}  // namespace
}  // namespace aimass::cli
