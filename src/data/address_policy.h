// Which network addresses a URL import may connect to. An import must not become a way to
// reach the server's own loopback services, the cloud metadata service (169.254.169.254) or
// the private network behind it (server-side request forgery), so every address a host
// resolves to is classified here before a connection is made. Pure functions; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace aimass::data {

// An IPv4 or IPv6 address in network byte order (IPv4 uses the first 4 bytes).
struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};

  // The canonical text: "127.0.0.1", "::1", "::ffff:127.0.0.1" (inet_ntop's form).
  std::string ToString() const;
  bool operator==(const IpAddress&) const = default;
};

// A canonical IP literal: IPv4 as four decimal parts without leading zeros ("10.0.0.1"),
// or IPv6 (without brackets, without a zone "%eth0"). Anything else — "127.1",
// "2130706433", "0x7f000001", "0177.0.0.1" — is not one: see NumericHostForm.
std::optional<IpAddress> ParseIpLiteral(std::string_view text);

// Whether a URL parser would read `host` as an IPv4 address rather than a name: its last
// dot-separated label (a trailing dot aside) is all decimal digits or "0x" and hex digits.
bool LooksNumeric(std::string_view host);

// When `host` is a number that a URL parser (WHATWG, or inet_aton) would read as an IPv4
// address although it is not written as four plain decimal parts ("127.1", "2130706433",
// "0x7f000001", "0177.0.0.1", "127.0.0.1."), the address it means; nullopt otherwise.
// URL imports refuse such hosts outright, so that no two parsers can disagree about them.
std::optional<IpAddress> NumericHostForm(std::string_view host);

enum class AddressClass {
  kPublic,       // a routable unicast address
  kLoopback,     // 127.0.0.0/8, ::1
  kUnspecified,  // 0.0.0.0/8, ::
  kLinkLocal,    // 169.254.0.0/16 (cloud metadata), fe80::/10
  kPrivate,      // 10/8, 172.16/12, 192.168/16, fc00::/7, fec0::/10
  kSharedCgnat,  // 100.64.0.0/10
  kMulticast,    // 224.0.0.0/4, ff00::/8
  kBroadcast,    // 255.255.255.255
  kReserved,     // 240.0.0.0/4 and the other special-purpose blocks nobody serves data from
};

// The class of `address`. IPv6 forms that carry an IPv4 address (mapped ::ffff:a.b.c.d,
// compatible ::a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16) take the class of that address.
AddressClass ClassifyAddress(const IpAddress& address);

// "loopback", "link-local (where cloud metadata services listen)", ... for messages.
std::string_view AddressClassName(AddressClass kind);

}  // namespace aimass::data
