#pragma once
// An IPv4 or IPv6 address as bytes, its parser and its one text form (dotted
// quad, or RFC 5952 IPv6). Used by the PROXY protocol header, the proxy's
// peers and rate limiter, and the replay tool's packet headers and flow keys.

#include <array>
#include <charconv>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rustguard::net {

enum class AddressFamily : std::uint8_t { unspecified, ipv4, ipv6 };

// IPv4 uses the first four bytes and leaves the other twelve zero, so equal
// addresses compare and hash equal byte for byte (the replay's flow table
// relies on it). Members are ordered bytes first so that the defaulted
// ordering sorts by address, then family.
struct IpAddress {
  std::array<std::uint8_t, 16> bytes{};
  AddressFamily family = AddressFamily::unspecified;

  static IpAddress v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) noexcept {
    IpAddress ip;
    ip.family = AddressFamily::ipv4;
    ip.bytes[0] = a;
    ip.bytes[1] = b;
    ip.bytes[2] = c;
    ip.bytes[3] = d;
    return ip;
  }
  static IpAddress v6(const std::array<std::uint8_t, 16>& b) noexcept {
    IpAddress ip;
    ip.family = AddressFamily::ipv6;
    ip.bytes = b;
    return ip;
  }

  bool is_v4() const noexcept { return family == AddressFamily::ipv4; }
  bool is_v6() const noexcept { return family == AddressFamily::ipv6; }
  // Bytes that hold the address: 4, 16, or 0 when unspecified.
  std::size_t size() const noexcept { return is_v4() ? 4 : is_v6() ? 16 : 0; }

  // ::ffff:a.b.c.d, the IPv4-mapped IPv6 form.
  bool is_v4_mapped() const noexcept {
    if (!is_v6()) return false;
    for (std::size_t i = 0; i < 10; ++i) {
      if (bytes[i] != 0) return false;
    }
    return bytes[10] == 0xff && bytes[11] == 0xff;
  }
  // ::ffff:a.b.c.d as the IPv4 address it carries (dual-stack sockets report
  // these); any other address unchanged.
  IpAddress unmapped() const noexcept {
    return is_v4_mapped() ? v4(bytes[12], bytes[13], bytes[14], bytes[15]) : *this;
  }
  // An IPv4 address as ::ffff:a.b.c.d; any other address unchanged.
  IpAddress v4_mapped() const noexcept {
    if (!is_v4()) return *this;
    IpAddress mapped;
    mapped.family = AddressFamily::ipv6;
    mapped.bytes[10] = 0xff;
    mapped.bytes[11] = 0xff;
    for (std::size_t i = 0; i < 4; ++i) mapped.bytes[12 + i] = bytes[i];
    return mapped;
  }

  // "203.0.113.7"; IPv6 per RFC 5952: lower-case hex without leading zeros,
  // the longest run of two or more zero groups as "::" (the leftmost of equal
  // runs), a single zero group written "0", and IPv4-mapped addresses as
  // "::ffff:192.0.2.1". "unspecified" for a default-constructed address.
  std::string to_string() const {
    if (is_v4()) return dotted_quad(0);
    if (!is_v6()) return "unspecified";
    if (is_v4_mapped()) return "::ffff:" + dotted_quad(12);
    std::array<unsigned, 8> g{};
    for (std::size_t i = 0; i < 8; ++i) g[i] = unsigned{bytes[2 * i]} << 8 | bytes[2 * i + 1];
    std::size_t best = 8, best_len = 1;  // a run must be longer than one group
    for (std::size_t i = 0; i < 8;) {
      std::size_t j = i;
      while (j < 8 && g[j] == 0) ++j;
      if (j - i > best_len) best = i, best_len = j - i;
      i = j == i ? i + 1 : j;
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < 8; ++i) {
      if (i == best) {
        out += "::";
        i += best_len - 1;
        continue;
      }
      if (!out.empty() && out.back() != ':') out += ':';
      bool started = false;
      for (int shift = 12; shift >= 0; shift -= 4) {
        const unsigned nibble = (g[i] >> shift) & 0xf;
        if (nibble != 0 || started || shift == 0) {
          out += kHex[nibble];
          started = true;
        }
      }
    }
    return out;
  }

  friend auto operator<=>(const IpAddress&, const IpAddress&) = default;

 private:
  std::string dotted_quad(std::size_t at) const {
    return std::to_string(bytes[at]) + "." + std::to_string(bytes[at + 1]) + "." + std::to_string(bytes[at + 2]) + "." +
           std::to_string(bytes[at + 3]);
  }
};

namespace detail {

inline std::optional<IpAddress> parse_ipv4(std::string_view s) {
  IpAddress ip;
  ip.family = AddressFamily::ipv4;
  for (std::size_t part = 0; part < 4; ++part) {
    if (part > 0) {
      if (s.empty() || s.front() != '.') return std::nullopt;
      s.remove_prefix(1);
    }
    std::size_t digits = 0;
    while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
    if (digits == 0 || digits > 3 || (digits > 1 && s[0] == '0')) return std::nullopt;
    unsigned v = 0;
    std::from_chars(s.data(), s.data() + digits, v);
    if (v > 255) return std::nullopt;
    ip.bytes[part] = static_cast<std::uint8_t>(v);
    s.remove_prefix(digits);
  }
  if (!s.empty()) return std::nullopt;
  return ip;
}

inline int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

inline std::optional<IpAddress> parse_ipv6(std::string_view s) {
  // Groups before and after "::", each up to 8; an embedded IPv4 tail counts as two.
  std::array<std::uint16_t, 8> head{}, tail{};
  int n_head = 0, n_tail = 0;
  bool compressed = false;
  if (s.size() >= 2 && s.substr(0, 2) == "::") {
    compressed = true;
    s.remove_prefix(2);
  } else if (!s.empty() && s.front() == ':') {
    return std::nullopt;
  }
  while (!s.empty()) {
    auto& groups = compressed ? tail : head;
    int& n = compressed ? n_tail : n_head;
    const auto end = s.find(':');
    const std::string_view group = s.substr(0, end);
    if (group.find('.') != std::string_view::npos) {
      if (end != std::string_view::npos || n > 6) return std::nullopt;
      auto v4 = parse_ipv4(group);
      if (!v4) return std::nullopt;
      groups[n++] = static_cast<std::uint16_t>(v4->bytes[0] << 8 | v4->bytes[1]);
      groups[n++] = static_cast<std::uint16_t>(v4->bytes[2] << 8 | v4->bytes[3]);
      s = {};
      break;
    }
    if (group.empty() || group.size() > 4 || n >= 8) return std::nullopt;
    unsigned v = 0;
    for (char c : group) {
      const int h = hex_value(c);
      if (h < 0) return std::nullopt;
      v = v << 4 | static_cast<unsigned>(h);
    }
    groups[n++] = static_cast<std::uint16_t>(v);
    if (end == std::string_view::npos) {
      s = {};
      break;
    }
    s.remove_prefix(end + 1);
    if (!s.empty() && s.front() == ':') {
      if (compressed) return std::nullopt;
      compressed = true;
      s.remove_prefix(1);
    } else if (s.empty()) {
      return std::nullopt;  // a trailing single ':'
    }
  }
  if (compressed ? n_head + n_tail > 7 : n_head != 8) return std::nullopt;
  std::array<std::uint16_t, 8> all{};
  for (int i = 0; i < n_head; ++i) all[i] = head[i];
  for (int i = 0; i < n_tail; ++i) all[8 - n_tail + i] = tail[i];
  IpAddress ip;
  ip.family = AddressFamily::ipv6;
  for (std::size_t i = 0; i < 8; ++i) {
    ip.bytes[2 * i] = static_cast<std::uint8_t>(all[i] >> 8);
    ip.bytes[2 * i + 1] = static_cast<std::uint8_t>(all[i] & 0xff);
  }
  return ip;
}

}  // namespace detail

// "203.0.113.7", "2001:db8::1", "::ffff:10.0.0.1". Nothing else (no zone ids,
// no brackets, no ports). Accepts every form to_string() writes.
inline std::optional<IpAddress> parse_ip_address(std::string_view s) {
  if (s.find(':') != std::string_view::npos) return detail::parse_ipv6(s);
  return detail::parse_ipv4(s);
}

}  // namespace rustguard::net
