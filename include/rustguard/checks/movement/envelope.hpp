#pragma once
// Vanilla movement physics reduced to upper bounds. RustGuard has no world
// model (no blocks, no collisions), so it cannot predict a move the way a
// plugin anti-cheat does; it can only say how far the best case of the
// player's state would carry it and flag moves beyond that, with tolerance.
//
// Per client tick (LivingEntity.travel), horizontally:
//   delta_t = delta_{t-1} * friction(ground_{t-2}) + accel(ground_{t-1}) [+ 0.2 on a sprint-jump]
// where ground_k is the on-ground flag the client sent with move k:
//   friction = slipperiness * 0.91 on the ground, 0.91 in the air;
//   accel    = speed * 0.21600002 / slipperiness^3 on the ground, 0.02 (0.026 sprinting) in the air;
//   speed    = movement_speed attribute * (1 + 0.2 speed level) * (1 - 0.15 slowness level) * 1.3 sprinting.
// Vertically in the air: dy_t = (dy_{t-1} - gravity) * 0.98, gravity 0.08 (0.01 while
// falling with slow falling; the gravity attribute from 1.20.5); a jump sets
// dy = jump strength (0.42) + 0.1 per jump-boost level; levitation pulls dy
// towards 0.05 * level by a fifth per tick.

#include <algorithm>
#include <array>

#include "rustguard/context/physics_state.hpp"

namespace rustguard::checks::movement {

inline constexpr double kAirFriction = 0.91;
inline constexpr double kVerticalDrag = 0.98;
inline constexpr double kSprintMultiplier = 1.3;
inline constexpr double kSprintJumpBoost = 0.2;
inline constexpr double kAirAcceleration = 0.02;
inline constexpr double kSprintAirAcceleration = 0.026;
inline constexpr double kSlowFallingGravity = 0.01;
inline constexpr double kGroundAccelerationFactor = 0.21600002;
// Block slipperiness: normal blocks, slime, ice (also packed/frosted), blue ice.
inline constexpr std::array<double, 4> kSlipperiness{0.6, 0.8, 0.98, 0.989};
// The most a move may exceed the previous position packet by when the client
// skipped ticks that moved less than its minimum-movement threshold.
inline constexpr double kMinimumMovement = 0.03;

using context::MovementEffect;
using context::PhysicsState;

// Ground movement speed (blocks/tick acceleration on normal ground), sprinting.
inline double ground_speed(const PhysicsState& s) noexcept {
  const double speed_effect = 1.0 + 0.2 * s.effects.level(MovementEffect::speed);
  const double slowness = std::max(0.0, 1.0 - 0.15 * s.effects.level(MovementEffect::slowness));
  return std::max(0.0, s.attributes.movement_speed) * speed_effect * slowness * kSprintMultiplier;
}

// Best-case horizontal distance this tick, over the surfaces the player may
// be on (only normal ground unless `slippery` allows slime and ice).
inline double horizontal_bound(const PhysicsState& s, double last_horizontal, bool ground_before_last,
                               bool ground_last, bool jumped, bool slippery) noexcept {
  const double speed = ground_speed(s);
  double best = 0;
  const std::size_t surfaces = slippery ? kSlipperiness.size() : 1;
  for (std::size_t i = 0; i < surfaces; ++i) {
    const double slip = kSlipperiness[i];
    const double friction = ground_before_last ? slip * kAirFriction : kAirFriction;
    const double accel = ground_last ? speed * (kGroundAccelerationFactor / (slip * slip * slip))
                                     : kSprintAirAcceleration;
    best = std::max(best, last_horizontal * friction + accel);
  }
  if (jumped) best += kSprintJumpBoost;
  if (s.effects.has(MovementEffect::dolphins_grace)) {
    // Swimming with dolphin's grace keeps 0.96 of the motion per tick; the
    // proxy cannot see water, so it allows that momentum anywhere.
    best = std::max(best, last_horizontal * 0.96 + speed);
  }
  return best;
}

// Best-case horizontal distance while flying with abilities (creative).
inline double flying_bound(const PhysicsState& s, double last_horizontal) noexcept {
  const double accel = std::max(0.05f, s.abilities.fly_speed) * 2.0;  // sprint-flying doubles it
  return last_horizontal * kAirFriction + accel + ground_speed(s);
}

inline double jump_velocity(const PhysicsState& s) noexcept {
  return s.attributes.jump_strength + 0.1 * s.effects.level(MovementEffect::jump_boost);
}

// The highest dy an airborne player can have after a tick that moved last_dy.
inline double airborne_upper(const PhysicsState& s, double last_dy) noexcept {
  double gravity = s.attributes.gravity;
  if (s.effects.has(MovementEffect::slow_falling) && last_dy <= 0) gravity = std::min(gravity, kSlowFallingGravity);
  double vy = last_dy;
  if (const int lev = s.effects.level(MovementEffect::levitation); lev > 0) {
    vy += (0.05 * lev - vy) * 0.2;
    return vy * kVerticalDrag;
  }
  return (vy - gravity) * kVerticalDrag;
}

// The free-fall dy after last_dy under this state's gravity (no levitation).
inline double free_fall(const PhysicsState& s, double last_dy, bool slow_falling_gravity) noexcept {
  const double gravity = slow_falling_gravity ? kSlowFallingGravity : s.attributes.gravity;
  return (last_dy - gravity) * kVerticalDrag;
}

}  // namespace rustguard::checks::movement
