// URL imports' parsing and refusals: schemes, user info, ports, odd hosts, the allow-list,
// and the addresses refused before any connection is made.
#include "data/url_fetch.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "common/files.h"
#include "common/hash.h"
#include "data/one_request_server.h"
#include "data/url_post.h"

namespace aimass::data {
namespace {
namespace fs = std::filesystem;

std::string Refusal(const char* url) {
  auto parsed = ParseFetchUrl(url);
  EXPECT_FALSE(parsed) << url << " parsed as " << (parsed ? parsed->Redacted() : "");
  if (parsed) return "";
  EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument) << url;
  return parsed.error().message;
}

TEST(UrlFetchTest, ParsesHttpAndHttpsUrls) {
  auto url = ParseFetchUrl("HTTPS://Data.Example.com/files/credit.csv?token=s3cret#part");
  ASSERT_TRUE(url) << url.error().message;
  EXPECT_EQ(url->scheme, "https");
  EXPECT_EQ(url->host, "data.example.com");
  EXPECT_EQ(url->port, 443);
  EXPECT_EQ(url->target, "/files/credit.csv?token=s3cret");
  EXPECT_FALSE(url->host_is_ip);
  EXPECT_EQ(url->Redacted(), "https://data.example.com/files/credit.csv");

  url = ParseFetchUrl("http://127.0.0.1:8080");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->port, 8080);
  EXPECT_EQ(url->target, "/");
  EXPECT_TRUE(url->host_is_ip);
  EXPECT_EQ(url->Redacted(), "http://127.0.0.1:8080/");

  url = ParseFetchUrl("http://[2001:DB8::1]:81/a?b");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->host, "2001:db8::1");
  EXPECT_EQ(url->Redacted(), "http://[2001:db8::1]:81/a");
  url = ParseFetchUrl("http://example.com?x=1");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->target, "/?x=1");
}

TEST(UrlFetchTest, OtherSchemesAreRefusedByName) {
  EXPECT_NE(Refusal("file:///etc/passwd").find("scheme 'file'"), std::string::npos);
  EXPECT_NE(Refusal("gopher://127.0.0.1:6379/_INFO").find("scheme 'gopher'"), std::string::npos);
  EXPECT_NE(Refusal("ftp://example.com/a.csv").find("scheme 'ftp'"), std::string::npos);
  EXPECT_NE(Refusal("data:text/csv,a,b").find("scheme 'data'"), std::string::npos);
  EXPECT_NE(Refusal("dict://127.0.0.1:11211/").find("scheme 'dict'"), std::string::npos);
  EXPECT_NE(Refusal("/etc/passwd").find("not an absolute URL"), std::string::npos);
  EXPECT_NE(Refusal("example.com/a.csv").find("not an absolute URL"), std::string::npos);
  Refusal("http:/example.com/a.csv");
  Refusal("http:example.com");
}

TEST(UrlFetchTest, UserInfoIsRefusedAndNeverShown) {
  std::string message = Refusal("http://127.0.0.1@evil.example/");
  EXPECT_NE(message.find("user info"), std::string::npos);
  message = Refusal("https://admin:hunter2@example.com/a.csv?key=secret");
  EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
  EXPECT_EQ(message.find("secret"), std::string::npos) << message;
  Refusal("http://@example.com/");
}

TEST(UrlFetchTest, BadPortsAndCharactersAreRefused) {
  for (const char* url :
       {"http://example.com:0/", "http://example.com:65536/", "http://example.com:-1/",
        "http://example.com:8o/", "http://example.com:99999999999999999999/",
        "http://exa mple.com/", "http://example.com/a b", "http://example.com\\@evil/",
        "http://ex\tample.com/", "http://example.com/\xc3\xa9", "http://exa%6dple.com/",
        "http:///a", "http://[::1/", "http://[fe80::1%25eth0]/", "http://[127.0.0.1]/",
        "http://[::1]x/", "http://a..b/", "http://.example.com/"}) {
    Refusal(url);
  }
}

TEST(UrlFetchTest, NumericHostsThatAreNotCanonicalAreRefused) {
  for (const char* url : {"http://127.1/", "http://2130706433/", "http://0x7f000001/",
                          "http://0177.0.0.1/", "http://0x7f.0.0.1/", "http://127.0.0.1./",
                          "http://0/", "http://2852039166/latest/meta-data/",
                          "http://0251.0376.0251.0376/", "http://127.000.000.001/"}) {
    std::string message = Refusal(url);
    EXPECT_NE(message.find("IPv4 address"), std::string::npos) << message;
  }
  EXPECT_NE(Refusal("http://2130706433/").find("write 127.0.0.1"), std::string::npos);
  Refusal("http://1.2.3.4.5/");
  Refusal("http://999.1.1.1/");
}

TEST(UrlFetchTest, RedactUrlDropsQueryFragmentAndUserInfo) {
  EXPECT_EQ(RedactUrl("https://u:p@h.example/a.csv?sig=x#y"), "https://h.example/a.csv");
  EXPECT_EQ(RedactUrl("http://h/a#frag?x"), "http://h/a");
  EXPECT_EQ(RedactUrl("gopher://h/\r\nSET"), "gopher://h/??SET");
}

TEST(UrlFetchTest, AllowListEntriesAreNormalised) {
  EXPECT_EQ(*NormalizeImportHost("Data.Example.COM"), "data.example.com");
  EXPECT_EQ(*NormalizeImportHost("127.0.0.1"), "127.0.0.1");
  EXPECT_EQ(*NormalizeImportHost("[::1]"), "::1");
  EXPECT_EQ(*NormalizeImportHost("0:0:0:0:0:0:0:1"), "::1");
  EXPECT_EQ(*NormalizeImportHost("*.example.com"), "*.example.com");
  EXPECT_EQ(*NormalizeImportHost("localhost"), "localhost");
  for (const char* entry :
       {"", "http://example.com", "example.com/a", "example.com:8080", "*", "*.com", "a.*.com",
        "*example.com", "user@example.com", "127.1", "2130706433", "0x7f000001", "exa mple.com",
        "example..com", "example.com.", "fe80::1%eth0", "example.com?x"}) {
    EXPECT_FALSE(NormalizeImportHost(entry)) << entry;
  }
}

TEST(UrlFetchTest, HostsMatchExactlyOrAsSubdomainsOfAWildcard) {
  const std::vector<std::string> hosts = {"data.example.com", "*.files.example.org", "10.0.0.5"};
  EXPECT_TRUE(HostAllowed(hosts, "data.example.com"));
  EXPECT_FALSE(HostAllowed(hosts, "example.com"));
  EXPECT_FALSE(HostAllowed(hosts, "evil-data.example.com"));
  EXPECT_FALSE(HostAllowed(hosts, "data.example.com.evil.net"));
  EXPECT_TRUE(HostAllowed(hosts, "a.files.example.org"));
  EXPECT_TRUE(HostAllowed(hosts, "a.b.files.example.org"));
  EXPECT_FALSE(HostAllowed(hosts, "files.example.org"));
  EXPECT_FALSE(HostAllowed(hosts, "evilfiles.example.org"));
  EXPECT_TRUE(HostAllowed(hosts, "10.0.0.5"));
  EXPECT_FALSE(HostAllowed(hosts, "10.0.0.6"));
  EXPECT_FALSE(HostAllowed({}, "data.example.com"));
}

class UrlFetchRefusalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    out_ = fs::temp_directory_path() / ("aimass-fetch-" + RandomHex(6) + ".csv");
  }
  void TearDown() override { fs::remove(out_); }

  Error Refused(const char* url, std::vector<std::string> hosts) {
    FetchOptions options;
    options.allowed_hosts = std::move(hosts);
    options.io_timeout = std::chrono::milliseconds(2000);
    auto fetched = FetchToFile(url, out_, options);
    EXPECT_FALSE(fetched) << url;
    EXPECT_FALSE(fs::exists(out_)) << url;
    return fetched ? Error{ErrorCode::kInternal, ""} : fetched.error();
  }

  fs::path out_;
};

TEST_F(UrlFetchRefusalTest, AnEmptyAllowListTurnsUrlImportsOff) {
  Error error = Refused("http://data.example.com/a.csv", {});
  EXPECT_EQ(error.code, ErrorCode::kPermissionDenied);
  EXPECT_NE(error.message.find("aimass import-hosts add data.example.com"), std::string::npos)
      << error.message;
}

TEST_F(UrlFetchRefusalTest, HostsNotListedAreRefused) {
  Error error = Refused("http://127.0.0.1:9/a.csv?key=secret", {"data.example.com"});
  EXPECT_EQ(error.code, ErrorCode::kPermissionDenied);
  EXPECT_NE(error.message.find("not on this server's import allow-list"), std::string::npos);
  EXPECT_EQ(error.message.find("secret"), std::string::npos) << error.message;
  EXPECT_EQ(Refused("http://[::1]:9/", {"127.0.0.1"}).code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(Refused("http://[::ffff:127.0.0.1]:9/", {"127.0.0.1"}).code,
            ErrorCode::kPermissionDenied);
}

TEST_F(UrlFetchRefusalTest, ANameListedThatResolvesToLoopbackIsRefused) {
  Error error = Refused("http://localhost:9/a.csv", {"localhost"});
  EXPECT_EQ(error.code, ErrorCode::kPermissionDenied) << error.message;
  EXPECT_NE(error.message.find("loopback"), std::string::npos) << error.message;
  EXPECT_NE(error.message.find("'localhost' resolves to"), std::string::npos) << error.message;
}

TEST_F(UrlFetchRefusalTest, UnlistedSpecialAddressesAreRefusedAndListedOnesAllowed) {
  for (const char* url : {"http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/",
                          "http://0.0.0.0:9/", "http://[fe80::1]/", "http://100.64.0.1/"}) {
    Error error = Refused(url, {"metadata.internal"});
    EXPECT_EQ(error.code, ErrorCode::kPermissionDenied) << url;
  }
  // Listing the address itself is an admin's explicit choice; the rules then let it through
  // (the connection is then refused, port 9 being closed).
  Error error = Refused("http://127.0.0.1:9/", {"127.0.0.1"});
  EXPECT_NE(error.code, ErrorCode::kPermissionDenied) << error.message;
}

// The connection side (url_connection.h) serves both a download and a webhook's POST.
TEST_F(UrlFetchRefusalTest, AListedLoopbackAddressIsFetchedAndPostedTo) {
  testing::OneRequestServer files(200, "a,b\n1,2\n");
  FetchOptions options;
  options.allowed_hosts = {"127.0.0.1"};
  auto fetched =
      FetchToFile("http://127.0.0.1:" + std::to_string(files.port()) + "/a.csv", out_, options);
  ASSERT_TRUE(fetched) << fetched.error().message;
  EXPECT_EQ(fetched->bytes, 8u);
  EXPECT_EQ(*ReadFile(out_), "a,b\n1,2\n");
  EXPECT_TRUE(files.Request().starts_with("GET /a.csv HTTP/1.1\r\n")) << files.Request();

  testing::OneRequestServer hook(500);
  PostRequest post;
  post.url = "http://127.0.0.1:" + std::to_string(hook.port()) + "/hook";
  post.body = R"({"x":1})";
  post.headers = {{"X-Test", "yes"}};
  auto answer = PostToUrl(post, options);
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->status, 500);
  EXPECT_EQ(hook.Header("X-Test"), "yes");
  EXPECT_EQ(hook.Body(), R"({"x":1})");
  options.allowed_hosts = {"data.example.com"};
  auto refused = PostToUrl(post, options);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kPermissionDenied);
}

}  // namespace
}  // namespace aimass::data
