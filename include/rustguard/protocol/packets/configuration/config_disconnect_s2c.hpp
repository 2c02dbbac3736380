#pragma once
// Disconnect (clientbound, configuration, 1.20.2+): the reason the server
// ended the connection, a JSON text component (a String) in 1.20.2 and an NBT
// text component from 1.20.3. The reason is kept as raw bytes either way. The
// proxy also writes it to refuse a player, so it has encode() and a builder
// from plain text for every version.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/packets/login/login_disconnect_s2c.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/reader.hpp"
#include "rustguard/protocol/writer.hpp"

namespace rustguard::protocol::packets {

namespace detail {

inline constexpr std::uint8_t kNbtStringTag = 8;

// Next code point of UTF-8 text; malformed sequences read as U+FFFD.
inline char32_t next_code_point(std::string_view s, std::size_t& i) noexcept {
  const auto b0 = static_cast<unsigned char>(s[i++]);
  if (b0 < 0x80) return b0;
  int extra = 0;
  char32_t cp = 0;
  if ((b0 & 0xE0) == 0xC0) { extra = 1; cp = b0 & 0x1F; }
  else if ((b0 & 0xF0) == 0xE0) { extra = 2; cp = b0 & 0x0F; }
  else if ((b0 & 0xF8) == 0xF0) { extra = 3; cp = b0 & 0x07; }
  else return 0xFFFD;
  for (int k = 0; k < extra; ++k) {
    if (i >= s.size() || (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) return 0xFFFD;
    cp = (cp << 6) | (static_cast<unsigned char>(s[i++]) & 0x3F);
  }
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0xFFFD;
  return cp;
}

// One UTF-16 unit in Java's "modified UTF-8" (NUL as two bytes).
inline void append_modified_utf8_unit(std::vector<std::uint8_t>& out, char32_t u) {
  if (u != 0 && u < 0x80) {
    out.push_back(static_cast<std::uint8_t>(u));
  } else if (u < 0x800) {
    out.push_back(static_cast<std::uint8_t>(0xC0 | (u >> 6)));
    out.push_back(static_cast<std::uint8_t>(0x80 | (u & 0x3F)));
  } else {
    out.push_back(static_cast<std::uint8_t>(0xE0 | (u >> 12)));
    out.push_back(static_cast<std::uint8_t>(0x80 | ((u >> 6) & 0x3F)));
    out.push_back(static_cast<std::uint8_t>(0x80 | (u & 0x3F)));
  }
}

// A nameless root TAG_String holding `text`: the game reads a bare string as
// a plain text component. NBT strings hold at most 65535 bytes; longer text
// is cut at a character boundary.
inline std::vector<std::uint8_t> nbt_string_component(std::string_view text) {
  std::vector<std::uint8_t> payload;
  std::vector<std::uint8_t> unit;
  for (std::size_t i = 0; i < text.size();) {
    const char32_t cp = next_code_point(text, i);
    unit.clear();
    if (cp >= 0x10000) {
      append_modified_utf8_unit(unit, 0xD800 + ((cp - 0x10000) >> 10));
      append_modified_utf8_unit(unit, 0xDC00 + ((cp - 0x10000) & 0x3FF));
    } else {
      append_modified_utf8_unit(unit, cp);
    }
    if (payload.size() + unit.size() > 0xFFFF) break;
    payload.insert(payload.end(), unit.begin(), unit.end());
  }
  std::vector<std::uint8_t> out;
  out.reserve(payload.size() + 3);
  Writer w{out};
  w.u8(kNbtStringTag).u16(static_cast<std::uint16_t>(payload.size())).bytes(payload);
  return out;
}

}  // namespace detail

struct ConfigDisconnectS2c {
  static constexpr PacketKind kind = PacketKind::config_disconnect_s2c;
  static constexpr std::int32_t kMaxReasonChars = 262144;

  // The JSON text before 1.20.3 (without its length prefix), the NBT value
  // from 1.20.3 (not parsed: RustGuard only relays or logs it).
  std::vector<std::uint8_t> reason;
  bool reason_is_nbt = false;

  // The reason's text when it is a bare NBT string (as from_plain_text()
  // writes it); in modified UTF-8, which equals UTF-8 for text without NUL
  // and characters beyond U+FFFF.
  std::optional<std::string_view> nbt_plain_text() const noexcept {
    if (!reason_is_nbt || reason.size() < 3 || reason[0] != detail::kNbtStringTag) return std::nullopt;
    const std::size_t n = (std::size_t{reason[1]} << 8) | reason[2];
    if (reason.size() != n + 3) return std::nullopt;
    return std::string_view{reinterpret_cast<const char*>(reason.data()) + 3, n};
  }

  static ConfigDisconnectS2c from_plain_text(std::string_view text, std::int32_t protocol) {
    ConfigDisconnectS2c p;
    p.reason_is_nbt = protocol >= v::v1_20_3;
    if (p.reason_is_nbt) {
      p.reason = detail::nbt_string_component(text);
    } else {
      const std::string json = detail::json_text_component(text);
      p.reason.assign(json.begin(), json.end());
    }
    return p;
  }

  static Result<ConfigDisconnectS2c> decode(std::span<const std::uint8_t> body,
                                            std::int32_t protocol) {
    Reader r{body};
    ConfigDisconnectS2c p;
    p.reason_is_nbt = protocol >= v::v1_20_3;
    std::span<const std::uint8_t> raw;
    if (p.reason_is_nbt) {
      raw = r.take_rest();  // one NBT text component, not parsed
      if (r.ok() && raw.empty()) return make_error(Errc::truncated, "Disconnect reason NBT");
    } else {
      const std::string_view json = r.string_view(kMaxReasonChars);
      raw = {reinterpret_cast<const std::uint8_t*>(json.data()), json.size()};
    }
    if (auto done = r.finish("Disconnect"); !done) return done.error();
    p.reason.assign(raw.begin(), raw.end());
    return p;
  }

  void encode(std::vector<std::uint8_t>& body, std::int32_t protocol) const {
    Writer w{body};
    if (protocol >= v::v1_20_3) {
      w.bytes(reason);
    } else {
      w.string(std::string_view{reinterpret_cast<const char*>(reason.data()), reason.size()});
    }
  }
};

}  // namespace rustguard::protocol::packets
