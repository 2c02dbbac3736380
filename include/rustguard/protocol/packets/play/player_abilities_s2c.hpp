#pragma once
// Player Abilities (clientbound): whether the player may fly / is flying, is
// invulnerable or in instant-build mode, and its flying and walking speeds.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct PlayerAbilitiesS2c {
  static constexpr PacketKind kind = PacketKind::player_abilities_s2c;

  bool invulnerable = false;  // flag 0x01
  bool flying = false;        // flag 0x02
  bool may_fly = false;       // flag 0x04
  bool instabuild = false;    // flag 0x08: creative instant break
  float fly_speed = 0;        // blocks/tick factor (0.05 default)
  float walk_speed = 0;       // the field-of-view modifier (0.1 default)

  static Result<PlayerAbilitiesS2c> decode(std::span<const std::uint8_t> body, std::int32_t /*protocol*/) noexcept {
    Reader r{body};
    PlayerAbilitiesS2c p;
    const std::uint8_t flags = r.u8();
    p.invulnerable = (flags & 0x01) != 0;
    p.flying = (flags & 0x02) != 0;
    p.may_fly = (flags & 0x04) != 0;
    p.instabuild = (flags & 0x08) != 0;
    p.fly_speed = r.f32();
    p.walk_speed = r.f32();
    if (auto res = r.finish("Player Abilities"); !res) return res.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
