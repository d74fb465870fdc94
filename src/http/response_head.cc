#include "http/response_head.h"

#include <charconv>

#include "http/asio.h"
#include "http/security_headers.h"
#include "http/session_cookie.h"
#include "http/tls.h"

namespace aimass::http {
namespace {

void AppendField(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.append(": ");
  if (value.find('\r') == std::string_view::npos && value.find('\n') == std::string_view::npos) {
    out.append(value);
  } else {
    for (char c : value) out.push_back(c == '\r' || c == '\n' ? ' ' : c);
  }
  out.append("\r\n");
}

void AppendNumber(std::string& out, uint64_t number) {
  char digits[24];
  auto end = std::to_chars(digits, digits + sizeof digits, number).ptr;
  out.append(digits, end);
}

// The security headers as text, for the answers whose handler set no field (most).
const std::string& SecurityFields() {
  static const std::string text = [] {
    std::string fields;
    for (const auto& [name, value] : kSecurityHeaders) AppendField(fields, name, value);
    return fields;
  }();
  return text;
}

}  // namespace

bool HasNoBody(int status) { return status / 100 == 1 || status == 204 || status == 304; }

std::string ResponseHead(const Response& response, const HeadOptions& options) {
  // A default goes out unless the handler set a field of the same name itself.
  auto by_handler = [&response](std::string_view name) {
    for (const auto& [field, value] : response.headers) {
      if (EqualsIgnoreCase(field, name)) return true;
    }
    return false;
  };
  auto add_default = [&](std::string& out, std::string_view name, std::string_view value) {
    if (response.headers.empty() || !by_handler(name)) AppendField(out, name, value);
  };

  std::string head;
  head.reserve(512);
  head.append("HTTP/1.1 ");
  AppendNumber(head, static_cast<unsigned>(response.status));
  head.push_back(' ');
  head.append(ToStd(bhttp::obsolete_reason(static_cast<bhttp::status>(response.status))));
  head.append("\r\n");
  add_default(head, "Server", "aimass");
  add_default(head, "X-Request-Id", options.request_id);
  if (response.headers.empty()) {
    head.append(SecurityFields());
  } else {
    for (const auto& [name, value] : kSecurityHeaders) add_default(head, name, value);
  }
  if (options.tls) add_default(head, "Strict-Transport-Security", kStrictTransportSecurity);
  const bool no_body = HasNoBody(response.status);
  if (options.chunked || !no_body || !response.body.empty()) {
    add_default(head, "Content-Type", response.content_type);
  }
  for (const auto& [name, value] : response.headers) {
    // Over HTTPS a cookie (the console's session) must never travel over plain HTTP.
    if (options.tls && EqualsIgnoreCase(name, "Set-Cookie")) {
      AppendField(head, name, WithSecureAttribute(value));
    } else if (!EqualsIgnoreCase(name, "Content-Length") &&
               !EqualsIgnoreCase(name, "Transfer-Encoding") &&
               !EqualsIgnoreCase(name, "Connection")) {
      AppendField(head, name, value);  // the framing is the server's alone
    }
  }
  if (options.chunked) {
    head.append("Transfer-Encoding: chunked\r\n");
  } else if (!no_body) {
    head.append("Content-Length: ");
    AppendNumber(head, response.body.size());
    head.append("\r\n");
  }
  if (!options.keep_alive) head.append("Connection: close\r\n");
  head.append("\r\n");
  return head;
}

}  // namespace aimass::http
