#pragma once
// Chat Command (serverbound, "chat_command", 1.19+): a command the player
// typed, without the leading '/'. The 1.19-1.20.4 argument signatures and
// last-seen parts are skipped.

#include <cstdint>
#include <span>
#include <string>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/packets/play/chat_message_c2s.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct ChatCommandC2s {
  static constexpr PacketKind kind = PacketKind::chat_command_c2s;
  static constexpr std::int32_t kMaxArgumentSignatures = 8;
  static constexpr std::int32_t kMaxArgumentNameChars = 16;

  std::string command;

  // 256 characters while commands were signed; a plain String from 1.20.5.
  static constexpr std::int32_t max_chars(std::int32_t protocol) noexcept {
    return protocol < v::v1_20_5 ? 256 : 32767;
  }

  static Result<ChatCommandC2s> decode(std::span<const std::uint8_t> body,
                                       std::int32_t protocol) {
    Reader r{body};
    ChatCommandC2s p;
    p.command = r.string(max_chars(protocol));
    if (protocol < v::v1_20_5) {
      r.skip(16, "timestamp and salt");
      const std::int32_t args = r.length(kMaxArgumentSignatures, "argument signatures");
      for (std::int32_t i = 0; i < args && r.ok(); ++i) {
        r.string_view(kMaxArgumentNameChars);
        if (protocol < v::v1_19_3) {
          detail::skip_byte_array(r, "argument signature");
        } else {
          r.skip(detail::kSignatureBytes1_19_3, "argument signature");
        }
      }
      if (protocol < v::v1_19_3) {
        r.skip(1, "signed preview");
        if (protocol >= v::v1_19_1) detail::skip_last_seen_1_19_1(r);
      } else {
        r.varint();  // last-seen message count
        r.skip(detail::kAcknowledgedBitsetBytes, "acknowledged");
      }
    }
    if (auto done = r.finish("Chat Command"); !done) return done.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
