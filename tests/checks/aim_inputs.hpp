#pragma once
// Aim input for the aim and killaura.behind tests: a vanilla mouse (the
// client's own float arithmetic turning counts into degrees, several frames
// per tick), looks towards points, and other players spawned and moved by the
// server in each version's layout.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

#include "combat_inputs.hpp"
#include "rustguard/protocol/types.hpp"

namespace rustguard::test {

using protocol::Vec3;

// The degrees one mouse count turns the view at `sensitivity` (the options
// slider, 0..1): the vanilla formula with the client's float and double
// steps (1.13+ MouseHandler.turnPlayer + Entity.turn; 1.8's
// EntityRenderer + Entity.setAngles has the same shape in float).
struct VanillaMouse {
  double sensitivity = 0.5;
  float yaw = 0;
  float pitch = 0;

  double counts_factor() const {
    const double f = sensitivity * static_cast<double>(0.6F) + static_cast<double>(0.2F);
    return f * f * f * 8.0;
  }
  // One frame's counts (integers, as a mouse reports them).
  void frame(int dx, int dy) {
    const float yaw_step = static_cast<float>(dx * counts_factor()) * 0.15F;
    const float pitch_step = static_cast<float>(dy * counts_factor()) * 0.15F;
    yaw += yaw_step;
    pitch = std::clamp(pitch + pitch_step, -90.0F, 90.0F);
  }
  // The nominal degrees per count.
  double step() const { return counts_factor() * 0.15; }
};

inline constexpr double kDeg = 180.0 / std::numbers::pi;

// The yaw and pitch that look from `eye` at `p` (yaw 0 faces +z, 90 faces -x).
inline double yaw_to(const Vec3& eye, const Vec3& p) { return std::atan2(-(p.x - eye.x), p.z - eye.z) * kDeg; }
inline double pitch_to(const Vec3& eye, const Vec3& p) {
  const double dx = p.x - eye.x, dy = p.y - eye.y, dz = p.z - eye.z;
  return -std::atan2(dy, std::hypot(dx, dz)) * kDeg;
}

// Another player spawned by the server: Spawn Player (1.8) or Add Entity
// with the player type (1.20.2+ layouts; 147 in 1.21.4; another type id in
// 26.1, whose box the tracker then takes as a player's anyway).
inline void spawn_other(Driver& d, std::int32_t id, Vec3 at) {
  std::vector<std::uint8_t> b;
  protocol::Writer w{b};
  if (d.pv >= v::v1_20_2) {
    w.varint(id).uuid({1, static_cast<std::uint64_t>(id)}).varint(147).f64(at.x).f64(at.y).f64(at.z);
    if (d.pv >= v::v1_21_9) {
      w.u8(0).u8(0).u8(0).u8(0).varint(0);  // no velocity (LpVec3), angles, data
    } else {
      w.u8(0).u8(0).u8(0).varint(0).i16(0).i16(0).i16(0);
    }
    d.receive(PacketKind::spawn_entity_s2c, b);
    return;
  }
  w.varint(id).uuid({1, static_cast<std::uint64_t>(id)});
  w.i32(static_cast<std::int32_t>(at.x * 32)).i32(static_cast<std::int32_t>(at.y * 32)).i32(static_cast<std::int32_t>(at.z * 32));
  w.u8(0).u8(0).i16(0).u8(0x7F);
  d.receive(PacketKind::spawn_player_s2c, b);
}

// Where the server puts the entity outright: Entity Teleport (1.8) or Entity
// Position Sync (1.21.2+).
inline void place_other(Driver& d, std::int32_t id, Vec3 at) {
  std::vector<std::uint8_t> b;
  protocol::Writer w{b};
  w.varint(id);
  if (d.pv < v::v1_9) {
    w.i32(static_cast<std::int32_t>(at.x * 32)).i32(static_cast<std::int32_t>(at.y * 32)).i32(static_cast<std::int32_t>(at.z * 32));
    w.u8(0).u8(0).boolean(true);
    d.receive(PacketKind::entity_teleport_s2c, b);
    return;
  }
  w.f64(at.x).f64(at.y).f64(at.z).f64(0).f64(0).f64(0).f32(0).f32(0).boolean(true);
  d.receive(PacketKind::entity_position_sync_s2c, b);
}

// A server teleport that also sets the look (absolute), answered the vanilla
// way: confirm (1.9+) and the position with the new look.
inline void teleport_with_look(Driver& d, Vec3 at, float yaw, float pitch, std::int32_t id) {
  std::vector<std::uint8_t> b;
  protocol::Writer w{b};
  if (d.pv >= v::v1_21_2) {
    w.varint(id).f64(at.x).f64(at.y).f64(at.z).f64(0).f64(0).f64(0).f32(yaw).f32(pitch).i32(0);
  } else {
    w.f64(at.x).f64(at.y).f64(at.z).f32(yaw).f32(pitch).u8(0);
    if (d.pv >= v::v1_9) w.varint(id);
    if (d.pv >= v::v1_17 && d.pv < v::v1_19_4) w.boolean(false);
  }
  d.receive(PacketKind::sync_player_position_s2c, b);
  if (protocol::has_teleport_confirm(d.pv)) d.confirm(id);
  d.pos_rot(at.x, at.y, at.z, yaw, pitch, false);
}

// The end of one tick carrying this look: Set Rotation (and Client Tick End on 1.21.2+).
inline void look_tick(Driver& d, float yaw, float pitch, bool tick_end = true) {
  d.rot(yaw, pitch, true);
  if (tick_end && d.pv >= v::v1_21_2) d.tick_end();
  d.advance_ms(50);
}

}  // namespace rustguard::test
