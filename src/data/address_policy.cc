#include "data/address_policy.h"

#include <arpa/inet.h>

#include <cctype>
#include <vector>

namespace aimass::data {
namespace {

bool AllDigits(std::string_view text, int base) {
  if (text.empty()) return false;
  for (char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (base == 16 ? !std::isxdigit(u) : (c < '0' || c > (base == 8 ? '7' : '9'))) return false;
  }
  return true;
}

// One part of a WHATWG IPv4 host: "0x1f" hex, "017" octal, "17" decimal; nullopt when it
// is none of these or does not fit in 32 bits.
std::optional<uint64_t> NumericPart(std::string_view part) {
  int base = 10;
  if (part.size() >= 2 && part[0] == '0' && (part[1] == 'x' || part[1] == 'X')) {
    part.remove_prefix(2);
    base = 16;
    if (part.empty()) return 0;
  } else if (part.size() >= 2 && part[0] == '0') {
    part.remove_prefix(1);
    base = 8;
  }
  if (!AllDigits(part, base)) return std::nullopt;
  uint64_t value = 0;
  for (char c : part) {
    const int digit = std::isdigit(static_cast<unsigned char>(c))
                          ? c - '0'
                          : std::tolower(static_cast<unsigned char>(c)) - 'a' + 10;
    value = value * static_cast<uint64_t>(base) + static_cast<uint64_t>(digit);
    if (value > 0xffffffffULL) return std::nullopt;
  }
  return value;
}

std::vector<std::string_view> Labels(std::string_view host) {
  std::vector<std::string_view> labels;
  size_t start = 0;
  while (true) {
    size_t dot = host.find('.', start);
    labels.push_back(host.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (labels.size() > 1 && labels.back().empty()) labels.pop_back();
  return labels;
}

IpAddress V4(uint32_t value) {
  IpAddress address;
  for (int i = 0; i < 4; ++i) address.bytes[i] = static_cast<uint8_t>(value >> (24 - 8 * i));
  return address;
}

AddressClass ClassifyV4(const uint8_t* b) {
  const uint8_t a = b[0];
  if (a == 0) return AddressClass::kUnspecified;
  if (a == 127) return AddressClass::kLoopback;
  if (a == 10 || (a == 172 && (b[1] & 0xf0) == 16) || (a == 192 && b[1] == 168)) {
    return AddressClass::kPrivate;
  }
  if (a == 169 && b[1] == 254) return AddressClass::kLinkLocal;
  if (a == 100 && (b[1] & 0xc0) == 64) return AddressClass::kSharedCgnat;
  if (a == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255) return AddressClass::kBroadcast;
  if ((a & 0xf0) == 224) return AddressClass::kMulticast;
  if ((a & 0xf0) == 240) return AddressClass::kReserved;
  // 192.0.0.0/24 (IETF protocol assignments), 198.18.0.0/15 (benchmarking).
  if ((a == 192 && b[1] == 0 && b[2] == 0) || (a == 198 && (b[1] & 0xfe) == 18)) {
    return AddressClass::kReserved;
  }
  return AddressClass::kPublic;
}

bool Zero(const std::array<uint8_t, 16>& b, size_t from, size_t to) {
  for (size_t i = from; i < to; ++i) {
    if (b[i] != 0) return false;
  }
  return true;
}

}  // namespace

std::string IpAddress::ToString() const {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), text, sizeof text);
  return text;
}

std::optional<IpAddress> ParseIpLiteral(std::string_view text) {
  // inet_pton's IPv4 form is exactly four decimal parts, each 0-255 without leading zeros.
  const std::string copy(text);
  IpAddress address;
  if (inet_pton(AF_INET, copy.c_str(), address.bytes.data()) == 1) return address;
  address.v6 = true;
  if (inet_pton(AF_INET6, copy.c_str(), address.bytes.data()) == 1) return address;
  return std::nullopt;
}

bool LooksNumeric(std::string_view host) {
  const std::string_view last = Labels(host).back();
  if (last.size() >= 2 && last[0] == '0' && (last[1] == 'x' || last[1] == 'X')) {
    return last.size() == 2 || AllDigits(last.substr(2), 16);
  }
  return AllDigits(last, 10);
}

std::optional<IpAddress> NumericHostForm(std::string_view host) {
  if (!LooksNumeric(host)) return std::nullopt;
  const std::vector<std::string_view> labels = Labels(host);
  if (labels.size() > 4) return std::nullopt;
  uint64_t value = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    auto part = NumericPart(labels[i]);
    if (!part) return std::nullopt;
    const bool last = i + 1 == labels.size();
    // The last part fills the bytes the others left: 127.1 is 127.0.0.1.
    const uint64_t limit = last ? (1ULL << (8 * (5 - labels.size()))) : 256;
    if (*part >= limit) return std::nullopt;
    value = last ? value + *part : value + (*part << (8 * (3 - i)));
  }
  return V4(static_cast<uint32_t>(value));
}

AddressClass ClassifyAddress(const IpAddress& address) {
  const auto& b = address.bytes;
  if (!address.v6) return ClassifyV4(b.data());
  if (Zero(b, 0, 16)) return AddressClass::kUnspecified;
  if (Zero(b, 0, 15) && b[15] == 1) return AddressClass::kLoopback;
  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible, deprecated) carry an IPv4 address.
  if (Zero(b, 0, 10) && ((b[10] == 0xff && b[11] == 0xff) || (b[10] == 0 && b[11] == 0))) {
    return ClassifyV4(&b[12]);
  }
  // 64:ff9b::/96 (NAT64) and 64:ff9b:1::/48 (local NAT64) translate to the IPv4 address.
  if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b) {
    return Zero(b, 4, 12) ? ClassifyV4(&b[12]) : AddressClass::kReserved;
  }
  // 2002:AABB:CCDD::/48 (6to4) reaches the IPv4 address AA.BB.CC.DD.
  if (b[0] == 0x20 && b[1] == 0x02) return ClassifyV4(&b[2]);
  if (b[0] == 0xff) return AddressClass::kMulticast;
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return AddressClass::kLinkLocal;
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return AddressClass::kPrivate;  // site-local
  if ((b[0] & 0xfe) == 0xfc) return AddressClass::kPrivate;                  // unique local
  // 100::/64 (discard), 2001:db8::/32 (documentation).
  if ((b[0] == 0x01 && Zero(b, 1, 8)) ||
      (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)) {
    return AddressClass::kReserved;
  }
  return AddressClass::kPublic;
}

std::string_view AddressClassName(AddressClass kind) {
  switch (kind) {
    case AddressClass::kPublic:
      return "public";
    case AddressClass::kLoopback:
      return "loopback";
    case AddressClass::kUnspecified:
      return "unspecified";
    case AddressClass::kLinkLocal:
      return "link-local (where cloud metadata services listen)";
    case AddressClass::kPrivate:
      return "private";
    case AddressClass::kSharedCgnat:
      return "shared (carrier-grade NAT)";
    case AddressClass::kMulticast:
      return "multicast";
    case AddressClass::kBroadcast:
      return "broadcast";
    case AddressClass::kReserved:
      return "reserved";
  }
  return "unknown";
}

}  // namespace aimass::data
