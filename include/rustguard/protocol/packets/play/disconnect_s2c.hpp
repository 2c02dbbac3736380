#pragma once
// Disconnect (play, kick_disconnect): the reason is a chat component, as a
// JSON string before 1.20.3 and as network NBT from 1.20.3. RustGuard keeps
// the reason's bytes as sent (it only logs them) and writes its own kick
// messages from plain text with from_plain_text().encode().

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/packets/play/nbt_skip_s2c.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/reader.hpp"
#include "rustguard/protocol/writer.hpp"

namespace rustguard::protocol::packets {

namespace detail {

// {"text":"..."} with the escapes JSON.stringify (and the game's Gson) accept:
// quote, backslash, the short control escapes and \u00XX for the rest.
inline void append_json_text_component(std::vector<std::uint8_t>& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  constexpr std::string_view open = "{\"text\":\"";
  out.reserve(out.size() + open.size() + text.size() + 2);
  // push_back rather than insert: g++ 12 at -O3 mistakes inserting a literal
  // range into an empty vector for an overflow (-Wstringop-overflow).
  for (const char c : open) out.push_back(static_cast<std::uint8_t>(c));
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out.push_back('\\'); out.push_back('"'); break;
      case '\\': out.push_back('\\'); out.push_back('\\'); break;
      case '\b': out.push_back('\\'); out.push_back('b'); break;
      case '\f': out.push_back('\\'); out.push_back('f'); break;
      case '\n': out.push_back('\\'); out.push_back('n'); break;
      case '\r': out.push_back('\\'); out.push_back('r'); break;
      case '\t': out.push_back('\\'); out.push_back('t'); break;
      default:
        if (c < 0x20) {
          const std::uint8_t esc[] = {'\\', 'u', '0', '0', static_cast<std::uint8_t>(kHex[c >> 4]),
                                      static_cast<std::uint8_t>(kHex[c & 0xF])};
          out.insert(out.end(), std::begin(esc), std::end(esc));
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
  out.push_back('}');
}

// Java's "modified UTF-8" (NBT strings): U+0000 as C0 80 and characters above
// U+FFFF as two 3-byte surrogates. Input is UTF-8; the result is capped at the
// u16 length NBT allows, cut at a character boundary.
inline std::vector<std::uint8_t> to_modified_utf8(std::string_view text) {
  std::vector<std::uint8_t> out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t n = 1;
    if (c >= 0xF0) n = 4;
    else if (c >= 0xE0) n = 3;
    else if (c >= 0xC0) n = 2;
    if (i + n > text.size()) n = 1;  // a truncated sequence: copied as is
    std::uint8_t piece[6];
    std::size_t len = 0;
    if (c == 0) {
      piece[0] = 0xC0;
      piece[1] = 0x80;
      len = 2;
    } else if (n == 4) {
      const std::uint32_t cp = ((c & 0x07u) << 18) | ((static_cast<unsigned char>(text[i + 1]) & 0x3Fu) << 12) |
                               ((static_cast<unsigned char>(text[i + 2]) & 0x3Fu) << 6) |
                               (static_cast<unsigned char>(text[i + 3]) & 0x3Fu);
      const std::uint32_t v = cp - 0x10000;
      const std::uint32_t surrogates[2] = {0xD800 + ((v >> 10) & 0x3FF), 0xDC00 + (v & 0x3FF)};
      for (const std::uint32_t s : surrogates) {
        piece[len++] = static_cast<std::uint8_t>(0xE0 | (s >> 12));
        piece[len++] = static_cast<std::uint8_t>(0x80 | ((s >> 6) & 0x3F));
        piece[len++] = static_cast<std::uint8_t>(0x80 | (s & 0x3F));
      }
    } else {
      for (std::size_t k = 0; k < n; ++k) piece[len++] = static_cast<std::uint8_t>(text[i + k]);
    }
    if (out.size() + len > 0xFFFF) break;
    out.insert(out.end(), piece, piece + len);
    i += n;
  }
  return out;
}

}  // namespace detail

struct DisconnectS2c {
  static constexpr PacketKind kind = PacketKind::disconnect_s2c;

  // The game reads a JSON component of at most 262144 characters.
  static constexpr std::int32_t kMaxJsonChars = 262144;

  bool reason_is_nbt = false;         // 1.20.3+
  std::vector<std::uint8_t> reason;   // JSON text (UTF-8, no length prefix) or one NBT value

  static Result<DisconnectS2c> decode(std::span<const std::uint8_t> body, std::int32_t protocol) noexcept {
    Reader r{body};
    DisconnectS2c p;
    p.reason_is_nbt = protocol >= v::v1_20_3;
    if (p.reason_is_nbt) {
      const auto before = r.rest();
      detail::skip_nbt(r, false);
      if (r.ok()) p.reason.assign(before.begin(), before.end() - static_cast<std::ptrdiff_t>(r.remaining()));
    } else {
      const std::string_view json = r.string_view(kMaxJsonChars);
      p.reason.assign(json.begin(), json.end());
    }
    if (auto res = r.finish("Disconnect"); !res) return res.error();
    return p;
  }

  // A kick message showing `text` (UTF-8) in the form the version expects.
  static DisconnectS2c from_plain_text(std::string_view text, std::int32_t protocol) {
    DisconnectS2c p;
    p.reason_is_nbt = protocol >= v::v1_20_3;
    if (p.reason_is_nbt) {
      const auto utf = detail::to_modified_utf8(text);
      p.reason.push_back(8);  // TAG_String as the root: a plain text component
      p.reason.push_back(static_cast<std::uint8_t>(utf.size() >> 8));
      p.reason.push_back(static_cast<std::uint8_t>(utf.size() & 0xFF));
      p.reason.insert(p.reason.end(), utf.begin(), utf.end());
    } else {
      detail::append_json_text_component(p.reason, text);
    }
    return p;
  }

  void encode(std::vector<std::uint8_t>& body, std::int32_t /*protocol*/) const {
    Writer w{body};
    if (reason_is_nbt) {
      w.bytes(reason);
    } else {
      w.varint(static_cast<std::int32_t>(reason.size())).bytes(reason);
    }
  }
};

}  // namespace rustguard::protocol::packets
