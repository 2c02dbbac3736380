#pragma once
// What the place checks know about one click on a block (Use Item On):
// where the player's eye may have been, which face of which block it names,
// where on that block the client says the click landed, and how far the
// client lets the player reach. Shared by place.cursor, place.face,
// place.reach and place.look. No world model: the clicked block's shape is unknown, so
// every rule here holds for any block the game has.
//
// How a vanilla client clicks a block: early in a client tick it casts a ray
// from the eye (the position it reported at the end of the previous tick,
// plus the eye height) along its look, takes the first block shape the ray
// enters within the block interaction range, and sends that block, the face
// the ray entered through and the hit point relative to the block's corner
// (the "cursor"): sixteenths truncated towards zero up to 1.10, floats from
// 1.11. The movement packet of that tick comes after the click, so the eye is
// the last reported position (up to the unreported-movement threshold off;
// checks/api/possible_eyes.hpp) at any of the player's eye heights.
//
// Shapes. Outline shapes lie inside the block's cell except a piston head's
// arm, which reaches a quarter block into the piston's cell: hit points lie
// within [-0.25, 1.25] on every axis. A face the ray enters through is the
// shape's outer side on its axis: an up, south or east face lies above 0 on
// its axis (the thinnest, a pressed pressure plate's top, at 1/32), a down,
// north or west face below 1.
//
// The range. From 1.20.5 the block_interaction_range attribute (base 4.5),
// which creative raises by 0.5 through a modifier the server applies and
// syncs, so a possible creative state allows 0.5 more until the sync lands.
// Before 1.20.5 the client reaches 4.5, or 5.0 in creative. Every possible
// server state counts.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>

#include "rustguard/checks/api/possible_eyes.hpp"
#include "rustguard/context/entity_box.hpp"
#include "rustguard/context/player_context.hpp"
#include "rustguard/protocol/packets/play/use_item_on_c2s.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/types.hpp"

namespace rustguard::checks::place {

namespace v = protocol::v;
using protocol::packets::BlockFace;

// How far outside the block's cell a hit point may lie (a piston head's arm).
inline constexpr double kShapeOverhang = 0.25;

// Up to 1.10 the cursor is sent in sixteenths, truncated towards zero.
constexpr bool cursor_in_sixteenths(std::int32_t protocol) noexcept { return protocol < v::v1_11; }

// The axis a face lies across (0 x, 1 y, 2 z) and whether it faces the
// positive end of that axis (up, south, east).
constexpr int face_axis(BlockFace f) noexcept {
  switch (f) {
    case BlockFace::down:
    case BlockFace::up: return 1;
    case BlockFace::north:
    case BlockFace::south: return 2;
    case BlockFace::west:
    case BlockFace::east: return 0;
  }
  return 1;
}
constexpr bool face_positive(BlockFace f) noexcept {
  return f == BlockFace::up || f == BlockFace::south || f == BlockFace::east;
}
constexpr const char* face_name(BlockFace f) noexcept {
  switch (f) {
    case BlockFace::down: return "down";
    case BlockFace::up: return "up";
    case BlockFace::north: return "north";
    case BlockFace::south: return "south";
    case BlockFace::west: return "west";
    case BlockFace::east: return "east";
  }
  return "?";
}

constexpr double component(const protocol::Vec3& p, int axis) noexcept {
  return axis == 0 ? p.x : axis == 1 ? p.y : p.z;
}

// The most the client may reach for a block in any state it may know.
inline double block_reach(const context::PlayerContext& ctx) {
  const bool attribute = ctx.protocol >= v::v1_20_5;
  return ctx.max_over_states([attribute](const context::PhysicsState& s) {
    const bool creative = s.game_mode == context::GameMode::creative;
    if (attribute) return s.attributes.block_interaction_range + (creative ? 0.5 : 0.0);
    return creative ? 5.0 : 4.5;
  });
}

// Where the player's eye may have been at a click: feet (x, z exact up to
// `slack`), and every height between the lowest and the highest eye.
struct EyeSpan {
  protocol::Vec3 feet;
  double low = 0;   // lowest eye, absolute y
  double high = 0;  // highest eye, absolute y
  double slack = 0;  // how far the reported position may be off, each axis
};

// Why a click is not judged (no verdict, never a flag).
enum class Unjudged : std::uint8_t {
  none,
  no_block,     // 1.8's "use in the air" form: no block, no face
  no_position,  // no position reported since login or respawn
  riding,       // the client moves with its vehicle, not by its reports
  teleporting,  // a server teleport is unanswered: the client may stand there already
};

inline Unjudged eye_span(const protocol::packets::UseItemOnC2s& p, const context::PlayerContext& ctx, EyeSpan& out) {
  if (!p.targets_block) return Unjudged::no_block;
  if (!ctx.movement.position_known) return Unjudged::no_position;
  if (ctx.vehicle_id >= 0 || ctx.may_be_riding()) return Unjudged::riding;
  if (!ctx.teleports.empty()) return Unjudged::teleporting;
  const engine::PossibleEyes eyes = engine::possible_eyes(ctx);
  out.feet = ctx.movement.position;
  out.low = out.feet.y + eyes.lowest();
  out.high = out.feet.y + eyes.highest();
  out.slack = engine::unreported_movement(ctx.protocol);
  return Unjudged::none;
}

// The shortest distance from any eye in `eye` to any point of `box`.
inline double nearest_distance(const EyeSpan& eye, const context::Aabb& box) noexcept {
  const double dx = std::max({box.min.x - eye.feet.x, 0.0, eye.feet.x - box.max.x});
  const double dy = std::max({box.min.y - eye.high, 0.0, eye.low - box.max.y});
  const double dz = std::max({box.min.z - eye.feet.z, 0.0, eye.feet.z - box.max.z});
  return std::sqrt(dx * dx + dy * dy + dz * dz);
}

// The block's cell, grown by `by` on every side.
inline context::Aabb cell(const protocol::BlockPos& b, double by) noexcept {
  const double x = b.x, y = b.y, z = b.z;
  return {{x - by, y - by, z - by}, {x + 1 + by, y + 1 + by, z + 1 + by}};
}

// A number for the violation's JSON: null when not finite (a hostile cursor).
inline std::string json_number(double x) { return std::isfinite(x) ? std::to_string(x) : "null"; }

// "2.913" for the violation details (distances).
inline std::string three_decimals(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", x);
  return text;
}

// "(10, 64, -3) up" for the violation details.
inline std::string describe(const protocol::BlockPos& b, BlockFace face) {
  return "(" + std::to_string(b.x) + ", " + std::to_string(b.y) + ", " + std::to_string(b.z) + ") " + face_name(face);
}
inline std::string describe(const protocol::packets::UseItemOnC2s& p) { return describe(p.position, p.face); }

}  // namespace rustguard::checks::place
