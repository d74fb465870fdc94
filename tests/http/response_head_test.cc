#include "http/response_head.h"

#include <gtest/gtest.h>

#include <string>

namespace aimass::http {
namespace {

size_t Count(const std::string& text, const std::string& part) {
  size_t count = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++count;
  return count;
}

TEST(ResponseHeadTest, WritesTheStatusLineDefaultsAndLength) {
  Response response;
  response.body = R"({"ok":true})";
  const std::string head = ResponseHead(response, {.request_id = "r-1"});
  EXPECT_TRUE(head.starts_with("HTTP/1.1 200 OK\r\nServer: aimass\r\nX-Request-Id: r-1\r\n"))
      << head;
  EXPECT_NE(head.find("\r\nX-Content-Type-Options: nosniff\r\n"), std::string::npos);
  EXPECT_NE(head.find("\r\nCache-Control: no-store\r\n"), std::string::npos);
  EXPECT_NE(head.find("\r\nContent-Type: application/json\r\n"), std::string::npos);
  EXPECT_TRUE(head.ends_with("\r\nContent-Length: 11\r\n\r\n")) << head;
  EXPECT_EQ(head.find("Connection"), std::string::npos);
  EXPECT_EQ(head.find("Strict-Transport-Security"), std::string::npos);
  EXPECT_EQ(Count(head, "\r\n\r\n"), 1u);
}

TEST(ResponseHeadTest, AHandlersFieldReplacesTheDefaultOfThatName) {
  Response response;
  response.content_type = "text/event-stream";
  response.headers = {{"cache-control", "no-cache"}, {"Allow", "GET, POST"}};
  const std::string head =
      ResponseHead(response, {.request_id = "r", .keep_alive = false, .chunked = true});
  EXPECT_EQ(Count(head, "Cache-Control"), 0u) << head;
  EXPECT_EQ(Count(head, "cache-control"), 1u);
  EXPECT_NE(head.find("\r\ncache-control: no-cache\r\n"), std::string::npos);
  EXPECT_NE(head.find("\r\nAllow: GET, POST\r\n"), std::string::npos);
  EXPECT_NE(head.find("\r\nContent-Type: text/event-stream\r\n"), std::string::npos);
  EXPECT_NE(head.find("\r\nTransfer-Encoding: chunked\r\n"), std::string::npos);
  EXPECT_TRUE(head.ends_with("\r\nConnection: close\r\n\r\n")) << head;
  EXPECT_EQ(head.find("Content-Length"), std::string::npos);
}

TEST(ResponseHeadTest, NoValueCanStartAnotherFieldAndTheFramingIsTheServers) {
  Response response;
  response.body = "abc";
  response.headers = {{"Content-Disposition", "attachment; filename=\"a\r\nSet-Cookie: x=1\""},
                      {"Content-Length", "999"},
                      {"Connection", "upgrade"}};
  const std::string head = ResponseHead(response, {.request_id = "r"});
  EXPECT_EQ(head.find("\r\nSet-Cookie"), std::string::npos) << head;
  EXPECT_NE(head.find("filename=\"a  Set-Cookie: x=1\"\r\n"), std::string::npos);
  EXPECT_EQ(Count(head, "Content-Length"), 1u);
  EXPECT_NE(head.find("\r\nContent-Length: 3\r\n"), std::string::npos);
  EXPECT_EQ(head.find("upgrade"), std::string::npos);
}

TEST(ResponseHeadTest, AnswersWithoutABodyHaveNoLengthOrType) {
  for (int status : {204, 304}) {
    Response response;
    response.status = status;
    const std::string head = ResponseHead(response, {.request_id = "r"});
    EXPECT_EQ(head.find("Content-Length"), std::string::npos) << head;
    EXPECT_EQ(head.find("\r\nContent-Type:"), std::string::npos) << head;
    EXPECT_TRUE(HasNoBody(status));
  }
  Response empty;
  empty.status = 404;
  EXPECT_NE(ResponseHead(empty, {.request_id = "r"}).find("\r\nContent-Length: 0\r\n"),
            std::string::npos);
  EXPECT_TRUE(ResponseHead(empty, {.request_id = "r"}).starts_with("HTTP/1.1 404 Not Found\r\n"));
  EXPECT_FALSE(HasNoBody(200));
}

TEST(ResponseHeadTest, OverTlsCookiesAreSecureAndTransportSecurityIsSet) {
  Response response;
  response.headers = {{"Set-Cookie", "aimass_session=s; HttpOnly; Path=/"}};
  const std::string head = ResponseHead(response, {.request_id = "r", .tls = true});
  EXPECT_NE(head.find("\r\nStrict-Transport-Security: max-age=31536000\r\n"), std::string::npos);
  EXPECT_NE(head.find("Set-Cookie: aimass_session=s; HttpOnly; Path=/; Secure\r\n"),
            std::string::npos)
      << head;
}

}  // namespace
}  // namespace aimass::http
