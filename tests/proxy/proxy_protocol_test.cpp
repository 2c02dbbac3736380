#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "rustguard/protocol/proxy_protocol.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace proxy_protocol_test {

using namespace rustguard::protocol;
using rustguard::net::Endpoint;
using rustguard::net::IpAddress;

namespace {
std::vector<std::uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }
IpAddress ip(const char* text) {
  auto a = rustguard::net::parse_ip_address(text);
  REQUIRE(a);
  return *a;
}
}  // namespace

TEST_CASE("CIDRs parse and match addresses of their family", "[proxy_protocol]") {
  const auto ten = parse_cidr("10.0.0.0/8");
  REQUIRE(ten);
  CHECK(ten->contains(IpAddress::v4(10, 200, 3, 4)));
  CHECK_FALSE(ten->contains(IpAddress::v4(11, 0, 0, 1)));
  CHECK(ten->contains(ip("::ffff:10.9.9.9")));  // dual-stack sockets report IPv4 peers this way
  CHECK_FALSE(ten->contains(ip("2001:db8::1")));

  const auto v6 = parse_cidr("2001:db8::/32");
  REQUIRE(v6);
  CHECK(v6->contains(ip("2001:db8:ffff::1")));
  CHECK_FALSE(v6->contains(ip("2001:db9::1")));

  const auto odd = parse_cidr("192.168.4.0/22");
  REQUIRE(odd);
  CHECK(odd->contains(IpAddress::v4(192, 168, 7, 255)));
  CHECK_FALSE(odd->contains(IpAddress::v4(192, 168, 8, 0)));

  const auto host = parse_cidr("127.0.0.1");
  REQUIRE(host);
  CHECK(host->prefix == 32);
  CHECK(host->contains(IpAddress::v4(127, 0, 0, 1)));
  CHECK_FALSE(host->contains(IpAddress::v4(127, 0, 0, 2)));

  const auto all = parse_cidr("0.0.0.0/0");
  REQUIRE(all);
  CHECK(all->contains(IpAddress::v4(8, 8, 8, 8)));
  CHECK(parse_cidr("::/0"));
  CHECK(parse_cidr("::1/128"));

  for (const char* bad : {"10.0.0.1/8", "10.0.0.0/33", "::1/129", "10.0.0.0/", "10.0.0.0/x", "/8", "10.0.0.0/-1"}) {
    INFO(bad);
    CHECK_FALSE(parse_cidr(bad));
  }
}

TEST_CASE("A PROXY v1 header is parsed, byte by byte too", "[proxy_protocol]") {
  const std::string line = "PROXY TCP4 203.0.113.7 192.0.2.1 51234 25565\r\n";
  auto stream = bytes_of(line + "\x10\x00");  // followed by the start of a handshake
  for (std::size_t n = 1; n < line.size(); ++n) {
    auto partial = parse_proxy_header(std::span(stream).first(n));
    REQUIRE(partial);
    CHECK(partial->status == ProxyHeaderStatus::incomplete);
  }
  auto r = parse_proxy_header(stream);
  REQUIRE(r);
  REQUIRE(r->status == ProxyHeaderStatus::complete);
  CHECK(r->header.version == 1);
  CHECK_FALSE(r->header.local);
  CHECK(r->header.length == line.size());
  CHECK(r->header.source == Endpoint{IpAddress::v4(203, 0, 113, 7), 51234});
  CHECK(r->header.destination == Endpoint{IpAddress::v4(192, 0, 2, 1), 25565});

  auto v6 = parse_proxy_header(bytes_of("PROXY TCP6 2001:db8::7 2001:db8::1 4000 25565\r\n"));
  REQUIRE(v6);
  CHECK(v6->header.source.address.to_string() == "2001:db8::7");
  CHECK(v6->header.source.port == 4000);

  auto unknown = parse_proxy_header(bytes_of("PROXY UNKNOWN\r\n"));
  REQUIRE(unknown);
  CHECK(unknown->status == ProxyHeaderStatus::complete);
  CHECK(unknown->header.local);
}

TEST_CASE("Malformed PROXY v1 headers are errors", "[proxy_protocol]") {
  for (const char* bad : {"PROXY TCP4 1.2.3.4 5.6.7.8 1 \r\n", "PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n",
                          "PROXY TCP4 1.2.3.4 ::1 1 2\r\n", "PROXY TCP4 1.2.3.4 5.6.7.8 1 65536\r\n",
                          "PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n"}) {
    INFO(bad);
    auto r = parse_proxy_header(bytes_of(bad));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::invalid_value);
  }
  // No CRLF within the 107 bytes v1 allows.
  auto r = parse_proxy_header(bytes_of("PROXY TCP4 " + std::string(120, '1')));
  REQUIRE_FALSE(r);
}

TEST_CASE("A PROXY v2 header round-trips through the writer", "[proxy_protocol]") {
  std::vector<std::uint8_t> out;
  const Endpoint src{IpAddress::v4(198, 51, 100, 9), 40000};
  const Endpoint dst{IpAddress::v4(10, 0, 0, 2), 25565};
  write_proxy_v2(out, src, dst);
  REQUIRE(out.size() == 16 + 12);
  CHECK(out[12] == 0x21);
  CHECK(out[13] == 0x11);
  out.push_back(0x10);  // the first Minecraft byte is not part of the header
  for (std::size_t n = 1; n < 28; ++n) {
    auto partial = parse_proxy_header(std::span(out).first(n));
    REQUIRE(partial);
    CHECK(partial->status == ProxyHeaderStatus::incomplete);
  }
  auto r = parse_proxy_header(out);
  REQUIRE(r);
  REQUIRE(r->status == ProxyHeaderStatus::complete);
  CHECK(r->header.version == 2);
  CHECK(r->header.length == 28);
  CHECK(r->header.source == src);
  CHECK(r->header.destination == dst);

  std::vector<std::uint8_t> v6;
  const Endpoint src6{ip("2001:db8::9"), 1};
  write_proxy_v2(v6, src6, dst);  // mixed families: both sent as IPv6
  auto r6 = parse_proxy_header(v6);
  REQUIRE(r6);
  CHECK(r6->header.source == src6);
  CHECK(r6->header.destination.address.unmapped() == dst.address);
  CHECK(r6->header.length == 16 + 36);
}

TEST_CASE("PROXY v2 LOCAL, TLVs and malformed headers", "[proxy_protocol]") {
  std::vector<std::uint8_t> local(kProxyV2Signature.begin(), kProxyV2Signature.end());
  local.insert(local.end(), {0x20, 0x00, 0x00, 0x00});
  auto l = parse_proxy_header(local);
  REQUIRE(l);
  CHECK(l->status == ProxyHeaderStatus::complete);
  CHECK(l->header.local);
  CHECK(l->header.length == 16);

  std::vector<std::uint8_t> tlv;
  write_proxy_v2(tlv, {IpAddress::v4(1, 2, 3, 4), 5}, {IpAddress::v4(6, 7, 8, 9), 10});
  tlv[15] = 12 + 5;                                  // addresses + one TLV
  tlv.insert(tlv.end(), {0x04, 0x00, 0x02, 'h', 'i'});  // PP2_TYPE_NOOP
  auto t = parse_proxy_header(tlv);
  REQUIRE(t);
  CHECK(t->header.length == tlv.size());
  CHECK(t->header.source.port == 5);

  auto with = [&](std::uint8_t byte12, std::uint8_t byte13, std::uint16_t length) {
    std::vector<std::uint8_t> h(kProxyV2Signature.begin(), kProxyV2Signature.end());
    h.insert(h.end(), {byte12, byte13, static_cast<std::uint8_t>(length >> 8), static_cast<std::uint8_t>(length)});
    h.resize(16 + (length < 64 ? length : 0));
    return parse_proxy_header(h);
  };
  CHECK_FALSE(with(0x11, 0x11, 12));  // version 1 in a v2 header
  CHECK_FALSE(with(0x22, 0x11, 12));  // unknown command
  CHECK_FALSE(with(0x21, 0x11, 4));   // too short for two IPv4 addresses
  CHECK_FALSE(with(0x21, 0x12, 12));  // UDP
  CHECK_FALSE(with(0x21, 0x11, 60000));  // longer than we accept
}

TEST_CASE("A Minecraft stream is not mistaken for a PROXY header", "[proxy_protocol]") {
  // Handshake (length 0x10, id 0x00), legacy ping, and a 13-byte handshake (0x0D like v2's first byte).
  for (const std::vector<std::uint8_t>& start : {std::vector<std::uint8_t>{0x10, 0x00, 0xfd, 0x05},
                                                 std::vector<std::uint8_t>{0xfe, 0x01, 0xfa},
                                                 std::vector<std::uint8_t>{0x0d, 0x00, 0x2f}}) {
    auto r = parse_proxy_header(start);
    REQUIRE(r);
    CHECK(r->status == ProxyHeaderStatus::absent);
  }
  auto p = parse_proxy_header(bytes_of("P"));
  REQUIRE(p);
  CHECK(p->status == ProxyHeaderStatus::incomplete);
  auto pr = parse_proxy_header(bytes_of("PX"));
  REQUIRE(pr);
  CHECK(pr->status == ProxyHeaderStatus::absent);
}

}  // namespace proxy_protocol_test
