#pragma once
// Teleport Entity: a tracked entity's absolute position. 1.8 sends fixed
// point ints (1/32 block) and byte angles; 1.9 doubles; 1.21.2 adds the
// entity's velocity, float angles and relative flags (the old meaning moved
// to Entity Position Sync).

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/packets/play/relative_flags_s2c.hpp"
#include "rustguard/protocol/packets/play/wire_units_s2c.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/reader.hpp"
#include "rustguard/protocol/types.hpp"

namespace rustguard::protocol::packets {

struct EntityTeleportS2c {
  static constexpr PacketKind kind = PacketKind::entity_teleport_s2c;

  std::int32_t entity_id = 0;
  Vec3 position;    // blocks
  Vec3 velocity;    // blocks/tick, 1.21.2+
  float yaw = 0;    // degrees
  float pitch = 0;  // degrees
  RelativeFlags relative;  // 1.21.2+
  bool on_ground = false;

  static Result<EntityTeleportS2c> decode(std::span<const std::uint8_t> body, std::int32_t protocol) noexcept {
    Reader r{body};
    EntityTeleportS2c p;
    p.entity_id = r.varint();
    p.position = detail::read_entity_position(r, protocol);
    if (protocol >= v::v1_21_2) {
      p.velocity = {r.f64(), r.f64(), r.f64()};
      p.yaw = r.f32();
      p.pitch = r.f32();
      p.relative = RelativeFlags::from_bits(static_cast<std::uint32_t>(r.i32()));
    } else {
      p.yaw = r.angle();
      p.pitch = r.angle();
    }
    p.on_ground = r.boolean();
    if (auto res = r.finish("Teleport Entity"); !res) return res.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
