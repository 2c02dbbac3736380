#pragma once
// Decodes one captured frame down to its TCP segment or UDP datagram: link
// layer (Ethernet with VLAN tags, Linux cooked v1/v2, BSD loopback, raw IP),
// IPv4 with options, IPv6 with extension headers, TCP with options, UDP (a
// session recording's notes travel in UDP, adapters/recording_control.hpp). Pure and allocation-free: the
// segment's payload is a view into the frame, so it is valid as long as the
// frame is. libpcap stays out of this header so the decoder (and the
// reassembly behind it) can be fed synthetic frames in tests.
//
// Frames that are neither TCP nor UDP, or are IP fragments, are not errors: they come back
// with a FrameKind so the caller can count them. Frames that are cut short or
// contradict themselves come back as Error values.

#include <array>
#include <cstdint>
#include <cstring>
#include <span>

#include "rustguard/net/endpoint.hpp"
#include "rustguard/net/ip_address.hpp"
#include "rustguard/protocol/error.hpp"

namespace rustguard::replay {

using protocol::Errc;
using protocol::Error;
using protocol::make_error;
using protocol::Result;

// Link-layer types as pcap_datalink() reports them (DLT_* values). libpcap
// maps the file's LINKTYPE_* to these, except that some platforms disagree on
// DLT_RAW, so every number raw IP has had is accepted.
namespace link_type {
inline constexpr int null = 0;            // DLT_NULL: 4-byte family in the writer's byte order
inline constexpr int ethernet = 1;        // DLT_EN10MB
inline constexpr int raw_linux = 12;      // DLT_RAW on most platforms
inline constexpr int raw_openbsd = 14;    // DLT_RAW on OpenBSD
inline constexpr int raw = 101;           // LINKTYPE_RAW as stored in files
inline constexpr int loop = 108;          // DLT_LOOP: 4-byte family, network byte order
inline constexpr int linux_sll = 113;     // Linux cooked capture v1
inline constexpr int ipv4 = 228;          // LINKTYPE_IPV4
inline constexpr int ipv6 = 229;          // LINKTYPE_IPV6
inline constexpr int linux_sll2 = 276;    // Linux cooked capture v2
}  // namespace link_type

constexpr bool is_supported_link_type(int dlt) noexcept {
  switch (dlt) {
    case link_type::null:
    case link_type::ethernet:
    case link_type::raw_linux:
    case link_type::raw_openbsd:
    case link_type::raw:
    case link_type::loop:
    case link_type::linux_sll:
    case link_type::ipv4:
    case link_type::ipv6:
    case link_type::linux_sll2:
      return true;
    default:
      return false;
  }
}

namespace tcp_flag {
inline constexpr std::uint8_t fin = 0x01;
inline constexpr std::uint8_t syn = 0x02;
inline constexpr std::uint8_t rst = 0x04;
inline constexpr std::uint8_t psh = 0x08;
inline constexpr std::uint8_t ack = 0x10;
}  // namespace tcp_flag

struct TcpSegment {
  net::Endpoint source;
  net::Endpoint destination;
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint8_t flags = 0;
  std::span<const std::uint8_t> payload;

  bool has(std::uint8_t flag) const noexcept { return (flags & flag) != 0; }
};

// Checksums are not verified, as for TCP: a capture taken before offload
// fills them in holds "wrong" ones.
struct UdpDatagram {
  net::Endpoint source;
  net::Endpoint destination;
  std::span<const std::uint8_t> payload;
};

enum class FrameKind : std::uint8_t {
  tcp,          // `segment` is filled in
  udp,          // `datagram` is filled in
  ip_fragment,  // a fragment of an IPv4/IPv6 datagram; not reassembled
  other_ip,     // IP carrying something other than TCP or UDP (ICMP, ESP...)
  non_ip,       // ARP, LLC, a loopback family that is not IP...
};

struct DecodedFrame {
  FrameKind kind = FrameKind::non_ip;
  TcpSegment segment;
  UdpDatagram datagram;
};

namespace detail {

inline constexpr std::uint16_t kEtherTypeIpv4 = 0x0800;
inline constexpr std::uint16_t kEtherTypeIpv6 = 0x86DD;
inline constexpr int kMaxVlanTags = 4;
inline constexpr int kMaxIpv6ExtensionHeaders = 16;

// Headers here have fixed layouts and every decoder checks the length first,
// so fields are loaded at their offsets rather than through a sticky Reader.
inline std::uint16_t be16(const std::uint8_t* p) noexcept {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
inline std::uint32_t be32(const std::uint8_t* p) noexcept {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

inline Result<DecodedFrame> decode_tcp(std::span<const std::uint8_t> bytes, const net::IpAddress& src,
                                       const net::IpAddress& dst) noexcept {
  if (bytes.size() < 20) {
    return make_error(Errc::truncated, "TCP header", 20, static_cast<std::int64_t>(bytes.size()));
  }
  const std::uint8_t* p = bytes.data();
  DecodedFrame out;
  out.kind = FrameKind::tcp;
  TcpSegment& seg = out.segment;
  seg.source.address = src;
  seg.destination.address = dst;
  seg.source.port = be16(p);
  seg.destination.port = be16(p + 2);
  seg.seq = be32(p + 4);
  seg.ack = be32(p + 8);
  const std::size_t header_len = static_cast<std::size_t>(p[12] >> 4) * 4;
  seg.flags = p[13];
  if (header_len < 20) {
    return make_error(Errc::invalid_value, "TCP data offset", static_cast<std::int64_t>(header_len), 20);
  }
  if (header_len > bytes.size()) {
    return make_error(Errc::truncated, "TCP options", static_cast<std::int64_t>(header_len),
                      static_cast<std::int64_t>(bytes.size()));
  }
  // Options (MSS, SACK, timestamps) do not change which bytes the stream
  // holds, so they are skipped rather than parsed.
  seg.payload = bytes.subspan(header_len);
  return out;
}

// The UDP length field says where the datagram ends (Ethernet pads short
// frames); zero is what a jumbogram or an offloaded send leaves, and then
// the IP payload is the datagram.
inline Result<DecodedFrame> decode_udp(std::span<const std::uint8_t> bytes, const net::IpAddress& src,
                                       const net::IpAddress& dst) noexcept {
  if (bytes.size() < 8) {
    return make_error(Errc::truncated, "UDP header", 8, static_cast<std::int64_t>(bytes.size()));
  }
  const std::uint8_t* p = bytes.data();
  std::size_t length = be16(p + 4);
  if (length == 0) length = bytes.size();
  if (length < 8) return make_error(Errc::invalid_value, "UDP length", static_cast<std::int64_t>(length), 8);
  if (length > bytes.size()) {
    return make_error(Errc::truncated, "UDP datagram", static_cast<std::int64_t>(length),
                      static_cast<std::int64_t>(bytes.size()));
  }
  DecodedFrame out;
  out.kind = FrameKind::udp;
  UdpDatagram& d = out.datagram;
  d.source.address = src;
  d.destination.address = dst;
  d.source.port = be16(p);
  d.destination.port = be16(p + 2);
  d.payload = bytes.subspan(8, length - 8);
  return out;
}

inline Result<DecodedFrame> decode_ipv4(std::span<const std::uint8_t> bytes) noexcept {
  if (bytes.size() < 20) {
    return make_error(Errc::truncated, "IPv4 header", 20, static_cast<std::int64_t>(bytes.size()));
  }
  // The header checksum is not verified: captures taken before offload
  // fills it in are full of "wrong" ones.
  const std::uint8_t* p = bytes.data();
  if ((p[0] >> 4) != 4) return make_error(Errc::invalid_value, "IPv4 version", p[0] >> 4);
  const std::size_t header_len = static_cast<std::size_t>(p[0] & 0x0F) * 4;
  std::size_t total_len = be16(p + 2);
  const std::uint16_t flags_fragment = be16(p + 6);
  const std::uint8_t proto = p[9];
  net::IpAddress src, dst;
  src.family = dst.family = net::AddressFamily::ipv4;
  std::memcpy(src.bytes.data(), p + 12, 4);
  std::memcpy(dst.bytes.data(), p + 16, 4);
  if (header_len < 20) {
    return make_error(Errc::invalid_value, "IPv4 header length", static_cast<std::int64_t>(header_len), 20);
  }
  // A zero total length is what segmentation offload leaves in captures of
  // large sends; the captured bytes are then the packet.
  if (total_len == 0) total_len = bytes.size();
  if (total_len < header_len) {
    return make_error(Errc::invalid_value, "IPv4 total length", static_cast<std::int64_t>(total_len),
                      static_cast<std::int64_t>(header_len));
  }
  if (total_len > bytes.size()) {
    return make_error(Errc::truncated, "IPv4 packet", static_cast<std::int64_t>(total_len),
                      static_cast<std::int64_t>(bytes.size()));
  }
  const bool more_fragments = (flags_fragment & 0x2000) != 0;
  const std::uint16_t fragment_offset = flags_fragment & 0x1FFF;
  if (more_fragments || fragment_offset != 0) return DecodedFrame{FrameKind::ip_fragment, {}, {}};
  // Ethernet pads short frames; total length says where the packet ends.
  const auto transport = bytes.subspan(header_len, total_len - header_len);
  if (proto == 6) return decode_tcp(transport, src, dst);
  if (proto == 17) return decode_udp(transport, src, dst);
  return DecodedFrame{FrameKind::other_ip, {}, {}};
}

inline Result<DecodedFrame> decode_ipv6(std::span<const std::uint8_t> bytes) noexcept {
  if (bytes.size() < 40) {
    return make_error(Errc::truncated, "IPv6 header", 40, static_cast<std::int64_t>(bytes.size()));
  }
  const std::uint8_t* p = bytes.data();
  if ((p[0] >> 4) != 6) return make_error(Errc::invalid_value, "IPv6 version", p[0] >> 4);
  std::size_t payload_len = be16(p + 4);
  std::uint8_t next = p[6];
  net::IpAddress src, dst;
  src.family = dst.family = net::AddressFamily::ipv6;
  std::memcpy(src.bytes.data(), p + 8, 16);
  std::memcpy(dst.bytes.data(), p + 24, 16);
  // Zero means a jumbogram or an offloaded large send: the capture is the packet.
  if (payload_len == 0) payload_len = bytes.size() - 40;
  if (payload_len > bytes.size() - 40) {
    return make_error(Errc::truncated, "IPv6 packet", static_cast<std::int64_t>(payload_len + 40),
                      static_cast<std::int64_t>(bytes.size()));
  }
  std::span<const std::uint8_t> rest = bytes.subspan(40, payload_len);
  for (int i = 0; i < kMaxIpv6ExtensionHeaders; ++i) {
    switch (next) {
      case 6:
        return decode_tcp(rest, src, dst);
      case 17:
        return decode_udp(rest, src, dst);
      case 0:    // hop-by-hop options
      case 43:   // routing
      case 60:   // destination options
      case 135:  // mobility
      case 139:  // HIP
      case 140: {  // shim6
        if (rest.size() < 8) return make_error(Errc::truncated, "IPv6 extension header", 8, static_cast<std::int64_t>(rest.size()));
        const std::size_t len = (static_cast<std::size_t>(rest[1]) + 1) * 8;
        if (len > rest.size()) return make_error(Errc::truncated, "IPv6 extension header", static_cast<std::int64_t>(len), static_cast<std::int64_t>(rest.size()));
        next = rest[0];
        rest = rest.subspan(len);
        break;
      }
      case 51: {  // authentication header: length in 4-byte units, minus 2
        if (rest.size() < 8) return make_error(Errc::truncated, "IPv6 AH", 8, static_cast<std::int64_t>(rest.size()));
        const std::size_t len = (static_cast<std::size_t>(rest[1]) + 2) * 4;
        if (len > rest.size()) return make_error(Errc::truncated, "IPv6 AH", static_cast<std::int64_t>(len), static_cast<std::int64_t>(rest.size()));
        next = rest[0];
        rest = rest.subspan(len);
        break;
      }
      case 44: {  // fragment
        if (rest.size() < 8) return make_error(Errc::truncated, "IPv6 fragment header", 8, static_cast<std::int64_t>(rest.size()));
        const std::uint16_t offset_flags = be16(rest.data() + 2);
        // An "atomic" fragment (offset 0, no more fragments) is the whole
        // datagram and can be read on.
        if ((offset_flags & 0xFFF9) != 0) return DecodedFrame{FrameKind::ip_fragment, {}, {}};
        next = rest[0];
        rest = rest.subspan(8);
        break;
      }
      default:
        return DecodedFrame{FrameKind::other_ip, {}, {}};
    }
  }
  return make_error(Errc::invalid_value, "IPv6 extension header chain", kMaxIpv6ExtensionHeaders + 1,
                    kMaxIpv6ExtensionHeaders);
}

// Raw IP: the version nibble says which.
inline Result<DecodedFrame> decode_ip(std::span<const std::uint8_t> bytes) noexcept {
  if (bytes.empty()) return make_error(Errc::truncated, "IP header", 1, 0);
  switch (bytes[0] >> 4) {
    case 4: return decode_ipv4(bytes);
    case 6: return decode_ipv6(bytes);
    default: return make_error(Errc::invalid_value, "IP version", bytes[0] >> 4);
  }
}

// Follows VLAN tags (802.1Q, 802.1ad, the old 0x9100 QinQ) to the payload's
// EtherType, then dispatches on it.
inline Result<DecodedFrame> decode_ethertype(std::uint16_t ether_type,
                                             std::span<const std::uint8_t> rest) noexcept {
  for (int tags = 0; ether_type == 0x8100 || ether_type == 0x88A8 || ether_type == 0x9100; ++tags) {
    if (tags == kMaxVlanTags) return make_error(Errc::invalid_value, "VLAN tags", tags + 1, kMaxVlanTags);
    if (rest.size() < 4) return make_error(Errc::truncated, "VLAN tag", 4, static_cast<std::int64_t>(rest.size()));
    ether_type = be16(rest.data() + 2);
    rest = rest.subspan(4);
  }
  switch (ether_type) {
    case kEtherTypeIpv4: return decode_ipv4(rest);
    case kEtherTypeIpv6: return decode_ipv6(rest);
    default: return DecodedFrame{FrameKind::non_ip, {}, {}};
  }
}

// BSD address families for IP as the various BSDs and Linux number them.
constexpr bool is_ip_family(std::uint32_t family) noexcept {
  return family == 2 /* AF_INET */ || family == 10 /* Linux AF_INET6 */ || family == 24 /* Net/OpenBSD */ ||
         family == 28 /* FreeBSD */ || family == 30 /* Darwin */;
}

}  // namespace detail

// Decodes one frame of the given link type (a DLT_* value).
inline Result<DecodedFrame> decode_frame(int dlt, std::span<const std::uint8_t> frame) noexcept {
  switch (dlt) {
    case link_type::ethernet: {
      if (frame.size() < 14) return make_error(Errc::truncated, "Ethernet header", 14, static_cast<std::int64_t>(frame.size()));
      const std::uint16_t ether_type = detail::be16(frame.data() + 12);
      // Values up to 1500 are 802.3 lengths (LLC frames), not EtherTypes.
      if (ether_type <= 1500) return DecodedFrame{FrameKind::non_ip, {}, {}};
      return detail::decode_ethertype(ether_type, frame.subspan(14));
    }
    case link_type::linux_sll: {
      if (frame.size() < 16) return make_error(Errc::truncated, "Linux cooked header", 16, static_cast<std::int64_t>(frame.size()));
      return detail::decode_ethertype(detail::be16(frame.data() + 14), frame.subspan(16));
    }
    case link_type::linux_sll2: {
      if (frame.size() < 20) return make_error(Errc::truncated, "Linux cooked v2 header", 20, static_cast<std::int64_t>(frame.size()));
      return detail::decode_ethertype(detail::be16(frame.data()), frame.subspan(20));
    }
    case link_type::null:
    case link_type::loop: {
      if (frame.size() < 4) return make_error(Errc::truncated, "loopback header", 4, static_cast<std::int64_t>(frame.size()));
      std::uint32_t family = detail::be32(frame.data());
      // DLT_LOOP is always big-endian. DLT_NULL is in the byte order of the
      // host that wrote it, which the file header does not record (libpcap
      // swaps record headers, not link headers); families are small, so a
      // value with high bits set is the other byte order.
      if (dlt == link_type::null && (family & 0xFFFF0000u) != 0) {
        family = ((family & 0xFF) << 24) | ((family & 0xFF00) << 8) | ((family >> 8) & 0xFF00) | (family >> 24);
      }
      if (!detail::is_ip_family(family)) return DecodedFrame{FrameKind::non_ip, {}, {}};
      return detail::decode_ip(frame.subspan(4));
    }
    case link_type::raw_linux:
    case link_type::raw_openbsd:
    case link_type::raw:
      return detail::decode_ip(frame);
    case link_type::ipv4:
      return detail::decode_ipv4(frame);
    case link_type::ipv6:
      return detail::decode_ipv6(frame);
    default:
      return make_error(Errc::invalid_value, "link type", dlt);
  }
}

}  // namespace rustguard::replay
