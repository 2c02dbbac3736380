#pragma once
// The geometry of a look, for the aim checks, killaura.behind and
// place.look: the direction a look points along, the angle between two
// looks, and between a look and a tracked entity's box; the eye heights a
// player may look from. Which rotation packets are the mouse's, and which
// the server's, is the context's LookTracker (context/looks.hpp), which the
// engine keeps before the checks read a packet.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>

#include "rustguard/context/entity_box.hpp"
#include "rustguard/context/looks.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/types.hpp"

namespace rustguard::engine {

// The checks name them as part of the check API.
using context::Look;
using context::Turn;

// --- geometry

inline constexpr double kDegrees = 180.0 / std::numbers::pi;

// The unit vector a look points along (Minecraft: yaw 0 faces +z, 90 faces
// -x; pitch 90 looks straight down).
inline protocol::Vec3 look_vector(const Look& l) noexcept {
  const double yaw = static_cast<double>(l.yaw) / kDegrees, pitch = static_cast<double>(l.pitch) / kDegrees;
  return {-std::sin(yaw) * std::cos(pitch), -std::sin(pitch), std::cos(yaw) * std::cos(pitch)};
}

// The angle between two directions in degrees (0..180); atan2 of the cross
// and dot products stays exact for small angles, where acos does not.
inline double angle_between(const protocol::Vec3& a, const protocol::Vec3& b) noexcept {
  const double cx = a.y * b.z - a.z * b.y, cy = a.z * b.x - a.x * b.z, cz = a.x * b.y - a.y * b.x;
  const double dot = a.x * b.x + a.y * b.y + a.z * b.z;
  return std::atan2(std::sqrt(cx * cx + cy * cy + cz * cz), dot) * kDegrees;
}

// The great-circle angle between two looks, in degrees: how far the view
// turned, whatever the yaw's winding.
inline double turn_angle(const Look& a, const Look& b) noexcept { return angle_between(look_vector(a), look_vector(b)); }

// A lower bound of the angle between the look `dir` (unit) from `eye` and
// any point of `box`, in degrees: the angle to the box's centre minus the
// angular radius of the sphere around the box. 0 when the eye is inside
// that sphere. A lower bound, so a check that flags when it is large never
// overstates how far off the box the look was.
inline double min_angle_to_box(const protocol::Vec3& eye, const protocol::Vec3& dir, const context::Aabb& box) noexcept {
  const protocol::Vec3 c{(box.min.x + box.max.x) / 2, (box.min.y + box.max.y) / 2, (box.min.z + box.max.z) / 2};
  const protocol::Vec3 to{c.x - eye.x, c.y - eye.y, c.z - eye.z};
  const double dist = std::sqrt(to.x * to.x + to.y * to.y + to.z * to.z);
  const double hx = (box.max.x - box.min.x) / 2, hy = (box.max.y - box.min.y) / 2, hz = (box.max.z - box.min.z) / 2;
  const double radius = std::sqrt(hx * hx + hy * hy + hz * hz);
  if (dist <= radius) return 0;
  return std::max(0.0, angle_between(dir, to) - std::asin(radius / dist) * kDegrees);
}

// The eye heights a player of `protocol` may have: standing 1.62; sneaking
// 1.54 before 1.14 and 1.27 after; swimming, crawling and gliding 0.4 from 1.13.
struct EyeHeights {
  double values[3] = {1.62, 1.54, 1.54};
  int count = 2;
};
inline EyeHeights eye_heights(std::int32_t protocol) noexcept {
  EyeHeights e;
  if (protocol >= protocol::v::v1_14) {
    e.values[1] = 1.27;
  }
  if (protocol >= protocol::v::v1_13) {
    e.values[2] = 0.4;
    e.count = 3;
  }
  return e;
}

}  // namespace rustguard::engine
