#pragma once
// Spawn Mob (spawn_entity_living, before 1.19; Add Entity covers mobs after).
// Before 1.15 the packet ends with the entity's metadata, which RustGuard does
// not need and does not parse.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/packets/play/wire_units_s2c.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/reader.hpp"
#include "rustguard/protocol/types.hpp"

namespace rustguard::protocol::packets {

struct SpawnLivingEntityS2c {
  static constexpr PacketKind kind = PacketKind::spawn_living_entity_s2c;

  std::int32_t entity_id = 0;
  Uuid uuid;              // 1.9+; zero in 1.8
  std::int32_t type = 0;  // byte before 1.11, VarInt after
  Vec3 position;          // blocks (1.8: fixed point / 32)
  float yaw = 0;          // degrees
  float pitch = 0;        // degrees
  float head_yaw = 0;     // degrees
  Vec3 velocity;          // blocks/tick

  static Result<SpawnLivingEntityS2c> decode(std::span<const std::uint8_t> body, std::int32_t protocol) noexcept {
    Reader r{body};
    SpawnLivingEntityS2c p;
    p.entity_id = r.varint();
    if (protocol >= v::v1_9) p.uuid = r.uuid();
    p.type = protocol >= v::v1_11 ? r.varint() : r.u8();
    p.position = detail::read_entity_position(r, protocol);
    p.yaw = r.angle();
    p.pitch = r.angle();
    p.head_yaw = r.angle();
    p.velocity = detail::read_velocity_shorts(r);
    if (protocol < v::v1_15) {
      r.take_rest();  // entity metadata: not needed
      if (!r.ok()) return r.error();
      return p;
    }
    if (auto res = r.finish("Spawn Living Entity"); !res) return res.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
