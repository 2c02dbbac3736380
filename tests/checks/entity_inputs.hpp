#pragma once
// Entities for the reach and hitbox tests: another player spawned and moved
// by the server in the layout of each version (1.8 fixed point and Spawn
// Player; 1.9-1.20.1 Spawn Player with doubles; 1.20.2+ Add Entity with the
// player type, 26.1's packed velocity), their scale attribute, and a look
// from the player's eye.

#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

#include "engine_driver.hpp"
#include "rustguard/protocol/packets/play/attribute_ids_s2c.hpp"

namespace rustguard::test {

// The player type id of Add Entity (1.20.2+) in the versions the tests use.
inline std::int32_t player_type_id(std::int32_t pv) { return pv >= v::v1_21_11 ? 155 : 147; }

// Add Entity (1.20.2+ layouts) of any type id.
inline void spawn_typed_entity(Driver& d, std::int32_t id, std::int32_t type, protocol::Vec3 at) {
  std::vector<std::uint8_t> b;
  protocol::Writer w{b};
  w.varint(id).uuid({1, static_cast<std::uint64_t>(id)}).varint(type).f64(at.x).f64(at.y).f64(at.z);
  if (d.pv >= v::v1_21_9) w.u8(0);  // velocity (packed): zero
  w.u8(0).u8(0).u8(0).varint(0);     // pitch, yaw, head yaw, data
  if (d.pv < v::v1_21_9) w.i16(0).i16(0).i16(0);
  d.receive(PacketKind::spawn_entity_s2c, b);
}

inline void spawn_player_entity(Driver& d, std::int32_t id, protocol::Vec3 at) {
  if (d.pv >= v::v1_20_2) {
    spawn_typed_entity(d, id, player_type_id(d.pv), at);
    return;
  }
  std::vector<std::uint8_t> b;
  protocol::Writer w{b};
  w.varint(id).uuid({1, static_cast<std::uint64_t>(id)});
  if (d.pv < v::v1_9) {
    w.i32(static_cast<std::int32_t>(at.x * 32)).i32(static_cast<std::int32_t>(at.y * 32)).i32(static_cast<std::int32_t>(at.z * 32));
    w.u8(0).u8(0).i16(0).u8(0x7F);  // angles, held item, empty metadata
  } else {
    w.f64(at.x).f64(at.y).f64(at.z).u8(0).u8(0);
    if (d.pv < v::v1_15) w.u8(0xFF);  // empty metadata
  }
  d.receive(PacketKind::spawn_player_s2c, b);
}

// Where the server puts the entity outright: Entity Teleport (before 1.21.2
// its own layout; 1.8 fixed point) or Entity Position Sync (1.21.2+).
inline void place_entity(Driver& d, std::int32_t id, protocol::Vec3 at) {
  std::vector<std::uint8_t> b;
  protocol::Writer w{b};
  w.varint(id);
  if (d.pv < v::v1_9) {
    w.i32(static_cast<std::int32_t>(at.x * 32)).i32(static_cast<std::int32_t>(at.y * 32)).i32(static_cast<std::int32_t>(at.z * 32));
    w.u8(0).u8(0).boolean(true);
    d.receive(PacketKind::entity_teleport_s2c, b);
    return;
  }
  if (d.pv >= v::v1_21_2) {
    w.f64(at.x).f64(at.y).f64(at.z).f64(0).f64(0).f64(0).f32(0).f32(0).boolean(true);
    d.receive(PacketKind::entity_position_sync_s2c, b);
    return;
  }
  w.f64(at.x).f64(at.y).f64(at.z).u8(0).u8(0).boolean(true);
  d.receive(PacketKind::entity_teleport_s2c, b);
}

// Update Attributes setting another entity's scale attribute (1.21+
// layout: registry ids, no modifiers), the id found in the version's table.
// False (nothing sent) for a version without a scale attribute.
inline bool set_entity_scale(Driver& d, std::int32_t id, double scale) {
  const auto ids = protocol::packets::detail::attribute_id_table(d.pv);
  std::int32_t scale_id = -1;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] == protocol::packets::Attribute::scale) scale_id = static_cast<std::int32_t>(i);
  }
  if (scale_id < 0 || d.pv < v::v1_21) return false;
  std::vector<std::uint8_t> b;
  protocol::Writer{b}.varint(id).varint(1).varint(scale_id).f64(scale).varint(0);
  d.receive(PacketKind::update_attributes_s2c, b);
  return true;
}

// The look (yaw, pitch in degrees) from `eye` towards `target`, the game's
// convention (yaw 0 = +z, yaw 90 = -x, pitch 90 = down).
struct Look {
  float yaw = 0;
  float pitch = 0;
};
inline Look look_at(protocol::Vec3 eye, protocol::Vec3 target) {
  const double dx = target.x - eye.x;
  const double dy = target.y - eye.y;
  const double dz = target.z - eye.z;
  const double yaw = std::atan2(-dx, dz) * 180.0 / std::numbers::pi;
  const double pitch = -std::atan2(dy, std::hypot(dx, dz)) * 180.0 / std::numbers::pi;
  return {static_cast<float>(yaw), static_cast<float>(pitch)};
}

// The attack button as the client of this version presses it on `target`:
// swing and attack (1.8 swings first), then the tick's movement packet with
// the look it attacked with (position included), then Client Tick End on
// 1.21.2+.
inline Verdict attack_tick(Driver& d, std::int32_t target, protocol::Vec3 feet, Look look) {
  std::vector<std::uint8_t> swing;
  if (d.pv >= v::v1_9) protocol::Writer{swing}.varint(0);
  if (d.pv < v::v1_9) d.send(PacketKind::swing_arm_c2s, swing);
  const Verdict verdict = d.attack(target);
  if (d.pv >= v::v1_9) d.send(PacketKind::swing_arm_c2s, swing);
  d.pos_rot(feet.x, feet.y, feet.z, look.yaw, look.pitch, true);
  if (d.pv >= v::v1_21_2) d.tick_end();
  d.advance_ms(50);
  return verdict;
}

// One tick of standing at `feet` with `look` (position and look reported).
inline void stand_tick(Driver& d, protocol::Vec3 feet, Look look) {
  d.pos_rot(feet.x, feet.y, feet.z, look.yaw, look.pitch, true);
  if (d.pv >= v::v1_21_2) d.tick_end();
  d.advance_ms(50);
}

}  // namespace rustguard::test
