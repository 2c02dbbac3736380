#pragma once
// Where a player's eye may have been when its client acted: the eye
// heights of every pose and scale it may have had, and how far its reported
// position may be off. Shared by the checks that judge what the client aimed
// at from its eye (combat.reach, combat.hitbox, the place checks).
//
// The position a client reports moves only when it moved more than a
// threshold since its last report (0.03 blocks before 1.18.2, 0.0002 from
// 1.18.2; LocalPlayer's sendPosition), so the eye may be that much off on
// every axis. Eye heights by version: 1.62 standing; sneaking 1.54 (1.62 -
// 0.08) up to 1.13 and 1.27 (the crouching pose) from 1.14; 0.4 gliding
// (1.9+) and swimming or crawling (1.13+), which a proxy without blocks
// cannot rule out from 1.13 and takes from the client's own elytra claim
// before. Scaled players (the scale attribute, 1.20.5+) have their eye
// heights scaled, at the smallest and the largest scale of every server
// state the client may know.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "rustguard/context/physics_state.hpp"
#include "rustguard/context/player_context.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"

namespace rustguard::engine {

// How far a client may have moved without reporting it.
constexpr double unreported_movement(std::int32_t protocol) noexcept {
  return protocol >= protocol::v::v1_18_2 ? 2.0e-4 : 0.03;
}

// The eye heights (above the feet) the client may have used.
struct PossibleEyes {
  static constexpr std::size_t kMax = 6;  // three poses, at the smallest and largest scale
  std::array<double, kMax> heights{};
  std::size_t count = 0;

  void add(double h) noexcept {
    for (std::size_t i = 0; i < count; ++i) {
      if (heights[i] == h) return;
    }
    if (count < kMax) heights[count++] = h;
  }
  double lowest() const noexcept { return *std::min_element(heights.begin(), heights.begin() + count); }
  double highest() const noexcept { return *std::max_element(heights.begin(), heights.begin() + count); }
};

inline PossibleEyes possible_eyes(const context::PlayerContext& ctx) {
  namespace v = protocol::v;
  const bool modern_crouch = ctx.protocol >= v::v1_14;
  const bool low_pose = ctx.protocol >= v::v1_13 || (ctx.protocol >= v::v1_9 && ctx.claims.gliding);
  double smallest = std::numeric_limits<double>::infinity();
  double largest = 0;
  ctx.any_state([&](const context::PhysicsState& s) {
    const double scale = ctx.protocol >= v::v1_20_5 ? s.attributes.scale : 1.0;
    smallest = std::min(smallest, scale);
    largest = std::max(largest, scale);
    return false;
  });
  PossibleEyes out;
  for (const double scale : {smallest, largest}) {
    out.add(1.62 * scale);
    out.add((modern_crouch ? 1.27 : 1.54) * scale);
    if (low_pose) out.add(0.4 * scale);
  }
  return out;
}

}  // namespace rustguard::engine
