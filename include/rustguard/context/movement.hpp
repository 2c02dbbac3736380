#pragma once
// One serverbound movement packet seen against the player's movement so far.
// The engine builds a MoveSample before running the checks (so every check
// reads the same numbers) and advances the MovementHistory after them.
//
// "Tick" here means one movement packet: vanilla sends at most one per client
// tick, and none on ticks where it neither moved more than the minimum
// threshold nor turned (except a reminder every 20 ticks); 1.8 sends one every
// tick. mineflayer sends 20 a second while moving.

#include <cmath>
#include <concepts>
#include <cstdint>

#include "rustguard/protocol/packets/play/set_movement_flags_c2s.hpp"
#include "rustguard/protocol/packets/play/set_position_c2s.hpp"
#include "rustguard/protocol/packets/play/set_position_rotation_c2s.hpp"
#include "rustguard/protocol/packets/play/set_rotation_c2s.hpp"
#include "rustguard/protocol/types.hpp"

namespace rustguard::context {

struct MovementInput {
  bool has_position = false;
  bool has_rotation = false;
  protocol::Vec3 position{};
  float yaw = 0;
  float pitch = 0;
  bool on_ground = false;
  bool horizontal_collision = false;  // 1.21.2+ only
};

// What each of the four movement packets says, as one MovementInput.
inline MovementInput movement_input(const protocol::packets::SetPositionC2s& p) noexcept {
  return {true, false, {p.x, p.feet_y, p.z}, 0, 0, p.on_ground, p.horizontal_collision};
}
inline MovementInput movement_input(const protocol::packets::SetPositionRotationC2s& p) noexcept {
  return {true, true, {p.x, p.feet_y, p.z}, p.yaw, p.pitch, p.on_ground, p.horizontal_collision};
}
inline MovementInput movement_input(const protocol::packets::SetRotationC2s& p) noexcept {
  return {false, true, {}, p.yaw, p.pitch, p.on_ground, p.horizontal_collision};
}
inline MovementInput movement_input(const protocol::packets::SetMovementFlagsC2s& p) noexcept {
  return {false, false, {}, 0, 0, p.on_ground, p.horizontal_collision};
}

// A serverbound packet the engine reads as a move (a MoveSample for the checks).
template <class Packet>
concept MovementPacket = requires(const Packet& p) {
  { movement_input(p) } -> std::same_as<MovementInput>;
};

struct MoveSample {
  MovementInput input{};
  bool position_known = false;  // `from` is a real previous position
  protocol::Vec3 from{};
  protocol::Vec3 delta{};       // zero when !input.has_position or !position_known
  double horizontal = 0;        // |delta.xz|
  bool teleport_response = false;  // lands on a pending server teleport target
  // ...that was one of RustGuard's setbacks (engine/setbacks.hpp): checks
  // that buffer offending moves keep their buffer, or a cheat would get its
  // first offending moves through again after every setback.
  bool setback_response = false;
  bool setback_on_ground = false;  // for a setback response: the ground state it sent the player back to
  // Before this packet:
  bool was_on_ground = false;          // the previous packet's claim
  bool was_on_ground_before = false;   // the claim before that
  protocol::Vec3 last_delta{};
  bool last_had_position = false;
  // last_delta is the player's real motion: false for the first position
  // after a login or respawn (no teleport answered), where it is unknown.
  bool last_delta_known = false;
  std::uint32_t air_ticks = 0;         // packets since the last on-ground claim
  std::uint32_t ticks_since_reset = 0; // packets since a teleport or respawn

  bool moved() const noexcept { return input.has_position && position_known; }
};

struct MovementHistory {
  bool position_known = false;
  protocol::Vec3 position{};
  float yaw = 0;
  float pitch = 0;
  bool on_ground = false;
  bool on_ground_before = false;
  protocol::Vec3 last_delta{};
  bool last_had_position = false;
  bool last_delta_known = false;
  std::uint32_t air_ticks = 0;
  std::uint32_t ticks_since_reset = 0;

  MoveSample sample(const MovementInput& in) const noexcept {
    MoveSample s;
    s.input = in;
    s.position_known = position_known;
    s.from = position;
    if (in.has_position && position_known) {
      s.delta = {in.position.x - position.x, in.position.y - position.y, in.position.z - position.z};
      s.horizontal = std::hypot(s.delta.x, s.delta.z);
    }
    s.was_on_ground = on_ground;
    s.was_on_ground_before = on_ground_before;
    s.last_delta = last_delta;
    s.last_had_position = last_had_position;
    s.last_delta_known = last_delta_known;
    s.air_ticks = air_ticks;
    s.ticks_since_reset = ticks_since_reset;
    return s;
  }

  void advance(const MoveSample& s) noexcept {
    if (s.input.has_position) {
      position = s.input.position;
      position_known = true;
    }
    if (s.input.has_rotation) {
      yaw = s.input.yaw;
      pitch = s.input.pitch;
    }
    on_ground_before = on_ground;
    on_ground = s.input.on_ground;
    if (s.setback_response) {
      // Back where the server last saw the player, in the state it was in.
      on_ground = s.setback_on_ground;
      on_ground_before = s.setback_on_ground;
    } else if (s.teleport_response) {
      // The answer to a teleport claims "in the air" whatever is below; the
      // next moves may start from the ground, the more permissive case.
      on_ground = true;
      on_ground_before = true;
    }
    last_delta = s.teleport_response ? protocol::Vec3{} : s.delta;
    last_had_position = s.input.has_position;
    // A teleport sets the motion to zero; a first position leaves it unknown.
    if (s.teleport_response) {
      last_delta_known = true;
    } else if (s.input.has_position && !s.position_known) {
      last_delta_known = false;
    } else if (s.input.has_position) {
      last_delta_known = true;
    }
    air_ticks = s.input.on_ground ? 0 : air_ticks + 1;
    ticks_since_reset = s.teleport_response ? 0 : ticks_since_reset + 1;
  }

  // A teleport or respawn: physics starts over from the next position.
  void reset(bool keep_position) noexcept {
    position_known = keep_position && position_known;
    last_delta = {};
    last_had_position = false;
    last_delta_known = false;
    air_ticks = 0;
    ticks_since_reset = 0;
    on_ground = false;
    on_ground_before = false;
  }
};

}  // namespace rustguard::context
