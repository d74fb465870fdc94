// Which addresses a URL import may reach: every special-purpose form refused, public ones
// allowed, and the numeric host forms that URL parsers read as IPv4 recognised.
#include "data/address_policy.h"

#include <gtest/gtest.h>

namespace aimass::data {
namespace {

AddressClass Class(const char* text) {
  auto address = ParseIpLiteral(text);
  EXPECT_TRUE(address) << text;
  return address ? ClassifyAddress(*address) : AddressClass::kPublic;
}

TEST(AddressPolicyTest, Ipv4SpecialRangesAreClassified) {
  struct Case {
    const char* address;
    AddressClass kind;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"127.0.0.1", AddressClass::kLoopback},
           {"127.255.255.254", AddressClass::kLoopback},
           {"0.0.0.0", AddressClass::kUnspecified},
           {"0.1.2.3", AddressClass::kUnspecified},
           {"169.254.169.254", AddressClass::kLinkLocal},
           {"169.254.0.1", AddressClass::kLinkLocal},
           {"10.0.0.1", AddressClass::kPrivate},
           {"10.255.255.255", AddressClass::kPrivate},
           {"172.16.0.1", AddressClass::kPrivate},
           {"172.31.255.255", AddressClass::kPrivate},
           {"192.168.1.1", AddressClass::kPrivate},
           {"100.64.0.1", AddressClass::kSharedCgnat},
           {"100.127.255.255", AddressClass::kSharedCgnat},
           {"224.0.0.1", AddressClass::kMulticast},
           {"239.255.255.250", AddressClass::kMulticast},
           {"255.255.255.255", AddressClass::kBroadcast},
           {"240.0.0.1", AddressClass::kReserved},
           {"192.0.0.8", AddressClass::kReserved},
           {"198.18.0.1", AddressClass::kReserved},
       }) {
    EXPECT_EQ(Class(c.address), c.kind) << c.address;
  }
}

TEST(AddressPolicyTest, PublicAddressesAreAllowed) {
  for (const char* text : {"8.8.8.8", "1.1.1.1", "172.15.255.255", "172.32.0.1", "100.63.255.255",
                           "100.128.0.1", "169.253.1.1", "192.169.0.1", "11.0.0.1",
                           "2606:4700:4700::1111", "2001:4860:4860::8888", "2a00:1450::1"}) {
    EXPECT_EQ(Class(text), AddressClass::kPublic) << text;
  }
}

TEST(AddressPolicyTest, Ipv6SpecialRangesAreClassified) {
  EXPECT_EQ(Class("::1"), AddressClass::kLoopback);
  EXPECT_EQ(Class("::"), AddressClass::kUnspecified);
  EXPECT_EQ(Class("fe80::1"), AddressClass::kLinkLocal);
  EXPECT_EQ(Class("febf::1"), AddressClass::kLinkLocal);
  EXPECT_EQ(Class("fc00::1"), AddressClass::kPrivate);
  EXPECT_EQ(Class("fd12:3456::1"), AddressClass::kPrivate);
  EXPECT_EQ(Class("fec0::1"), AddressClass::kPrivate);
  EXPECT_EQ(Class("ff02::1"), AddressClass::kMulticast);
  EXPECT_EQ(Class("2001:db8::1"), AddressClass::kReserved);
}

TEST(AddressPolicyTest, Ipv6FormsOfIpv4AddressesTakeTheirClass) {
  EXPECT_EQ(Class("::ffff:127.0.0.1"), AddressClass::kLoopback);
  EXPECT_EQ(Class("::ffff:7f00:1"), AddressClass::kLoopback);
  EXPECT_EQ(Class("::ffff:169.254.169.254"), AddressClass::kLinkLocal);
  EXPECT_EQ(Class("::ffff:10.0.0.1"), AddressClass::kPrivate);
  EXPECT_EQ(Class("::ffff:0.0.0.0"), AddressClass::kUnspecified);
  EXPECT_EQ(Class("::127.0.0.1"), AddressClass::kLoopback);  // IPv4-compatible
  EXPECT_EQ(Class("::192.168.0.1"), AddressClass::kPrivate);
  EXPECT_EQ(Class("64:ff9b::169.254.169.254"), AddressClass::kLinkLocal);  // NAT64
  EXPECT_EQ(Class("64:ff9b::7f00:1"), AddressClass::kLoopback);
  EXPECT_EQ(Class("2002:7f00:1::"), AddressClass::kLoopback);  // 6to4
  EXPECT_EQ(Class("2002:a9fe:a9fe::1"), AddressClass::kLinkLocal);
  EXPECT_EQ(Class("::ffff:8.8.8.8"), AddressClass::kPublic);
  EXPECT_EQ(Class("64:ff9b::8.8.8.8"), AddressClass::kPublic);
}

TEST(AddressPolicyTest, OnlyCanonicalLiteralsParse) {
  for (const char* text :
       {"127.1", "2130706433", "0x7f000001", "0177.0.0.1", "127.0.0.01", "127.0.0.1.",
        "127.0.0.256", " 127.0.0.1", "[::1]", "fe80::1%eth0", "localhost", ""}) {
    EXPECT_FALSE(ParseIpLiteral(text)) << text;
  }
  auto v6 = ParseIpLiteral("0:0:0:0:0:0:0:1");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->ToString(), "::1");
  EXPECT_EQ(ParseIpLiteral("::FFFF:127.0.0.1")->ToString(), "::ffff:127.0.0.1");
}

TEST(AddressPolicyTest, NumericHostFormsAreReadAsUrlParsersReadThem) {
  struct Case {
    const char* host;
    const char* address;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"127.1", "127.0.0.1"},
           {"127.0.1", "127.0.0.1"},
           {"2130706433", "127.0.0.1"},
           {"0x7f000001", "127.0.0.1"},
           {"0X7F000001", "127.0.0.1"},
           {"0177.0.0.1", "127.0.0.1"},
           {"0x7f.0.0.1", "127.0.0.1"},
           {"0x7f.1", "127.0.0.1"},
           {"127.0.0.1.", "127.0.0.1"},
           {"0", "0.0.0.0"},
           {"0x", "0.0.0.0"},
           {"2852039166", "169.254.169.254"},
           {"0xa9.0xfe.0xa9.0xfe", "169.254.169.254"},
           {"10.1", "10.0.0.1"},
       }) {
    EXPECT_TRUE(LooksNumeric(c.host)) << c.host;
    auto address = NumericHostForm(c.host);
    ASSERT_TRUE(address) << c.host;
    EXPECT_EQ(address->ToString(), c.address) << c.host;
  }
  // Numeric, but no address: still not a name.
  for (const char* host : {"1.2.3.4.5", "256.1.1.1", "4294967296", "1.2.3.256", "09.1.1.1"}) {
    EXPECT_TRUE(LooksNumeric(host)) << host;
    EXPECT_FALSE(NumericHostForm(host)) << host;
  }
  for (const char* host : {"localhost", "example.com", "1.2.3.com", "0x7f.example", "a1"}) {
    EXPECT_FALSE(LooksNumeric(host)) << host;
  }
}

}  // namespace
}  // namespace aimass::data
