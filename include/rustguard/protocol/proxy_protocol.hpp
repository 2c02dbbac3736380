#pragma once
// HAProxy's PROXY protocol: the header a load balancer puts in front of the
// first byte of a TCP stream to tell the server who really connected.
// Sans-I/O: the caller hands over what it has read so far and learns whether a
// header is there, needs more bytes, or is malformed.
//
//   v1: "PROXY TCP4 203.0.113.7 192.0.2.1 51234 25565\r\n" (text, at most 107 bytes)
//   v2: 12-byte signature, version/command, family, u16 length, addresses, TLVs
//
// A Minecraft stream can never start like either signature (a handshake is a
// VarInt length followed by id 0x00; a legacy ping starts with 0xFE), so the
// header can be detected without configuration. Whether to *believe* it is the
// caller's decision: only peers in a trusted CIDR list may send one (Cidr).

#include <array>
#include <charconv>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rustguard/net/endpoint.hpp"
#include "rustguard/net/ip_address.hpp"
#include "rustguard/protocol/error.hpp"

namespace rustguard::protocol {

// A network such as 10.0.0.0/8 or 2001:db8::/32. An IPv4 network also matches
// the IPv4-mapped IPv6 form of its addresses.
struct Cidr {
  net::IpAddress network;
  unsigned prefix = 0;

  bool contains(const net::IpAddress& candidate) const noexcept {
    const net::IpAddress a = candidate.unmapped();
    if (a.family != network.family) return false;
    unsigned bits = prefix;
    for (std::size_t i = 0; i < a.size() && bits > 0; ++i) {
      const unsigned take = bits >= 8 ? 8 : bits;
      const auto mask = static_cast<std::uint8_t>(0xff << (8 - take));
      if ((a.bytes[i] & mask) != (network.bytes[i] & mask)) return false;
      bits -= take;
    }
    return true;
  }
  std::string to_string() const { return network.to_string() + "/" + std::to_string(prefix); }
  friend bool operator==(const Cidr&, const Cidr&) = default;
};

// "10.0.0.0/8", "::1/128", or a bare address (a single host). Host bits set
// below the prefix are an error: "10.0.0.1/8" is more likely a typo than intent.
inline std::optional<Cidr> parse_cidr(std::string_view s) {
  const auto slash = s.find('/');
  auto ip = net::parse_ip_address(s.substr(0, slash));
  if (!ip) return std::nullopt;
  ip = ip->unmapped();
  const unsigned max_prefix = static_cast<unsigned>(ip->size() * 8);
  unsigned prefix = max_prefix;
  if (slash != std::string_view::npos) {
    const std::string_view p = s.substr(slash + 1);
    const auto r = std::from_chars(p.data(), p.data() + p.size(), prefix);
    if (p.empty() || r.ec != std::errc{} || r.ptr != p.data() + p.size() || prefix > max_prefix) return std::nullopt;
  }
  Cidr c{*ip, prefix};
  net::IpAddress masked = *ip;
  for (std::size_t i = 0; i < masked.size(); ++i) {
    const unsigned start = static_cast<unsigned>(i * 8);
    const unsigned keep = prefix <= start ? 0 : prefix - start >= 8 ? 8 : prefix - start;
    masked.bytes[i] &= static_cast<std::uint8_t>(keep == 0 ? 0 : 0xff << (8 - keep));
  }
  if (!(masked == *ip)) return std::nullopt;
  return c;
}

struct ProxyHeader {
  int version = 0;     // 1 or 2
  bool local = false;  // v2 LOCAL / v1 UNKNOWN: a health check; use the real peer address
  net::Endpoint source;       // the client as the proxy in front saw it
  net::Endpoint destination;  // the address the client connected to
  std::size_t length = 0;     // bytes of the stream the header took
};

enum class ProxyHeaderStatus : std::uint8_t {
  absent,      // the stream does not start with a PROXY header
  incomplete,  // it may: read more bytes and call again
  complete,    // `header` is filled in
};

struct ProxyHeaderParse {
  ProxyHeaderStatus status = ProxyHeaderStatus::absent;
  ProxyHeader header;
};

inline constexpr std::array<std::uint8_t, 12> kProxyV2Signature = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D,
                                                                   0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
inline constexpr std::size_t kProxyV1MaxLength = 107;
// v2 allows 65535 bytes of addresses and TLVs; nothing we accept needs more than this.
inline constexpr std::size_t kProxyV2MaxPayload = 2048;

namespace detail {

inline bool is_prefix_of(std::span<const std::uint8_t> have, std::span<const std::uint8_t> signature) noexcept {
  const std::size_t n = have.size() < signature.size() ? have.size() : signature.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (have[i] != signature[i]) return false;
  }
  return true;
}

inline Result<ProxyHeaderParse> parse_proxy_v1(std::span<const std::uint8_t> bytes) {
  std::size_t end = 0;
  while (end + 1 < bytes.size() && !(bytes[end] == '\r' && bytes[end + 1] == '\n')) ++end;
  if (end + 1 >= bytes.size()) {
    if (bytes.size() >= kProxyV1MaxLength) {
      return make_error(Errc::invalid_value, "PROXY v1 line without CRLF", static_cast<std::int64_t>(bytes.size()),
                        kProxyV1MaxLength);
    }
    return ProxyHeaderParse{ProxyHeaderStatus::incomplete, {}};
  }
  if (end + 2 > kProxyV1MaxLength) {
    return make_error(Errc::invalid_value, "PROXY v1 line length", static_cast<std::int64_t>(end + 2), kProxyV1MaxLength);
  }
  const std::string_view line(reinterpret_cast<const char*>(bytes.data()), end);
  std::array<std::string_view, 6> words{};
  std::size_t count = 0;
  for (std::size_t pos = 0; pos <= line.size();) {
    const auto space = line.find(' ', pos);
    const auto word = line.substr(pos, space == std::string_view::npos ? std::string_view::npos : space - pos);
    if (count == words.size()) return make_error(Errc::invalid_value, "PROXY v1 too many fields");
    words[count++] = word;
    if (space == std::string_view::npos) break;
    pos = space + 1;
  }
  ProxyHeaderParse out{ProxyHeaderStatus::complete, {}};
  out.header.version = 1;
  out.header.length = end + 2;
  if (count >= 2 && words[1] == "UNKNOWN") {
    out.header.local = true;
    return out;
  }
  if (count != 6 || words[0] != "PROXY") return make_error(Errc::invalid_value, "PROXY v1 fields");
  const bool v6 = words[1] == "TCP6";
  if (!v6 && words[1] != "TCP4") return make_error(Errc::invalid_value, "PROXY v1 protocol");
  const auto family = v6 ? net::AddressFamily::ipv6 : net::AddressFamily::ipv4;
  auto src = net::parse_ip_address(words[2]);
  auto dst = net::parse_ip_address(words[3]);
  if (!src || !dst || src->family != family || dst->family != family) {
    return make_error(Errc::invalid_value, "PROXY v1 address");
  }
  std::uint16_t ports[2] = {};
  for (int i = 0; i < 2; ++i) {
    const std::string_view p = words[4 + i];
    unsigned v = 0;
    const auto r = std::from_chars(p.data(), p.data() + p.size(), v);
    if (p.empty() || r.ec != std::errc{} || r.ptr != p.data() + p.size() || v > 65535 || (p.size() > 1 && p[0] == '0')) {
      return make_error(Errc::invalid_value, "PROXY v1 port");
    }
    ports[i] = static_cast<std::uint16_t>(v);
  }
  out.header.source = {*src, ports[0]};
  out.header.destination = {*dst, ports[1]};
  return out;
}

inline Result<ProxyHeaderParse> parse_proxy_v2(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < 16) return ProxyHeaderParse{ProxyHeaderStatus::incomplete, {}};
  const std::uint8_t version_command = bytes[12];
  const std::uint8_t family_transport = bytes[13];
  const std::size_t length = static_cast<std::size_t>(bytes[14] << 8 | bytes[15]);
  if ((version_command >> 4) != 2) return make_error(Errc::invalid_value, "PROXY v2 version", version_command >> 4);
  const int command = version_command & 0x0f;
  if (command > 1) return make_error(Errc::invalid_value, "PROXY v2 command", command);
  if (length > kProxyV2MaxPayload) {
    return make_error(Errc::invalid_value, "PROXY v2 length", static_cast<std::int64_t>(length), kProxyV2MaxPayload);
  }
  if (bytes.size() < 16 + length) return ProxyHeaderParse{ProxyHeaderStatus::incomplete, {}};
  ProxyHeaderParse out{ProxyHeaderStatus::complete, {}};
  out.header.version = 2;
  out.header.length = 16 + length;
  const auto payload = bytes.subspan(16, length);
  const int family = family_transport >> 4;
  if (command == 0 || family == 0) {  // LOCAL, or AF_UNSPEC: keep the real peer
    out.header.local = true;
    return out;
  }
  const std::size_t address_size = family == 1 ? 4 : family == 2 ? 16 : 0;
  if (address_size == 0) {  // AF_UNIX: no IP to report
    out.header.local = true;
    return out;
  }
  if ((family_transport & 0x0f) != 1) return make_error(Errc::invalid_value, "PROXY v2 transport (not TCP)");
  if (payload.size() < 2 * address_size + 4) {
    return make_error(Errc::truncated, "PROXY v2 addresses", static_cast<std::int64_t>(payload.size()),
                      static_cast<std::int64_t>(2 * address_size + 4));
  }
  auto read_address = [&](std::size_t at) {
    net::IpAddress ip;
    ip.family = family == 1 ? net::AddressFamily::ipv4 : net::AddressFamily::ipv6;
    for (std::size_t i = 0; i < address_size; ++i) ip.bytes[i] = payload[at + i];
    return ip;
  };
  auto read_port = [&](std::size_t at) { return static_cast<std::uint16_t>(payload[at] << 8 | payload[at + 1]); };
  out.header.source = {read_address(0), read_port(2 * address_size)};
  out.header.destination = {read_address(address_size), read_port(2 * address_size + 2)};
  return out;  // TLVs after the addresses are skipped
}

}  // namespace detail

// Looks for a PROXY v1 or v2 header at the start of `bytes` (everything read so
// far). Malformed headers are Errors; the connection should then be closed.
inline Result<ProxyHeaderParse> parse_proxy_header(std::span<const std::uint8_t> bytes) {
  static constexpr std::array<std::uint8_t, 6> kV1 = {'P', 'R', 'O', 'X', 'Y', ' '};
  if (bytes.empty()) return ProxyHeaderParse{ProxyHeaderStatus::incomplete, {}};
  if (detail::is_prefix_of(bytes, kProxyV2Signature)) {
    if (bytes.size() < kProxyV2Signature.size()) return ProxyHeaderParse{ProxyHeaderStatus::incomplete, {}};
    return detail::parse_proxy_v2(bytes);
  }
  if (detail::is_prefix_of(bytes, kV1)) {
    if (bytes.size() < kV1.size()) return ProxyHeaderParse{ProxyHeaderStatus::incomplete, {}};
    return detail::parse_proxy_v1(bytes);
  }
  return ProxyHeaderParse{ProxyHeaderStatus::absent, {}};
}

// Appends a PROXY v2 header (command PROXY, TCP) for a connection from
// `source` to `destination`. Mixed families are sent as IPv6 (IPv4-mapped).
inline void write_proxy_v2(std::vector<std::uint8_t>& out, const net::Endpoint& source, const net::Endpoint& destination) {
  net::IpAddress src = source.address.unmapped(), dst = destination.address.unmapped();
  if (!src.is_v4() || !dst.is_v4()) {
    src = src.v4_mapped();
    dst = dst.v4_mapped();
  }
  const bool v4 = src.is_v4();
  const std::size_t n = v4 ? 4 : 16;
  out.insert(out.end(), kProxyV2Signature.begin(), kProxyV2Signature.end());
  out.push_back(0x21);              // version 2, PROXY
  out.push_back(v4 ? 0x11 : 0x21);  // TCP over IPv4 / IPv6
  const std::size_t length = 2 * n + 4;
  out.push_back(static_cast<std::uint8_t>(length >> 8));
  out.push_back(static_cast<std::uint8_t>(length & 0xff));
  out.insert(out.end(), src.bytes.begin(), src.bytes.begin() + static_cast<std::ptrdiff_t>(n));
  out.insert(out.end(), dst.bytes.begin(), dst.bytes.begin() + static_cast<std::ptrdiff_t>(n));
  for (std::uint16_t port : {source.port, destination.port}) {
    out.push_back(static_cast<std::uint8_t>(port >> 8));
    out.push_back(static_cast<std::uint8_t>(port & 0xff));
  }
}

}  // namespace rustguard::protocol
