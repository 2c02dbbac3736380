#pragma once
// What the reach and hitbox checks know about one attack: where the player's
// eye may have been, which boxes the target may have shown, how far the
// client lets the player reach, and the geometry on top (the nearest point,
// rays along a look). Shared by combat.reach and combat.hitbox.
//
// How a vanilla client picks what it attacks: early in a client tick it casts
// a ray from the eye (the player's position at the end of the previous tick
// plus the eye height) along the look it has in that tick, against every
// entity's box (grown by 0.1 on 1.8, the "collision border"; not from 1.9),
// and takes the nearest box it enters; the hit point must lie within the
// interaction range. Blocks in the way stop the ray too, which a proxy cannot
// see, so it is left out (that only lets more attacks through). The movement
// packet carrying that tick's look is sent later in the same tick, after the
// attack, so the look the ray used arrives after the attack.
//
// The eye. The position is the last one the client reported, but a client
// reports its position only when it moved more than a threshold since the
// last report (0.03 blocks before 1.18.2, 0.0002 from 1.18.2; LocalPlayer's
// sendPosition), so it may be that much off unless the previous tick is known
// to have reported it (ReportedPosition below). That uncertainty is added to
// the target's boxes, which is the same as moving the eye. Eye heights by
// version: 1.62 standing; sneaking 1.54 (1.62 - 0.08) up to 1.13 and 1.27
// (the crouching pose) from 1.14; 0.4 gliding (1.9+) and swimming or
// crawling (1.13+), which a proxy without blocks cannot rule out from 1.13
// and takes from the client's own elytra claim before. Scaled players
// (the scale attribute, 1.20.5+) have their eye heights scaled.
//
// The range. From 1.20.5 the entity_interaction_range attribute (base 3.0)
// is the client's own limit; creative adds 2.0 through a modifier the
// server applies and syncs, so until the sync lands the client may know the
// game mode first: a possible creative state allows 2.0 more. Before 1.20.5
// the client reaches 3.0 in survival, adventure and spectator and 6.0 in
// creative (its extended reach). Every possible server state counts.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <numbers>
#include <string>

#include "rustguard/checks/api/possible_eyes.hpp"
#include "rustguard/context/entity_box.hpp"
#include "rustguard/context/movement.hpp"
#include "rustguard/context/physics_state.hpp"
#include "rustguard/context/player_context.hpp"
#include "rustguard/context/ray_box.hpp"
#include "rustguard/context/tracked_entities.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/types.hpp"

namespace rustguard::checks::combat {

namespace v = protocol::v;

// How far a client may have moved without reporting it (see above).
using engine::unreported_movement;

// What the client adds to every entity box when picking (1.8's collision border).
constexpr double pick_border(std::int32_t protocol) noexcept { return protocol < v::v1_9 ? 0.1 : 0.0; }

// Unit vector of a look, the game's convention: yaw 0 looks towards +z,
// yaw 90 towards -x, pitch 90 straight down.
inline protocol::Vec3 look_direction(float yaw, float pitch) noexcept {
  const double y = static_cast<double>(yaw) * std::numbers::pi / 180.0;
  const double p = static_cast<double>(pitch) * std::numbers::pi / 180.0;
  return {-std::sin(y) * std::cos(p), -std::sin(p), std::cos(y) * std::cos(p)};
}

// Whether the player's reported position is exactly where its client was
// when it attacked: the tick before the attack (or the attack's own tick,
// for an attack after its movement packet) reported a position. Known only
// where ticks are exact (checks/api/client_ticks.hpp): with Client Tick End,
// and on 1.8, whose client sends a movement packet every tick (without a
// position when it moved less than the threshold). Each check keeps one and
// feeds it every movement packet and tick end.
class ReportedPosition {
 public:
  void on_move(const context::MoveSample& m, std::int32_t protocol) noexcept {
    // A teleport's answer reports exactly where the server put the client.
    const bool reported = m.input.has_position || m.teleport_response;
    if (explicit_ticks_) {
      this_tick_ |= reported;
    } else if (protocol < v::v1_9) {
      if (!m.teleport_response) last_tick_ = reported;
    }
  }
  void on_tick_end() noexcept {
    explicit_ticks_ = true;
    last_tick_ = this_tick_;
    this_tick_ = false;
  }
  // A respawn or login: nothing is known about the ticks before.
  void reset() noexcept {
    last_tick_ = false;
    this_tick_ = false;
  }
  bool exact(std::int32_t protocol) const noexcept {
    if (explicit_ticks_) return last_tick_ || this_tick_;
    return protocol < v::v1_9 && last_tick_;
  }

 private:
  bool explicit_ticks_ = false;
  bool last_tick_ = false;
  bool this_tick_ = false;
};

// The most the client may reach in any state it may know.
inline double interaction_range(const context::PlayerContext& ctx) {
  const bool attribute = ctx.protocol >= v::v1_20_5;
  return ctx.max_over_states([attribute](const context::PhysicsState& s) {
    const bool creative = s.game_mode == context::GameMode::creative;
    if (attribute) return s.attributes.entity_interaction_range + (creative ? 2.0 : 0.0);
    return creative ? 6.0 : 3.0;
  });
}

// The eye heights (above the feet) the client may have used: the checks'
// API has them (checks/api/possible_eyes.hpp), the place checks use them too.
using EyeHeights = engine::PossibleEyes;
inline EyeHeights eye_heights(const context::PlayerContext& ctx) { return engine::possible_eyes(ctx); }

// One attack as the client may have seen it, taken when the attack arrives
// (the tracker moves on; the boxes of that moment are what count).
struct AttackScene {
  static constexpr std::size_t kMaxBoxes = context::TrackedEntities::kMaxSteps + 2;  // confirmed, trail, steps

  std::int32_t target = 0;
  protocol::Vec3 feet;
  EyeHeights eyes;
  std::array<context::Aabb, kMaxBoxes> boxes{};  // grown by every margin
  std::size_t box_count = 0;
  double range = 3.0;
  double margin = 0;  // what the boxes were grown by
  float yaw = 0;      // the look the client last reported
  float pitch = 0;
};

// Why an attack cannot be judged (no verdict, never a flag).
enum class Unjudged : std::uint8_t {
  none,
  no_position,     // no position reported since login or respawn
  riding,          // the client moves with its vehicle, not by its reports
  unknown_target,  // not tracked (spawned before tracking, over the cap, removed) or of unknown size
};

// The scene of an attack on `target`, or why there is none. `extra` grows the
// boxes further (a check's own leeway).
inline Unjudged scene_of(std::int32_t target, const context::PlayerContext& ctx, bool position_exact, double extra,
                         AttackScene& out) {
  if (!ctx.movement.position_known) return Unjudged::no_position;
  if (ctx.vehicle_id >= 0 || ctx.may_be_riding()) return Unjudged::riding;
  const auto info = ctx.entities.info(target);
  if (!info || !info->dimensions.known) return Unjudged::unknown_target;
  out.target = target;
  out.feet = ctx.movement.position;
  out.eyes = eye_heights(ctx);
  out.range = interaction_range(ctx);
  out.margin = pick_border(ctx.protocol) + context::position_margin(ctx.protocol) +
               (position_exact ? 0.0 : unreported_movement(ctx.protocol)) + extra;
  out.yaw = ctx.movement.yaw;
  out.pitch = ctx.movement.pitch;
  out.box_count = 0;
  ctx.entities.any_box(target, ctx.transactions.acked_seq(), [&](const context::Aabb& b) {
    out.boxes[out.box_count++] = b.expanded(out.margin);
    return out.box_count == AttackScene::kMaxBoxes;
  });
  return out.box_count == 0 ? Unjudged::unknown_target : Unjudged::none;
}

// The shortest distance from any eye the player may have had (every height
// between the lowest and the highest) to any box: no look can hit nearer.
inline double nearest_distance(const AttackScene& s) noexcept {
  const double eye_lo = s.feet.y + s.eyes.lowest();
  const double eye_hi = s.feet.y + s.eyes.highest();
  double best = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < s.box_count; ++i) {
    const context::Aabb& b = s.boxes[i];
    const double dx = std::max({b.min.x - s.feet.x, 0.0, s.feet.x - b.max.x});
    const double dy = std::max({b.min.y - eye_hi, 0.0, eye_lo - b.max.y});
    const double dz = std::max({b.min.z - s.feet.z, 0.0, s.feet.z - b.max.z});
    best = std::min(best, std::sqrt(dx * dx + dy * dy + dz * dz));
  }
  return best;
}

// The nearest point along the look (yaw, pitch) from any eye height at which
// a ray enters any box; +infinity when every ray misses every box.
inline double nearest_hit(const AttackScene& s, float yaw, float pitch) noexcept {
  const protocol::Vec3 dir = look_direction(yaw, pitch);
  double best = std::numeric_limits<double>::infinity();
  for (std::size_t e = 0; e < s.eyes.count; ++e) {
    const context::Ray ray{{s.feet.x, s.feet.y + s.eyes.heights[e], s.feet.z}, dir};
    for (std::size_t i = 0; i < s.box_count; ++i) {
      if (const auto t = context::ray_entry(ray, s.boxes[i], best)) best = *t;
    }
  }
  return best;
}

// "2.913" for the violation details (distances, ranges, angles).
inline std::string three_decimals(double x) {
  std::array<char, 32> text{};
  const int n = std::snprintf(text.data(), text.size(), "%.3f", x);
  return std::string(text.data(), n > 0 ? std::min<std::size_t>(static_cast<std::size_t>(n), text.size() - 1) : 0);
}

}  // namespace rustguard::checks::combat
