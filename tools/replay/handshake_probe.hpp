#pragma once
// Decides whether the first bytes of one side of a TCP flow are a Minecraft
// handshake (Intention): that is how the replay tool finds game connections
// on any port, and which side is the client (the one that sent it). Only a
// complete, well-formed Intention frame counts; a legacy (pre-1.7) ping, a
// TLS hello or an HTTP request does not.

#include <cstdint>
#include <span>

#include "rustguard/protocol/packets/handshake/intention_c2s.hpp"
#include "rustguard/protocol/varint.hpp"

namespace rustguard::replay {

enum class HandshakeProbe : std::uint8_t {
  handshake,      // a complete Intention frame starts the bytes
  need_more,      // could still be one: wait for more bytes
  not_handshake,  // cannot be one
};

// The longest Intention frame: a 32767-character address (BungeeCord puts
// forwarded data there) in UTF-8, plus the numbers around it.
inline constexpr std::size_t kMaxHandshakeFrameBytes = 32767 * 3 + 3 + 5 + 5 + 2 + 5 + 1;

inline HandshakeProbe probe_handshake(std::span<const std::uint8_t> bytes) {
  const auto length = protocol::read_varint_prefix(bytes);
  if (length.status == protocol::VarIntStatus::incomplete) return HandshakeProbe::need_more;
  if (length.status != protocol::VarIntStatus::ok || length.value <= 0 ||
      static_cast<std::size_t>(length.value) > kMaxHandshakeFrameBytes) {
    return HandshakeProbe::not_handshake;
  }
  // The packet id comes first; anything but 0 rules it out before the frame is complete.
  const auto after_length = bytes.subspan(length.size);
  if (!after_length.empty() && after_length.front() != 0x00) return HandshakeProbe::not_handshake;
  if (after_length.size() < static_cast<std::size_t>(length.value)) return HandshakeProbe::need_more;
  const auto body = after_length.subspan(1, static_cast<std::size_t>(length.value) - 1);
  return protocol::packets::IntentionC2s::decode(body, 0) ? HandshakeProbe::handshake : HandshakeProbe::not_handshake;
}

}  // namespace rustguard::replay
