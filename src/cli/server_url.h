// Where the aimass server is: `http://host:port[/prefix]` as users type it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace aimass::cli {

// A parsed server address: http, or https (TLS, the certificate checked).
struct ServerUrl {
  std::string host;    // "127.0.0.1", "aimass.local", or an IPv6 literal without brackets
  uint16_t port = 80;  // 80 (http) or 443 (https) when the URL names none
  std::string prefix;  // "" or a path prefix without a trailing slash: "/aimass"
  bool tls = false;    // https://

  // "http://host:port/prefix" (or https://), the form used in messages.
  std::string ToString() const;
  // The request target for an API path: Target("/api/v1/jobs") -> "/aimass/api/v1/jobs".
  std::string Target(std::string_view path) const { return prefix + std::string(path); }
};

// Parses "http://host[:port][/prefix]" or "https://…"; a URL without a scheme is taken as
// http. An error names the URL and what is wrong with it.
Result<ServerUrl> ParseServerUrl(std::string_view text);

// Percent-encodes a query value or a path segment (everything but RFC 3986 unreserved).
std::string UrlEncode(std::string_view text);

}  // namespace aimass::cli
