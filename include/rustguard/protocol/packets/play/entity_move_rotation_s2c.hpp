#pragma once
// Move Entity PosRot (entity_move_look): a position delta plus a rotation.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/packets/play/entity_relative_move_s2c.hpp"
#include "rustguard/protocol/reader.hpp"
#include "rustguard/protocol/types.hpp"

namespace rustguard::protocol::packets {

struct EntityMoveRotationS2c {
  static constexpr PacketKind kind = PacketKind::entity_move_rotation_s2c;

  std::int32_t entity_id = 0;
  Vec3 delta;       // blocks
  float yaw = 0;    // degrees
  float pitch = 0;  // degrees
  bool on_ground = false;

  static Result<EntityMoveRotationS2c> decode(std::span<const std::uint8_t> body, std::int32_t protocol) noexcept {
    Reader r{body};
    EntityMoveRotationS2c p;
    p.entity_id = r.varint();
    p.delta = detail::read_entity_delta(r, protocol);
    p.yaw = r.angle();
    p.pitch = r.angle();
    p.on_ground = r.boolean();
    if (auto res = r.finish("Move Entity PosRot"); !res) return res.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
