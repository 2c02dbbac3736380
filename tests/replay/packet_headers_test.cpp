// Frame decoding on hand-built frames: header variants the loopback captures
// do not contain (IPv4 options, fragments, IPv6 extension headers, VLAN
// stacks, non-IP) and malformed input.

#include <catch2/catch.hpp>

#include <cstdint>
#include <initializer_list>
#include <vector>

#include "replay/packet_headers.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace packet_headers_test {

using namespace rustguard::replay;
using Bytes = std::vector<std::uint8_t>;

namespace {

void append(Bytes& out, std::initializer_list<int> bytes) {
  for (int b : bytes) out.push_back(static_cast<std::uint8_t>(b));
}

// TCP header with a 12-byte option block (NOP NOP timestamp) and a payload.
Bytes tcp(std::uint16_t sport, std::uint16_t dport, std::uint32_t seq, const Bytes& payload) {
  Bytes t;
  append(t, {sport >> 8, sport & 0xFF, dport >> 8, dport & 0xFF});
  append(t, {static_cast<int>(seq >> 24), static_cast<int>((seq >> 16) & 0xFF), static_cast<int>((seq >> 8) & 0xFF),
             static_cast<int>(seq & 0xFF)});
  append(t, {0, 0, 0, 1, 8 << 4, 0x18, 0x01, 0x00, 0, 0, 0, 0});
  append(t, {1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2});
  t.insert(t.end(), payload.begin(), payload.end());
  return t;
}

Bytes ipv4(const Bytes& l4, int proto = 6, int flags_frag = 0x4000, const Bytes& options = {}) {
  Bytes ip;
  const std::size_t hl = 20 + options.size();
  const std::size_t total = hl + l4.size();
  append(ip, {0x40 | static_cast<int>(hl / 4), 0, static_cast<int>(total >> 8), static_cast<int>(total & 0xFF)});
  append(ip, {0x12, 0x34, flags_frag >> 8, flags_frag & 0xFF, 64, proto, 0, 0});
  append(ip, {192, 168, 1, 10, 192, 168, 1, 20});
  ip.insert(ip.end(), options.begin(), options.end());
  ip.insert(ip.end(), l4.begin(), l4.end());
  return ip;
}

// IPv6 from 2001:db8::1 to 2001:db8::2 with optional extension headers.
// `ext` is the chain after the fixed header; `first_next` names its first.
Bytes ipv6(const Bytes& l4, int first_next = 6, const Bytes& ext = {}) {
  Bytes ip;
  const std::size_t len = ext.size() + l4.size();
  append(ip, {0x60, 0, 0, 0, static_cast<int>(len >> 8), static_cast<int>(len & 0xFF), first_next, 64});
  append(ip, {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
  append(ip, {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2});
  ip.insert(ip.end(), ext.begin(), ext.end());
  ip.insert(ip.end(), l4.begin(), l4.end());
  return ip;
}

Bytes ethernet(const Bytes& payload, std::initializer_list<int> type_and_tags) {
  Bytes f(12, 0xAA);
  append(f, type_and_tags);
  f.insert(f.end(), payload.begin(), payload.end());
  return f;
}

// UDP header (checksum left zero: the decoder does not verify it) and payload;
// `length` overrides the header's length field.
Bytes udp(std::uint16_t sport, std::uint16_t dport, const Bytes& payload, int length = -1) {
  Bytes u;
  const int len = length >= 0 ? length : static_cast<int>(8 + payload.size());
  append(u, {sport >> 8, sport & 0xFF, dport >> 8, dport & 0xFF, len >> 8, len & 0xFF, 0, 0});
  u.insert(u.end(), payload.begin(), payload.end());
  return u;
}

const Bytes kPayload{'h', 'e', 'l', 'l', 'o'};

}  // namespace

TEST_CASE("Ethernet, IPv4, TCP with options") {
  // The segment's payload points into the frame, so the frame must outlive it.
  const auto frame = ethernet(ipv4(tcp(50000, 25565, 0xDEADBEEF, kPayload)), {0x08, 0x00});
  auto r = decode_frame(link_type::ethernet, frame);
  REQUIRE(r.ok());
  REQUIRE(r->kind == FrameKind::tcp);
  const TcpSegment& s = r->segment;
  CHECK(s.source.to_string() == "192.168.1.10:50000");
  CHECK(s.destination.to_string() == "192.168.1.20:25565");
  CHECK(s.source.address == rustguard::net::IpAddress::v4(192, 168, 1, 10));  // the other 12 bytes stay zero
  CHECK(s.seq == 0xDEADBEEF);
  CHECK(s.ack == 1);
  CHECK(s.has(tcp_flag::psh));
  CHECK(s.has(tcp_flag::ack));
  CHECK_FALSE(s.has(tcp_flag::syn));
  CHECK(Bytes(s.payload.begin(), s.payload.end()) == kPayload);
}

TEST_CASE("IPv4 options are skipped and Ethernet padding is cut off by the total length") {
  const Bytes options{0x07, 0x07, 0x04, 0, 0, 0, 0, 0x01};  // record route + NOP
  auto frame = ethernet(ipv4(tcp(1, 2, 3, kPayload), 6, 0, options), {0x08, 0x00});
  frame.insert(frame.end(), 10, 0);  // padding
  auto r = decode_frame(link_type::ethernet, frame);
  REQUIRE(r.ok());
  REQUIRE(r->kind == FrameKind::tcp);
  CHECK(Bytes(r->segment.payload.begin(), r->segment.payload.end()) == kPayload);
}

TEST_CASE("IPv4 fragments are recognised, not decoded") {
  const auto l4 = tcp(1, 2, 3, kPayload);
  auto first = decode_frame(link_type::raw, ipv4(l4, 6, 0x2000));  // MF, offset 0
  auto later = decode_frame(link_type::raw, ipv4(l4, 6, 0x0010));  // offset 16
  auto whole = decode_frame(link_type::raw, ipv4(l4, 6, 0x4000));  // DF only
  REQUIRE(first.ok());
  REQUIRE(later.ok());
  REQUIRE(whole.ok());
  CHECK(first->kind == FrameKind::ip_fragment);
  CHECK(later->kind == FrameKind::ip_fragment);
  CHECK(whole->kind == FrameKind::tcp);
}

TEST_CASE("non-TCP IP and non-IP frames are classified") {
  auto icmp = decode_frame(link_type::ethernet, ethernet(ipv4(Bytes(8, 0), 1), {0x08, 0x00}));
  auto arp = decode_frame(link_type::ethernet, ethernet(Bytes(28, 0), {0x08, 0x06}));
  auto llc = decode_frame(link_type::ethernet, ethernet(Bytes(28, 0), {0x00, 0x1C}));
  REQUIRE(icmp.ok());
  REQUIRE(arp.ok());
  REQUIRE(llc.ok());
  CHECK(icmp->kind == FrameKind::other_ip);
  CHECK(arp->kind == FrameKind::non_ip);
  CHECK(llc->kind == FrameKind::non_ip);
}

TEST_CASE("UDP over IPv4 and IPv6: endpoints and payload, padding cut off by the UDP length") {
  auto v4_frame = ethernet(ipv4(udp(50000, 25565, kPayload), 17), {0x08, 0x00});
  v4_frame.insert(v4_frame.end(), 20, 0);  // Ethernet padding after the IP packet
  auto v4 = decode_frame(link_type::ethernet, v4_frame);
  REQUIRE(v4.ok());
  REQUIRE(v4->kind == FrameKind::udp);
  CHECK(v4->datagram.source.to_string() == "192.168.1.10:50000");
  CHECK(v4->datagram.destination.to_string() == "192.168.1.20:25565");
  CHECK(Bytes(v4->datagram.payload.begin(), v4->datagram.payload.end()) == kPayload);

  // Bytes past the UDP length inside the IP packet are not the datagram's.
  Bytes padded = kPayload;
  padded.insert(padded.end(), 3, 0xEE);
  // (The packet outlives the decode: the datagram's payload points into it.)
  const Bytes cut_packet = ipv4(udp(1, 2, padded, 8 + 5), 17);
  auto cut = decode_frame(link_type::raw, cut_packet);
  REQUIRE(cut.ok());
  REQUIRE(cut->kind == FrameKind::udp);
  CHECK(Bytes(cut->datagram.payload.begin(), cut->datagram.payload.end()) == kPayload);

  // IPv6, behind a destination-options header.
  Bytes ext;
  append(ext, {17, 0, 1, 4, 0, 0, 0, 0});
  const auto v6_packet = ipv6(udp(40000, 25565, kPayload), 60, ext);
  auto v6 = decode_frame(link_type::ipv6, v6_packet);
  REQUIRE(v6.ok());
  REQUIRE(v6->kind == FrameKind::udp);
  CHECK(v6->datagram.source.to_string() == "[2001:db8::1]:40000");
  CHECK(v6->datagram.destination.port == 25565);
  CHECK(Bytes(v6->datagram.payload.begin(), v6->datagram.payload.end()) == kPayload);

  // An empty datagram, and a zero length (a jumbogram or offloaded send):
  // the IP payload is the datagram.
  const Bytes empty_packet = ipv4(udp(1, 2, {}), 17);
  auto empty = decode_frame(link_type::raw, empty_packet);
  REQUIRE(empty.ok());
  CHECK(empty->kind == FrameKind::udp);
  CHECK(empty->datagram.payload.empty());
  const Bytes zero_packet = ipv4(udp(1, 2, kPayload, 0), 17);
  auto zero = decode_frame(link_type::raw, zero_packet);
  REQUIRE(zero.ok());
  CHECK(Bytes(zero->datagram.payload.begin(), zero->datagram.payload.end()) == kPayload);
}

TEST_CASE("UDP cut short or with a length that contradicts itself is an error") {
  auto short_header = decode_frame(link_type::raw, ipv4(Bytes(7, 0), 17));
  REQUIRE_FALSE(short_header.ok());
  CHECK(short_header.error().code == rustguard::protocol::Errc::truncated);
  auto too_long = decode_frame(link_type::raw, ipv4(udp(1, 2, kPayload, 8 + 6), 17));
  REQUIRE_FALSE(too_long.ok());
  CHECK(too_long.error().code == rustguard::protocol::Errc::truncated);
  auto below_header = decode_frame(link_type::raw, ipv4(udp(1, 2, kPayload, 7), 17));
  REQUIRE_FALSE(below_header.ok());
  CHECK(below_header.error().code == rustguard::protocol::Errc::invalid_value);
  // A UDP fragment is still a fragment.
  auto fragment = decode_frame(link_type::raw, ipv4(udp(1, 2, kPayload), 17, 0x2000));
  REQUIRE(fragment.ok());
  CHECK(fragment->kind == FrameKind::ip_fragment);
}

TEST_CASE("VLAN tags: 802.1Q, QinQ, and a limit on stacking") {
  const auto ip = ipv4(tcp(7, 8, 9, kPayload));
  auto one = decode_frame(link_type::ethernet, ethernet(ip, {0x81, 0x00, 0x00, 0x2A, 0x08, 0x00}));
  auto two = decode_frame(link_type::ethernet,
                          ethernet(ipv6(tcp(7, 8, 9, kPayload)), {0x88, 0xA8, 0x00, 0x64, 0x81, 0x00, 0x00, 0x07, 0x86, 0xDD}));
  REQUIRE(one.ok());
  REQUIRE(two.ok());
  CHECK(one->kind == FrameKind::tcp);
  CHECK(two->kind == FrameKind::tcp);
  CHECK(two->segment.source.to_string() == "[2001:db8::1]:7");
  CHECK(two->segment.source.address.is_v6());
  Bytes tags;
  for (int i = 0; i < 5; ++i) append(tags, {0x81, 0x00, 0x00, 0x01});
  append(tags, {0x08, 0x00});
  Bytes frame(12, 0);
  frame.insert(frame.end(), tags.begin(), tags.end());
  frame.insert(frame.end(), ip.begin(), ip.end());
  auto deep = decode_frame(link_type::ethernet, frame);
  REQUIRE_FALSE(deep.ok());
  CHECK(deep.error().code == rustguard::protocol::Errc::invalid_value);
}

TEST_CASE("IPv6 extension headers are walked to TCP") {
  Bytes ext;
  append(ext, {60, 0, 1, 4, 0, 0, 0, 0});           // hop-by-hop (PadN), next: destination options
  append(ext, {44, 1, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});  // dest opts, 16 bytes, next: fragment
  append(ext, {6, 0, 0, 0, 0, 0, 0, 1});            // atomic fragment (offset 0, M=0), next: TCP
  const auto packet = ipv6(tcp(1000, 2000, 5, kPayload), 0, ext);
  auto r = decode_frame(link_type::ipv6, packet);
  REQUIRE(r.ok());
  REQUIRE(r->kind == FrameKind::tcp);
  CHECK(r->segment.destination.port == 2000);
  CHECK(Bytes(r->segment.payload.begin(), r->segment.payload.end()) == kPayload);

  Bytes frag;
  append(frag, {6, 0, 0, 1, 0, 0, 0, 9});  // offset 0, M=1: a real fragment
  auto f = decode_frame(link_type::ipv6, ipv6(tcp(1, 2, 3, kPayload), 44, frag));
  REQUIRE(f.ok());
  CHECK(f->kind == FrameKind::ip_fragment);

  Bytes esp(16, 0);
  auto e = decode_frame(link_type::ipv6, ipv6(Bytes{}, 50, esp));
  REQUIRE(e.ok());
  CHECK(e->kind == FrameKind::other_ip);
}

TEST_CASE("Linux cooked v1 and v2 headers") {
  const auto ip = ipv4(tcp(11, 12, 13, kPayload));
  Bytes sll;
  append(sll, {0, 0, 0x03, 0x04, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00});
  sll.insert(sll.end(), ip.begin(), ip.end());
  Bytes sll2;
  append(sll2, {0x08, 0x00, 0, 0, 0, 0, 0, 1, 0x03, 0x04, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0});
  sll2.insert(sll2.end(), ip.begin(), ip.end());
  auto a = decode_frame(link_type::linux_sll, sll);
  auto b = decode_frame(link_type::linux_sll2, sll2);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->segment.source.port == 11);
  CHECK(b->segment.source.port == 11);
}

TEST_CASE("loopback family field: DLT_NULL in either byte order, DLT_LOOP in network order") {
  const auto ip6 = ipv6(tcp(1, 2, 3, kPayload));
  const auto ip4 = ipv4(tcp(1, 2, 3, kPayload));
  auto with = [](std::initializer_list<int> family, const Bytes& ip) {
    Bytes f;
    append(f, family);
    f.insert(f.end(), ip.begin(), ip.end());
    return f;
  };
  for (const auto& [dlt, frame] : std::vector<std::pair<int, Bytes>>{
           {link_type::null, with({2, 0, 0, 0}, ip4)},    // little-endian AF_INET
           {link_type::null, with({0, 0, 0, 2}, ip4)},    // big-endian AF_INET
           {link_type::null, with({30, 0, 0, 0}, ip6)},   // Darwin AF_INET6, little-endian
           {link_type::null, with({0, 0, 0, 28}, ip6)},   // FreeBSD AF_INET6, big-endian
           {link_type::loop, with({0, 0, 0, 24}, ip6)},   // OpenBSD AF_INET6
           {link_type::loop, with({0, 0, 0, 2}, ip4)}}) {
    auto r = decode_frame(dlt, frame);
    REQUIRE(r.ok());
    CHECK(r->kind == FrameKind::tcp);
  }
  auto other = decode_frame(link_type::null, with({7, 0, 0, 0}, ip4));
  REQUIRE(other.ok());
  CHECK(other->kind == FrameKind::non_ip);
}

TEST_CASE("malformed frames are errors, never crashes") {
  using rustguard::protocol::Errc;
  const auto good = ethernet(ipv4(tcp(1, 2, 3, kPayload)), {0x08, 0x00});
  // Every prefix of a good frame is either cleanly truncated or (for the
  // Ethernet header alone) an error too.
  for (std::size_t n = 0; n < good.size(); ++n) {
    auto r = decode_frame(link_type::ethernet, std::span<const std::uint8_t>{good}.first(n));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::truncated);
  }
  auto bad_version = ipv4(tcp(1, 2, 3, kPayload));
  bad_version[0] = 0x55;
  CHECK(decode_frame(link_type::ipv4, bad_version).error().code == Errc::invalid_value);
  auto bad_ihl = ipv4(tcp(1, 2, 3, kPayload));
  bad_ihl[0] = 0x44;
  CHECK(decode_frame(link_type::ipv4, bad_ihl).error().code == Errc::invalid_value);
  auto bad_offset = ipv4(tcp(1, 2, 3, kPayload));
  bad_offset[20 + 12] = 0x40;  // data offset 4 words
  CHECK(decode_frame(link_type::raw, bad_offset).error().code == Errc::invalid_value);
  auto long_offset = ipv4(tcp(1, 2, 3, {}));
  long_offset[20 + 12] = 0xF0;  // 60-byte header in a 32-byte segment
  CHECK(decode_frame(link_type::raw, long_offset).error().code == Errc::truncated);
  CHECK(decode_frame(link_type::raw, Bytes{0x70, 0, 0, 0}).error().code == Errc::invalid_value);
  CHECK(decode_frame(9999, good).error().code == Errc::invalid_value);
  CHECK_FALSE(is_supported_link_type(9999));
  // An extension chain that never ends.
  Bytes chain;
  for (int i = 0; i < 20; ++i) append(chain, {60, 0, 1, 4, 0, 0, 0, 0});
  CHECK(decode_frame(link_type::ipv6, ipv6({}, 60, chain)).error().code == Errc::invalid_value);
}

}  // namespace packet_headers_test
