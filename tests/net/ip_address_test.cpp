#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <string>

#include "rustguard/net/endpoint.hpp"
#include "rustguard/net/ip_address.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace ip_address_test {

using rustguard::net::AddressFamily;
using rustguard::net::Endpoint;
using rustguard::net::IpAddress;
using rustguard::net::parse_ip_address;

namespace {
IpAddress ip(const char* text) {
  auto a = parse_ip_address(text);
  REQUIRE(a);
  return *a;
}
// Eight 16-bit groups, as an RFC would write them.
IpAddress groups(std::array<std::uint16_t, 8> g) {
  std::array<std::uint8_t, 16> b{};
  for (std::size_t i = 0; i < 8; ++i) {
    b[2 * i] = static_cast<std::uint8_t>(g[i] >> 8);
    b[2 * i + 1] = static_cast<std::uint8_t>(g[i] & 0xff);
  }
  return IpAddress::v6(b);
}
}  // namespace

TEST_CASE("IPv4 addresses print as dotted quads", "[net]") {
  CHECK(IpAddress::v4(127, 0, 0, 1).to_string() == "127.0.0.1");
  CHECK(IpAddress::v4(0, 0, 0, 0).to_string() == "0.0.0.0");
  CHECK(IpAddress::v4(255, 255, 255, 255).to_string() == "255.255.255.255");
  CHECK(IpAddress{}.to_string() == "unspecified");
}

TEST_CASE("IPv6 addresses print per RFC 5952", "[net]") {
  // 4.1: no leading zeros; 4.3: lower case.
  CHECK(groups({0x2001, 0x0db8, 0, 0, 0, 0, 0x0abc, 0x00ff}).to_string() == "2001:db8::abc:ff");
  CHECK(ip("2001:0DB8:0000:0000:0000:0000:0000:0001").to_string() == "2001:db8::1");
  // 4.2.1: the longest zero run is compressed, as far as it goes.
  CHECK(groups({0x2001, 0xdb8, 0, 0, 0, 0, 0, 1}).to_string() == "2001:db8::1");
  CHECK(groups({0, 0, 0, 0, 0, 0, 0, 0}).to_string() == "::");
  CHECK(groups({0, 0, 0, 0, 0, 0, 0, 1}).to_string() == "::1");
  CHECK(groups({0xfe80, 0, 0, 0, 0, 0, 0, 0}).to_string() == "fe80::");
  CHECK(groups({1, 0, 0, 2, 0, 0, 0, 3}).to_string() == "1:0:0:2::3");
  CHECK(groups({0x2001, 0xdb8, 0, 0, 1, 0, 0, 0}).to_string() == "2001:db8:0:0:1::");
  // 4.2.2: a single zero group is not compressed.
  CHECK(groups({0x2001, 0xdb8, 0, 1, 1, 1, 1, 1}).to_string() == "2001:db8:0:1:1:1:1:1");
  CHECK(groups({1, 2, 3, 4, 5, 6, 7, 0}).to_string() == "1:2:3:4:5:6:7:0");
  CHECK(groups({0, 2, 3, 4, 5, 6, 7, 8}).to_string() == "0:2:3:4:5:6:7:8");
  // 4.2.3: of equal runs, the first (leftmost) is compressed.
  CHECK(groups({0x2001, 0xdb8, 0, 0, 1, 0, 0, 1}).to_string() == "2001:db8::1:0:0:1");
  CHECK(groups({0xfe80, 0, 0, 0x1234, 0, 0, 0xab, 0xcd}).to_string() == "fe80::1234:0:0:ab:cd");
  CHECK(groups({1, 2, 3, 4, 5, 6, 7, 8}).to_string() == "1:2:3:4:5:6:7:8");
}

TEST_CASE("IPv4-mapped IPv6 addresses print in mixed notation and unmap", "[net]") {
  const IpAddress mapped = groups({0, 0, 0, 0, 0, 0xffff, 0x0a01, 0x0203});
  CHECK(mapped.is_v4_mapped());
  CHECK(mapped.to_string() == "::ffff:10.1.2.3");  // RFC 5952 section 5
  CHECK(mapped.unmapped() == IpAddress::v4(10, 1, 2, 3));
  CHECK(IpAddress::v4(10, 1, 2, 3).v4_mapped() == mapped);
  CHECK(ip("::ffff:10.1.2.3") == mapped);
  CHECK(ip("::ffff:a01:203") == mapped);
  // Not mapped: other prefixes stay IPv6 and print as hex.
  CHECK_FALSE(groups({0, 0, 0, 0, 1, 0xffff, 0x0a01, 0x0203}).is_v4_mapped());
  CHECK(groups({0, 0, 0, 0, 0, 0xfffe, 0x0a01, 0x0203}).to_string() == "::fffe:a01:203");
  CHECK(groups({0, 0, 0, 0, 0, 0, 0x0a01, 0x0203}).unmapped().is_v6());
  CHECK(ip("2001:db8::1").unmapped() == ip("2001:db8::1"));
  CHECK(ip("2001:db8::1").v4_mapped() == ip("2001:db8::1"));
}

TEST_CASE("Addresses parse in every form they print in, and nothing else", "[net]") {
  CHECK(ip("203.0.113.7") == IpAddress::v4(203, 0, 113, 7));
  CHECK(ip("203.0.113.7").family == AddressFamily::ipv4);
  CHECK(ip("::").family == AddressFamily::ipv6);
  for (const char* text : {"203.0.113.7", "2001:db8::1", "::", "::1", "fe80::", "1:0:0:2::3", "2001:db8::1:0:0:1",
                           "1:2:3:4:5:6:7:8", "::ffff:10.1.2.3", "64:ff9b::c000:221"}) {
    INFO(text);
    CHECK(ip(text).to_string() == text);
  }
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.4 ", "::1::2", "1:2:3:4:5:6:7:8:9",
                          "1:2:3:4:5:6:7", "12345::", "g::1", ":1::", "1:", "[::1]", "fe80::1%eth0"}) {
    INFO(bad);
    CHECK_FALSE(parse_ip_address(bad));
  }
}

TEST_CASE("IPv4 addresses leave the other twelve bytes zero", "[net]") {
  const IpAddress a = ip("192.0.2.1");
  for (std::size_t i = 4; i < 16; ++i) CHECK(a.bytes[i] == 0);
  CHECK(a.size() == 4);
  CHECK(ip("::1").size() == 16);
  CHECK(IpAddress{}.size() == 0);
  CHECK(IpAddress::v4(10, 0, 0, 1) < IpAddress::v4(10, 0, 0, 2));
}

TEST_CASE("Endpoints print with the port, IPv6 in brackets", "[net]") {
  CHECK(Endpoint{IpAddress::v4(1, 2, 3, 4), 5}.to_string() == "1.2.3.4:5");
  CHECK(Endpoint{ip("::1"), 5}.to_string() == "[::1]:5");
  CHECK(Endpoint{ip("2001:db8::7"), 25565}.to_string() == "[2001:db8::7]:25565");
  CHECK(Endpoint{ip("::ffff:10.0.0.1"), 80}.to_string() == "[::ffff:10.0.0.1]:80");
  CHECK(Endpoint{IpAddress::v4(127, 0, 0, 1), 0}.to_string() == "127.0.0.1:0");
  CHECK(Endpoint{IpAddress::v4(1, 2, 3, 4), 5} == Endpoint{IpAddress::v4(1, 2, 3, 4), 5});
  CHECK_FALSE(Endpoint{IpAddress::v4(1, 2, 3, 4), 5} == Endpoint{IpAddress::v4(1, 2, 3, 4), 6});
}

}  // namespace ip_address_test
