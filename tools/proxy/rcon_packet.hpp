#pragma once
// One RCON packet (Minecraft's RCON is Source RCON): encode and decode, no I/O.
//
//   int32 length   (little-endian, unlike the game protocol; the bytes after it)
//   int32 id       (chosen by the client, echoed in the replies; -1 = not authenticated)
//   int32 type     (3 login, 2 command, 0 response; a login's answer is type 2)
//   body, NUL      (ASCII; servers may send UTF-8 or § colour codes: kept as bytes)
//   NUL            (an empty pad string)
//
// So a packet with an empty body has length 10. The server sends at most
// 4096 body bytes per packet (length 4106) and splits longer replies; it
// takes at most 1446 body bytes from a client (one 1460-byte read).

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rustguard::proxy::rcon {

inline constexpr std::int32_t kTypeResponse = 0;
inline constexpr std::int32_t kTypeCommand = 2;
inline constexpr std::int32_t kTypeAuthResponse = 2;
inline constexpr std::int32_t kTypeLogin = 3;
// The id of a reply to a packet sent without a successful login.
inline constexpr std::int32_t kAuthFailedId = -1;

inline constexpr std::size_t kHeaderSize = 4;  // the length field
// id + type + the body's NUL + the pad NUL.
inline constexpr std::int32_t kMinLength = 10;
// Vanilla's longest is 4096 body bytes (length 4106; "4110" in the protocol's
// notes counts the length field too); the 4 bytes more accepted cost nothing.
inline constexpr std::size_t kMaxServerBody = 4096;
inline constexpr std::int32_t kMaxServerLength = 4110;
inline constexpr std::size_t kMaxClientBody = 1446;
inline constexpr std::int32_t kMaxClientLength = kMinLength + static_cast<std::int32_t>(kMaxClientBody);

struct Packet {
  std::int32_t id = 0;
  std::int32_t type = 0;
  std::string body;
};

namespace detail {
inline void put_le32(std::vector<std::uint8_t>& out, std::int32_t value) {
  const auto u = static_cast<std::uint32_t>(value);
  for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<std::uint8_t>(u >> shift));
}
inline std::int32_t get_le32(std::span<const std::uint8_t> in) {
  std::uint32_t u = 0;
  for (std::size_t i = 0; i < 4; ++i) u |= static_cast<std::uint32_t>(in[i]) << (8 * i);
  return static_cast<std::int32_t>(u);
}
}  // namespace detail

// The whole packet, length field included. The caller keeps the body within
// the limit of the side it plays (kMaxClientBody for a client).
inline std::vector<std::uint8_t> encode(const Packet& packet) {
  std::vector<std::uint8_t> out;
  out.reserve(kHeaderSize + static_cast<std::size_t>(kMinLength) + packet.body.size());
  detail::put_le32(out, kMinLength + static_cast<std::int32_t>(packet.body.size()));
  detail::put_le32(out, packet.id);
  detail::put_le32(out, packet.type);
  out.insert(out.end(), packet.body.begin(), packet.body.end());
  out.push_back(0);
  out.push_back(0);
  return out;
}

// Why a text cannot be a client's packet body, or empty if it can: the
// server reads one packet per read of 1460 bytes, and a NUL would end the
// body early.
inline std::string client_body_error(std::string_view body) {
  if (body.size() > kMaxClientBody) {
    return "too long for RCON (" + std::to_string(body.size()) + " bytes, at most " +
           std::to_string(kMaxClientBody) + ")";
  }
  if (body.find('\0') != std::string_view::npos) return "contains a NUL byte";
  return {};
}

// The length field of a packet (its first 4 bytes).
inline std::int32_t decode_length(std::span<const std::uint8_t, kHeaderSize> header) {
  return detail::get_le32(header);
}

// Why a length field is out of bounds, or empty if it is within
// kMinLength..max_length (kMaxServerLength for what a server sends).
inline std::string length_error(std::int32_t length, std::int32_t max_length) {
  if (length < kMinLength) {
    return "RCON packet length " + std::to_string(length) + " below the minimum of " + std::to_string(kMinLength);
  }
  if (length > max_length) {
    return "RCON packet length " + std::to_string(length) + " above the maximum of " + std::to_string(max_length);
  }
  return {};
}

struct Decoded {
  Packet packet;
  std::string error;  // empty when packet is valid
  bool ok() const noexcept { return error.empty(); }
};

// The `length` bytes that follow the length field (id, type, body, NUL, NUL).
inline Decoded decode(std::span<const std::uint8_t> rest) {
  Decoded d;
  if (rest.size() < static_cast<std::size_t>(kMinLength)) {
    d.error = "RCON packet of " + std::to_string(rest.size()) + " bytes is shorter than " +
              std::to_string(kMinLength);
    return d;
  }
  if (rest[rest.size() - 2] != 0 || rest[rest.size() - 1] != 0) {
    d.error = "RCON packet body is not followed by two NUL bytes";
    return d;
  }
  d.packet.id = detail::get_le32(rest.first(4));
  d.packet.type = detail::get_le32(rest.subspan(4, 4));
  const auto body = rest.subspan(8, rest.size() - 10);
  // The body is a NUL-terminated string: it ends at its first NUL (a Source
  // server's second answer to an empty response carries binary after one).
  d.packet.body.assign(body.begin(), std::find(body.begin(), body.end(), std::uint8_t{0}));
  return d;
}

}  // namespace rustguard::proxy::rcon
