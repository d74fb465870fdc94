#include "cli/server_url.h"

#include <charconv>

namespace aimass::cli {
namespace {

std::unexpected<Error> BadUrl(std::string_view text, std::string_view why) {
  return Fail(ErrorCode::kInvalidArgument,
              "server URL '" + std::string(text) + "' " + std::string(why) +
                  "; write it as http://host:port or https://host:port, for example "
                  "http://127.0.0.1:8080");
}

}  // namespace

std::string ServerUrl::ToString() const {
  std::string host_part = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return (tls ? "https://" : "http://") + host_part + ":" + std::to_string(port) + prefix;
}

Result<ServerUrl> ParseServerUrl(std::string_view text) {
  std::string_view rest = text;
  ServerUrl url;
  if (rest.starts_with("https://")) {
    rest.remove_prefix(8);
    url.tls = true;
    url.port = 443;
  } else if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else if (rest.find("://") != std::string_view::npos) {
    return BadUrl(text, "has a scheme other than http:// or https://");
  }
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  if (path.find_first_of("?#") != std::string_view::npos) {
    return BadUrl(text, "has a query or fragment");
  }
  while (path.ends_with('/')) path.remove_suffix(1);
  url.prefix = std::string(path);

  std::string_view port_text;
  if (authority.starts_with('[')) {  // [::1]:8080
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return BadUrl(text, "has an unclosed '[' in the host");
    url.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return BadUrl(text, "has text after the IPv6 host");
      port_text = after.substr(1);
      if (port_text.empty()) return BadUrl(text, "has an empty port");
    }
  } else {
    size_t colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return BadUrl(text, "has an empty port");
    }
  }
  if (url.host.empty()) return BadUrl(text, "has no host");
  if (url.host.find('@') != std::string::npos) {
    return BadUrl(text, "has user info; pass the token with --token instead");
  }
  if (!port_text.empty()) {
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
        port > 65535) {
      return BadUrl(text, "has an invalid port '" + std::string(port_text) + "'");
    }
    url.port = static_cast<uint16_t>(port);
  }
  return url;
}

std::string UrlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace aimass::cli
