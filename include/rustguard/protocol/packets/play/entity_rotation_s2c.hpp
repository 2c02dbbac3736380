#pragma once
// Move Entity Rot (entity_look): a tracked entity turns in place.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct EntityRotationS2c {
  static constexpr PacketKind kind = PacketKind::entity_rotation_s2c;

  std::int32_t entity_id = 0;
  float yaw = 0;    // degrees
  float pitch = 0;  // degrees
  bool on_ground = false;

  static Result<EntityRotationS2c> decode(std::span<const std::uint8_t> body, std::int32_t /*protocol*/) noexcept {
    Reader r{body};
    EntityRotationS2c p;
    p.entity_id = r.varint();
    p.yaw = r.angle();
    p.pitch = r.angle();
    p.on_ground = r.boolean();
    if (auto res = r.finish("Move Entity Rot"); !res) return res.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
