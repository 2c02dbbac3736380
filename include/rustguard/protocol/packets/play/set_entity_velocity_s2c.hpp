#pragma once
// Set Entity Motion: the velocity the server gives an entity (knockback, launch
// pads, explosions). For the player's own entity it is the motion the client
// must take, so the movement checks expect it.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/packets/play/wire_units_s2c.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/reader.hpp"
#include "rustguard/protocol/types.hpp"

namespace rustguard::protocol::packets {

struct SetEntityVelocityS2c {
  static constexpr PacketKind kind = PacketKind::set_entity_velocity_s2c;

  std::int32_t entity_id = 0;
  Vec3 velocity;  // blocks/tick (wire: shorts in 1/8000 before 1.21.9, packed lpVec3 after)

  static Result<SetEntityVelocityS2c> decode(std::span<const std::uint8_t> body, std::int32_t protocol) noexcept {
    Reader r{body};
    SetEntityVelocityS2c p;
    p.entity_id = r.varint();
    p.velocity = detail::read_entity_velocity(r, protocol >= v::v1_21_9);
    if (auto res = r.finish("Set Entity Velocity"); !res) return res.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
