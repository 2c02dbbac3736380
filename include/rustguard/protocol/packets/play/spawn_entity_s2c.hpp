#pragma once
// Add Entity (spawn_entity): a non-living entity before 1.19, any entity from
// 1.19 (living entities and, from 1.20.2, players too). RustGuard tracks
// entity positions for reach and hitbox checks.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/packets/play/wire_units_s2c.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/reader.hpp"
#include "rustguard/protocol/types.hpp"

namespace rustguard::protocol::packets {

struct SpawnEntityS2c {
  static constexpr PacketKind kind = PacketKind::spawn_entity_s2c;

  std::int32_t entity_id = 0;
  Uuid uuid;               // 1.9+; zero in 1.8
  std::int32_t type = 0;   // entity (object) type id of this version
  Vec3 position;           // blocks (1.8: fixed point / 32)
  float pitch = 0;         // degrees
  float yaw = 0;           // degrees
  float head_yaw = 0;      // degrees, 1.19+; 0 before
  std::int32_t data = 0;   // type-specific (owner id, block state, direction...)
  Vec3 velocity;           // blocks/tick (1.8: only sent when data != 0)

  static Result<SpawnEntityS2c> decode(std::span<const std::uint8_t> body, std::int32_t protocol) noexcept {
    Reader r{body};
    SpawnEntityS2c p;
    p.entity_id = r.varint();
    if (protocol < v::v1_9) {
      p.type = r.i8();
      p.position = detail::read_fixed_point_position(r);
      p.pitch = r.angle();
      p.yaw = r.angle();
      p.data = r.i32();
      if (p.data != 0) p.velocity = detail::read_velocity_shorts(r);
    } else {
      p.uuid = r.uuid();
      p.type = protocol >= v::v1_14 ? r.varint() : r.i8();
      p.position = {r.f64(), r.f64(), r.f64()};
      if (protocol >= v::v1_21_9) p.velocity = detail::read_lp_vec3(r);
      p.pitch = r.angle();
      p.yaw = r.angle();
      if (protocol >= v::v1_19) {
        p.head_yaw = r.angle();
        p.data = r.varint();
      } else {
        p.data = r.i32();
      }
      if (protocol < v::v1_21_9) p.velocity = detail::read_velocity_shorts(r);
    }
    if (auto res = r.finish("Spawn Entity"); !res) return res.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
