#pragma once
// Axis-aligned boxes of tracked entities. An entity's box is centred on its
// position horizontally and stands on it: x and z reach width/2 either side,
// y runs from the feet to feet + height (the game's own rule for every
// entity box the reach and hitbox checks test against).

#include <algorithm>
#include <cmath>

#include "rustguard/protocol/types.hpp"

namespace rustguard::context {

// Width and height in blocks. `known` is false when the entity's type had no
// entry in the version's table: the size is then a guess (see
// kDefaultDimensions) and a check should not flag on it alone.
struct EntityDimensions {
  float width = 0.6f;
  float height = 1.8f;
  bool known = false;
};

// A player's standing box, also used for types the tables do not know.
inline constexpr EntityDimensions kPlayerDimensions{0.6f, 1.8f, true};
inline constexpr EntityDimensions kDefaultDimensions{0.6f, 1.8f, false};

struct Aabb {
  protocol::Vec3 min;
  protocol::Vec3 max;

  // The box of an entity of `d` standing at `feet`.
  static Aabb of(const protocol::Vec3& feet, const EntityDimensions& d) noexcept {
    const double hw = static_cast<double>(d.width) / 2.0;
    return Aabb{{feet.x - hw, feet.y, feet.z - hw}, {feet.x + hw, feet.y + static_cast<double>(d.height), feet.z + hw}};
  }
  // The box of every position between `lo` and `hi` (component-wise) for an
  // entity of `d`: what a client interpolating between them may show.
  static Aabb spanning(const protocol::Vec3& lo, const protocol::Vec3& hi, const EntityDimensions& d) noexcept {
    const Aabb a = of(lo, d);
    const Aabb b = of(hi, d);
    return Aabb{a.min, b.max};
  }

  Aabb expanded(double by) const noexcept {
    return Aabb{{min.x - by, min.y - by, min.z - by}, {max.x + by, max.y + by, max.z + by}};
  }
  Aabb united(const Aabb& o) const noexcept {
    return Aabb{{std::min(min.x, o.min.x), std::min(min.y, o.min.y), std::min(min.z, o.min.z)},
                {std::max(max.x, o.max.x), std::max(max.y, o.max.y), std::max(max.z, o.max.z)}};
  }
  bool contains(const protocol::Vec3& p) const noexcept {
    return p.x >= min.x && p.x <= max.x && p.y >= min.y && p.y <= max.y && p.z >= min.z && p.z <= max.z;
  }
  // Euclidean distance from `p` to the nearest point of the box (0 inside).
  double distance_to(const protocol::Vec3& p) const noexcept {
    const double dx = std::max({min.x - p.x, 0.0, p.x - max.x});
    const double dy = std::max({min.y - p.y, 0.0, p.y - max.y});
    const double dz = std::max({min.z - p.z, 0.0, p.z - max.z});
    return std::sqrt(dx * dx + dy * dy + dz * dz);
  }
  friend bool operator==(const Aabb&, const Aabb&) = default;
};

// Grows the component-wise range [lo, hi] to hold `p`.
inline void extend(protocol::Vec3& lo, protocol::Vec3& hi, const protocol::Vec3& p) noexcept {
  lo = {std::min(lo.x, p.x), std::min(lo.y, p.y), std::min(lo.z, p.z)};
  hi = {std::max(hi.x, p.x), std::max(hi.y, p.y), std::max(hi.z, p.z)};
}

}  // namespace rustguard::context
