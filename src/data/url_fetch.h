// Downloading a file for a URL import, safe against server-side request forgery: http and
// https only, no user info, only hosts on the admin's allow-list, every resolved address
// checked (data/address_policy.h) and then connected to as checked (no second lookup that
// DNS rebinding could answer differently), every redirect checked the same way, a size cap
// and time limits. Thread-safe: every call uses its own connection.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace aimass::data {

// A URL as the fetch reads it.
struct FetchUrl {
  std::string scheme;  // "http" or "https"
  std::string host;    // lower case; an IPv6 literal without its brackets
  uint16_t port = 0;   // the scheme's default when the URL names none
  std::string target;  // path and query, "/" at least; never the fragment
  bool host_is_ip = false;

  // scheme://host[:port]/path: the URL without its query (which may hold secrets), for
  // messages and records.
  std::string Redacted() const;
};

// Parses an absolute http(s) URL. kInvalidArgument naming the URL (without its query) for
// other schemes, user info ("http://127.0.0.1@evil/"), a bad port, spaces or control
// characters, and numeric hosts that are not canonical IPv4 ("127.1", "2130706433",
// "0x7f000001", "0177.0.0.1": data/address_policy.h).
Result<FetchUrl> ParseFetchUrl(std::string_view url);

// `url` without its query, fragment and user info, for messages about text that may not
// even parse.
std::string RedactUrl(std::string_view url);

// An allow-list entry as stored: a host name or IP literal, lower case, IPv6 without
// brackets; "*.example.com" allows the subdomains of example.com (not example.com itself).
// kInvalidArgument for schemes, ports, paths, other wildcards and non-canonical numbers.
Result<std::string> NormalizeImportHost(std::string_view entry);

// Whether the allow-list `hosts` (normalised entries) lets a URL import use `host`.
bool HostAllowed(const std::vector<std::string>& hosts, const std::string& host);

struct FetchOptions {
  std::vector<std::string> allowed_hosts;       // normalised (NormalizeImportHost)
  uint64_t max_bytes = 64ull << 30;             // the body; more is kPayloadTooLarge
  std::chrono::milliseconds io_timeout{30000};  // connecting, and each silence while reading
  std::chrono::milliseconds total_timeout{3600000};
  int max_redirects = 5;
  // Called as bytes arrive (total is 0 when the server did not say); false stops the fetch
  // with kCancelled.
  std::function<bool(uint64_t received, uint64_t total)> progress;
};

struct FetchResult {
  std::string url;        // what was asked for, redacted
  std::string final_url;  // where the body came from after redirects, redacted
  std::string content_type;
  uint64_t bytes = 0;
};

// GETs `url` into `out` (created or truncated; removed on failure), following at most
// `max_redirects` redirects. A host that is not on the allow-list, or that resolves to a
// loopback, private, link-local, ... address (address_policy.h) is refused before any
// connection is made to it, unless the allow-list holds that address itself as an IP
// literal. HTTPS verifies the certificate against the system's store and the host name.
// A Content-Encoding other than identity is refused (nothing is decompressed).
Result<FetchResult> FetchToFile(std::string_view url, const std::filesystem::path& out,
                                const FetchOptions& options);

}  // namespace aimass::data
