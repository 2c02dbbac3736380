#pragma once
// Intention (serverbound handshake, "set_protocol"): the first packet of every
// connection. It names the client's protocol version, which decides how every
// later packet is read, and whether the client wants status, login or (1.20.5+)
// a transfer login.
//
// BungeeCord's legacy IP forwarding and Forge put NUL-separated data after the
// host in the address field ("host\0ip\0uuid\0properties", "host\0FML2\0").
// The raw field is kept; host() is the part before the first NUL.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

enum class Intent : std::uint8_t { status = 1, login = 2, transfer = 3 };

struct IntentionC2s {
  static constexpr PacketKind kind = PacketKind::intention_c2s;
  // The game's limit on the host name.
  static constexpr std::int32_t kMaxHostChars = 255;
  // With forwarded data after a NUL the field may be longer (BungeeCord puts
  // the player's skin properties there); capped as any String.
  static constexpr std::int32_t kMaxAddressChars = 32767;

  std::int32_t protocol_version = 0;
  std::string server_address;  // raw, including any NUL-separated data
  std::uint16_t server_port = 0;
  Intent intent = Intent::status;

  // The host the client connected to: the address up to the first NUL.
  std::string_view host() const noexcept {
    const std::string_view a = server_address;
    return a.substr(0, a.find('\0'));
  }
  // What follows the first NUL (forwarding or mod-loader data); empty if none.
  std::string_view forwarded_data() const noexcept {
    const std::string_view a = server_address;
    const auto nul = a.find('\0');
    return nul == std::string_view::npos ? std::string_view{} : a.substr(nul + 1);
  }

  // `protocol` is unused: the handshake's layout never changed, and the
  // version it carries is what the rest of the connection uses.
  static Result<IntentionC2s> decode(std::span<const std::uint8_t> body,
                                     std::int32_t /*protocol*/) {
    Reader r{body};
    IntentionC2s p;
    p.protocol_version = r.varint();
    p.server_address = r.string(kMaxAddressChars);
    p.server_port = r.u16();
    const std::int32_t intent = r.varint();
    if (auto done = r.finish("Intention"); !done) return done.error();
    if (const auto units = utf16_length(p.host()); units > kMaxHostChars) {
      return make_error(Errc::string_too_long, "Intention host", units, kMaxHostChars);
    }
    // Transfer logins exist from 1.20.5; an older client cannot ask for one.
    const std::int32_t max_intent = p.protocol_version >= v::v1_20_5 ? 3 : 2;
    if (intent < 1 || intent > max_intent) {
      return make_error(Errc::invalid_handshake, "Intention intent", intent, max_intent);
    }
    p.intent = static_cast<Intent>(intent);
    return p;
  }

 private:
  static std::int64_t utf16_length(std::string_view s) noexcept {
    std::int64_t units = 0;
    for (unsigned char c : s) {
      if ((c & 0xC0) != 0x80) units += c >= 0xF0 ? 2 : 1;
    }
    return units;
  }
};

}  // namespace rustguard::protocol::packets
