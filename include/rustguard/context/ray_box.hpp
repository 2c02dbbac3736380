#pragma once
// Where a ray enters an axis-aligned box (the slab method), for the combat
// checks that ask whether a player's look could have picked an entity: the
// game picks the entity whose box the ray from the eye along the look enters
// first, within the interaction range, and a ray starting inside a box hits
// it at distance 0.
//
// The slab method: on each axis the ray is inside the box's slab between two
// parameters t; the ray is inside the box where all three intervals
// overlap. A direction component of 0 never leaves or enters its slab, so
// that axis either keeps the whole ray (origin inside the slab) or none of
// it. Division by zero is avoided rather than relied on (IEEE infinities
// would work, but 0 * inf on an origin lying on a face gives NaN).

#include <algorithm>
#include <limits>
#include <optional>

#include "rustguard/context/entity_box.hpp"
#include "rustguard/protocol/types.hpp"

namespace rustguard::context {

struct Ray {
  protocol::Vec3 origin;
  protocol::Vec3 direction;  // need not be unit length: t is in multiples of it
};

namespace detail {

// Narrows [t_min, t_max] to where the ray is inside one axis' slab; false
// when nothing remains.
inline bool clip_slab(double origin, double direction, double lo, double hi, double& t_min, double& t_max) noexcept {
  if (direction == 0.0) return origin >= lo && origin <= hi;
  double t_near = (lo - origin) / direction;
  double t_far = (hi - origin) / direction;
  if (t_near > t_far) std::swap(t_near, t_far);
  t_min = std::max(t_min, t_near);
  t_max = std::min(t_max, t_far);
  return t_min <= t_max;
}

}  // namespace detail

// The smallest t in [0, max_t] at which `ray` is inside `box` (0 when the
// origin is inside), or nullopt when the ray misses it within that length.
inline std::optional<double> ray_entry(const Ray& ray, const Aabb& box,
                                       double max_t = std::numeric_limits<double>::infinity()) noexcept {
  double t_min = 0.0;
  double t_max = max_t;
  if (!detail::clip_slab(ray.origin.x, ray.direction.x, box.min.x, box.max.x, t_min, t_max)) return std::nullopt;
  if (!detail::clip_slab(ray.origin.y, ray.direction.y, box.min.y, box.max.y, t_min, t_max)) return std::nullopt;
  if (!detail::clip_slab(ray.origin.z, ray.direction.z, box.min.z, box.max.z, t_min, t_max)) return std::nullopt;
  return t_min;
}

}  // namespace rustguard::context
