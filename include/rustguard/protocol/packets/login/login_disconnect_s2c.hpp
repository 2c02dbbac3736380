#pragma once
// Login Disconnect (clientbound, login "disconnect"): the reason the server
// refused the login, a JSON text component in every version. The proxy also
// writes it itself to refuse a player, so it has encode() and a builder from
// plain text. Also holds the plain-text -> JSON component conversion the
// other disconnect packets share.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/reader.hpp"
#include "rustguard/protocol/writer.hpp"

namespace rustguard::protocol::packets {

namespace detail {

// {"text":"..."} with the text escaped as JSON requires (quote, backslash and
// control characters; everything else, including non-ASCII, verbatim).
inline std::string json_text_component(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = R"({"text":")";
  out.reserve(out.size() + text.size() + 2);
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else {
          out += ch;
        }
    }
  }
  out += "\"}";
  return out;
}

}  // namespace detail

struct LoginDisconnectS2c {
  static constexpr PacketKind kind = PacketKind::login_disconnect_s2c;
  static constexpr std::int32_t kMaxReasonChars = 262144;

  std::string reason_json;

  static LoginDisconnectS2c from_plain_text(std::string_view text) {
    return LoginDisconnectS2c{detail::json_text_component(text)};
  }

  static Result<LoginDisconnectS2c> decode(std::span<const std::uint8_t> body,
                                           std::int32_t /*protocol*/) {
    Reader r{body};
    LoginDisconnectS2c p;
    p.reason_json = r.string(kMaxReasonChars);
    if (auto done = r.finish("Login Disconnect"); !done) return done.error();
    return p;
  }

  void encode(std::vector<std::uint8_t>& body, std::int32_t /*protocol*/) const {
    Writer{body}.string(reason_json);
  }
};

}  // namespace rustguard::protocol::packets
