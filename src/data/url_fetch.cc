#include "data/url_fetch.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <limits>
#include <optional>
#include <system_error>

#include "data/address_policy.h"
#include "data/url_connection.h"

namespace aimass::data {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
// The connection side, shared with url_post.cc.
using outbound::AllowedEndpoints;
using outbound::Connected;
using outbound::DefaultPort;
using outbound::Exchange;
using outbound::HostForUrl;
using outbound::HostHeader;
using outbound::kEnableHint;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

std::string Lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

std::string_view ToStd(beast::string_view text) { return {text.data(), text.size()}; }

Error Invalid(std::string message) { return {ErrorCode::kInvalidArgument, std::move(message)}; }

// A host name: dot-separated labels of letters, digits, '-' and '_', 1 to 63 characters
// each, 253 in all, no empty label.
bool IsHostName(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  size_t label = 0;
  for (char c : host) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
    if (++label > 63) return false;
  }
  return label > 0;
}

// The refusal of a host that reads as a number but not as the usual a.b.c.d.
Error NumericHostError(std::string_view shown, std::string_view host) {
  auto address = NumericHostForm(host);
  if (!address) {
    return Invalid(std::string(shown) + ": host '" + std::string(host) +
                   "' is not a valid IPv4 address; write a host name or an address like "
                   "203.0.113.7");
  }
  return Invalid(std::string(shown) + ": host '" + std::string(host) +
                 "' is a number that URL parsers read as the IPv4 address " + address->ToString() +
                 "; only the usual form a.b.c.d is accepted (write " + address->ToString() + ")");
}

// Resolves `location` (a redirect's Location) against `base`.
std::string ResolveLocation(const FetchUrl& base, std::string_view location) {
  const size_t colon = location.find(':');
  const size_t slash = location.find('/');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon < slash)) {
    return std::string(location);  // absolute, with a scheme
  }
  if (location.starts_with("//")) return base.scheme + ":" + std::string(location);
  std::string origin = base.scheme + "://" + HostForUrl(base);
  if (base.port != DefaultPort(base.scheme)) origin += ":" + std::to_string(base.port);
  if (location.starts_with("/")) return origin + std::string(location);
  std::string dir = base.target.substr(0, base.target.find('?'));
  dir = dir.substr(0, dir.rfind('/') + 1);
  if (location.starts_with("?"))
    return origin + base.target.substr(0, base.target.find('?')) + std::string(location);
  return origin + dir + std::string(location);
}

// What one hop answered: a redirect's Location, or the body written to `out`.
struct HopAnswer {
  std::string location;
  int status = 0;
  FetchResult result;
};

template <typename Stream>
Result<HopAnswer> Get(net::io_context& ioc, Stream& stream, const FetchUrl& url,
                      const fs::path& out, const FetchOptions& options,
                      Clock::time_point deadline) {
  const std::string shown = url.Redacted();
  Exchange<Stream> exchange(ioc, stream, options, deadline, shown);
  bhttp::request<bhttp::empty_body> request(bhttp::verb::get, url.target, 11);
  request.set(bhttp::field::host, HostHeader(url));
  request.set(bhttp::field::user_agent, "aimass-import/0.1");
  request.set(bhttp::field::accept_encoding, "identity");
  request.set(bhttp::field::connection, "close");
  AIMASS_RETURN_IF_ERROR(exchange.Step("sending the request", [&](auto handler) {
    bhttp::async_write(stream, request, std::move(handler));
  }));
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::buffer_body> parser;
  parser.header_limit(64 * 1024);
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());  // counted below instead
  AIMASS_RETURN_IF_ERROR(exchange.Step("reading the answer's header", [&](auto handler) {
    bhttp::async_read_header(stream, buffer, parser, std::move(handler));
  }));
  const auto& header = parser.get();
  HopAnswer answer;
  answer.status = static_cast<int>(header.result_int());
  if (answer.status == 301 || answer.status == 302 || answer.status == 303 ||
      answer.status == 307 || answer.status == 308) {
    answer.location = std::string(ToStd(header[bhttp::field::location]));
    if (answer.location.empty()) {
      return Fail(ErrorCode::kUnavailable, shown + ": the server answered " +
                                               std::to_string(answer.status) +
                                               " (a redirect) without a Location");
    }
    return answer;
  }
  if (answer.status < 200 || answer.status > 299) {
    return Fail(ErrorCode::kUnavailable,
                shown + ": the server answered " + std::to_string(answer.status) + " " +
                    std::string(ToStd(header.reason())) + "; check the URL");
  }
  const std::string encoding = Lower(ToStd(header[bhttp::field::content_encoding]));
  if (!encoding.empty() && encoding != "identity") {
    return Fail(ErrorCode::kUnsupportedMedia,
                shown + ": the server sent the file compressed (Content-Encoding: " + encoding +
                    "); URL imports do not decompress (a small compressed body can expand "
                    "without limit): serve the file uncompressed");
  }
  const std::string transfer = Lower(ToStd(header[bhttp::field::transfer_encoding]));
  if (!transfer.empty() && transfer != "chunked" && transfer != "identity") {
    return Fail(ErrorCode::kUnsupportedMedia, shown + ": the server sent Transfer-Encoding: " +
                                                  transfer + ", which URL imports do not read");
  }
  const uint64_t total = parser.content_length().value_or(0);
  const auto too_large = [&] {
    return Fail(ErrorCode::kPayloadTooLarge,
                shown + ": the file is larger than this server's limit of " +
                    std::to_string(options.max_bytes) +
                    " bytes (--max-upload-bytes); import a smaller file");
  };
  if (total > options.max_bytes) return too_large();
  std::ofstream file(out, std::ios::binary | std::ios::trunc);
  if (!file) {
    return Fail(ErrorCode::kInternal, "cannot write the download to " + out.string());
  }
  std::vector<char> chunk(256 * 1024);
  uint64_t received = 0;
  while (!parser.is_done()) {
    parser.get().body().data = chunk.data();
    parser.get().body().size = chunk.size();
    AIMASS_RETURN_IF_ERROR(exchange.Step("reading the file", [&](auto handler) {
      bhttp::async_read(stream, buffer, parser, std::move(handler));
    }));
    const size_t n = chunk.size() - parser.get().body().size;
    received += n;
    if (received > options.max_bytes) return too_large();
    file.write(chunk.data(), static_cast<std::streamsize>(n));
    if (!file) return Fail(ErrorCode::kInternal, "cannot write the download to " + out.string());
    if (options.progress && !options.progress(received, total)) {
      return Fail(ErrorCode::kCancelled, shown + ": the download was stopped");
    }
  }
  file.close();
  if (!file) return Fail(ErrorCode::kInternal, "cannot write the download to " + out.string());
  answer.result.final_url = shown;
  answer.result.content_type = std::string(ToStd(header[bhttp::field::content_type]));
  answer.result.bytes = received;
  return answer;
}

}  // namespace

std::string FetchUrl::Redacted() const {
  std::string text = scheme + "://" + HostForUrl(*this);
  if (port != DefaultPort(scheme)) text += ":" + std::to_string(port);
  return text + target.substr(0, target.find('?'));
}

std::string RedactUrl(std::string_view url) {
  url = url.substr(0, std::min(url.find('?'), url.find('#')));
  std::string text(url);
  const size_t authority = text.find("://");
  if (authority != std::string::npos) {
    const size_t end = text.find('/', authority + 3);
    const size_t at = text.rfind('@', end);
    if (at != std::string::npos && at > authority)
      text.erase(authority + 3, at + 1 - authority - 3);
  }
  if (text.size() > 300) text = text.substr(0, 300) + "...";
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return text;
}

Result<FetchUrl> ParseFetchUrl(std::string_view text) {
  const std::string shown = RedactUrl(text);
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '\\') {
      return Fail(Invalid("URL '" + shown +
                          "' holds a space, a backslash, a control or a non-ASCII character; "
                          "percent-encode it (%20)"));
    }
  }
  const size_t colon = text.find(':');
  const std::string scheme = Lower(text.substr(0, colon));
  const bool scheme_ok =
      colon != std::string_view::npos && colon > 0 &&
      std::all_of(scheme.begin(), scheme.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
      });
  if (!scheme_ok) {
    return Fail(Invalid("'" + shown +
                        "' is not an absolute URL; write it as http://HOST/PATH or "
                        "https://HOST/PATH"));
  }
  if (scheme != "http" && scheme != "https") {
    return Fail(Invalid("URL scheme '" + scheme + "' is not supported (" + shown +
                        "); import from http:// or https:// URLs, or upload the file"));
  }
  FetchUrl url;
  url.scheme = scheme;
  std::string_view rest = text.substr(colon + 1);
  if (!rest.starts_with("//")) {
    return Fail(Invalid("'" + shown + "' has no host; write it as " + scheme + "://HOST/PATH"));
  }
  rest.remove_prefix(2);
  const size_t end = rest.find_first_of("/?#");
  const std::string_view authority = rest.substr(0, end);
  std::string_view after = end == std::string_view::npos ? "" : rest.substr(end);
  after = after.substr(0, after.find('#'));
  url.target = after.starts_with("/") ? std::string(after) : "/" + std::string(after);
  if (authority.find('@') != std::string_view::npos) {
    return Fail(Invalid("URL '" + shown +
                        "' holds user info (a name or password before '@'); URL imports do "
                        "not send credentials: remove the part before '@'"));
  }
  std::string_view host = authority;
  std::string_view port;
  if (authority.starts_with("[")) {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return Fail(Invalid("URL '" + shown + "': an IPv6 address needs its closing ']'"));
    }
    host = authority.substr(1, close - 1);
    std::string_view tail = authority.substr(close + 1);
    if (!tail.empty() && !tail.starts_with(":")) {
      return Fail(Invalid("URL '" + shown + "': only ':PORT' may follow ']'"));
    }
    if (!tail.empty()) port = tail.substr(1);
    auto address = ParseIpLiteral(host);
    if (!address || !address->v6) {
      return Fail(Invalid("URL '" + shown + "': '" + std::string(host) +
                          "' is not an IPv6 address (zones like %eth0 are not accepted)"));
    }
    url.host = address->ToString();
    url.host_is_ip = true;
  } else {
    const size_t port_colon = authority.find(':');
    if (port_colon != std::string_view::npos) {
      host = authority.substr(0, port_colon);
      port = authority.substr(port_colon + 1);
    }
    url.host = Lower(host);
    if (url.host.empty()) return Fail(Invalid("URL '" + shown + "' has no host"));
    if (LooksNumeric(url.host)) {
      auto address = ParseIpLiteral(url.host);
      if (!address || address->v6) return Fail(NumericHostError("URL '" + shown + "'", url.host));
      url.host_is_ip = true;
    } else if (!IsHostName(url.host)) {
      return Fail(Invalid("URL '" + shown + "': '" + url.host +
                          "' is not a host name (letters, digits, '-' and dots; "
                          "international names in their xn-- form)"));
    }
  }
  url.port = DefaultPort(scheme);
  if (!port.empty()) {
    uint32_t value = 0;
    for (char c : port) {
      if (!std::isdigit(static_cast<unsigned char>(c)) ||
          (value = value * 10 + (c - '0')) > 65535) {
        value = 0;
        break;
      }
    }
    if (value == 0) {
      return Fail(Invalid("URL '" + shown + "': port '" + std::string(port) +
                          "' is not a number from 1 to 65535"));
    }
    url.port = static_cast<uint16_t>(value);
  }
  return url;
}

Result<std::string> NormalizeImportHost(std::string_view entry) {
  std::string host = Lower(entry);
  const std::string shown = RedactUrl(host);
  if (host.find("://") != std::string::npos || host.find_first_of("/?#@ ") != std::string::npos) {
    return Fail(Invalid("'" + shown +
                        "' is not a host: give the host name or IP address alone, e.g. "
                        "data.example.com or 203.0.113.7 (no scheme, port or path)"));
  }
  if (host.starts_with("[") && host.ends_with("]")) host = host.substr(1, host.size() - 2);
  if (auto address = ParseIpLiteral(host)) return address->ToString();
  if (host.find(':') != std::string::npos) {
    return Fail(Invalid("'" + shown +
                        "' is not a host: an allow-list entry names no port (every port of an "
                        "allowed host may be used)"));
  }
  std::string_view name = host;
  if (name.starts_with("*.")) name.remove_prefix(2);
  if (name.find('*') != std::string_view::npos) {
    return Fail(Invalid("'" + shown +
                        "': the only wildcard is a leading '*.' (*.example.com allows the "
                        "subdomains of example.com)"));
  }
  if (LooksNumeric(name)) return Fail(NumericHostError("'" + shown + "'", name));
  if (!IsHostName(name)) {
    return Fail(Invalid("'" + shown +
                        "' is not a host name (letters, digits, '-', '_' and dots, no empty "
                        "or trailing label; international names in their xn-- form)"));
  }
  if (host.starts_with("*.") && name.find('.') == std::string_view::npos) {
    return Fail(Invalid("'" + shown +
                        "' would allow a whole top-level domain; name the domain, "
                        "e.g. *.example.com"));
  }
  return host;
}

bool HostAllowed(const std::vector<std::string>& hosts, const std::string& host) {
  for (const std::string& entry : hosts) {
    if (entry == host) return true;
    if (entry.starts_with("*.") && host.size() > entry.size() - 1 &&
        host.ends_with(std::string_view(entry).substr(1)) && !ParseIpLiteral(host)) {
      return true;
    }
  }
  return false;
}

Result<FetchResult> FetchToFile(std::string_view url_text, const fs::path& out,
                                const FetchOptions& options) {
  std::error_code ignored;
  const auto failed = [&](Error error) {
    fs::remove(out, ignored);
    return Fail(std::move(error));
  };
  const Clock::time_point deadline = Clock::now() + options.total_timeout;
  auto url = ParseFetchUrl(url_text);
  if (!url) return failed(url.error());
  const std::string first = url->Redacted();
  if (options.allowed_hosts.empty()) {
    return failed({ErrorCode::kPermissionDenied,
                   "importing from URLs is off on this server: no host is allowed yet. An "
                   "admin enables it for a host with `" +
                       std::string(kEnableHint) + url->host + "`"});
  }
  std::string came_from;  // "URL redirected (302) to " on the hops after the first
  for (int hop = 0;; ++hop) {
    const std::string shown = came_from + url->Redacted();
    auto endpoints = AllowedEndpoints(*url, options, shown);
    if (!endpoints) return failed(endpoints.error());
    auto answer = Connected(*url, *endpoints, options, deadline, [&](auto& ioc, auto& stream) {
      return Get(ioc, stream, *url, out, options, deadline);
    });
    if (!answer) {
      Error error = answer.error();
      if (hop > 0) error.message = came_from + error.message;
      return failed(std::move(error));
    }
    if (answer->location.empty()) {
      answer->result.url = first;
      return answer->result;
    }
    if (hop >= options.max_redirects) {
      return failed({ErrorCode::kInvalidArgument,
                     first + ": more than " + std::to_string(options.max_redirects) +
                         " redirects (the last to " + RedactUrl(answer->location) +
                         "); import from the file's final URL"});
    }
    const std::string next = ResolveLocation(*url, answer->location);
    came_from = url->Redacted() + " redirected (" + std::to_string(answer->status) + ") to ";
    auto parsed = ParseFetchUrl(next);
    if (!parsed) {
      return failed({parsed.error().code, came_from + RedactUrl(next) +
                                              ", which is refused: " + parsed.error().message});
    }
    url = std::move(parsed);
  }
}

}  // namespace aimass::data
