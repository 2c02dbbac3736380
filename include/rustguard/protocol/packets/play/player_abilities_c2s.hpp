#pragma once
// Player Abilities (serverbound, "abilities"): the client started or stopped
// flying. Only the flying bit means anything from the client; before 1.16 the
// packet also echoes the other ability bits and both speeds.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct PlayerAbilitiesC2s {
  static constexpr PacketKind kind = PacketKind::player_abilities_c2s;
  static constexpr std::uint8_t kFlyingBit = 0x02;

  std::uint8_t flags = 0;  // raw bits: 0x01 invulnerable, 0x02 flying, 0x04 may fly, 0x08 creative
  bool flying = false;
  // Echoed before 1.16 (blocks/tick-ish game units); 0 from 1.16.
  float flying_speed = 0;
  float walking_speed = 0;

  static Result<PlayerAbilitiesC2s> decode(std::span<const std::uint8_t> body,
                                           std::int32_t protocol) noexcept {
    Reader r{body};
    PlayerAbilitiesC2s p;
    p.flags = r.u8();
    p.flying = (p.flags & kFlyingBit) != 0;
    if (protocol < v::v1_16) {
      p.flying_speed = r.f32();
      p.walking_speed = r.f32();
    }
    if (auto done = r.finish("Player Abilities"); !done) return done.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
