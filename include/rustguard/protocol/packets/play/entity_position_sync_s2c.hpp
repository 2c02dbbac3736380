#pragma once
// Entity Position Sync (1.21.2+): a tracked entity's absolute position,
// velocity and rotation (what Teleport Entity meant before 1.21.2).

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/reader.hpp"
#include "rustguard/protocol/types.hpp"

namespace rustguard::protocol::packets {

struct EntityPositionSyncS2c {
  static constexpr PacketKind kind = PacketKind::entity_position_sync_s2c;

  std::int32_t entity_id = 0;
  Vec3 position;    // blocks
  Vec3 velocity;    // blocks/tick
  float yaw = 0;    // degrees
  float pitch = 0;  // degrees
  bool on_ground = false;

  static Result<EntityPositionSyncS2c> decode(std::span<const std::uint8_t> body, std::int32_t /*protocol*/) noexcept {
    Reader r{body};
    EntityPositionSyncS2c p;
    p.entity_id = r.varint();
    p.position = {r.f64(), r.f64(), r.f64()};
    p.velocity = {r.f64(), r.f64(), r.f64()};
    p.yaw = r.f32();
    p.pitch = r.f32();
    p.on_ground = r.boolean();
    if (auto res = r.finish("Entity Position Sync"); !res) return res.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
