#include <catch2/catch.hpp>

#include <cmath>

#include "rustguard/context/ray_box.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace ray_box_test {

using rustguard::context::Aabb;
using rustguard::context::Ray;
using rustguard::context::ray_entry;

namespace {
const Aabb kUnit{{0, 0, 0}, {1, 1, 1}};
}  // namespace

TEST_CASE("ray box: a ray towards the box enters at the near face", "[context][ray]") {
  const auto t = ray_entry(Ray{{-2, 0.5, 0.5}, {1, 0, 0}}, kUnit);
  REQUIRE(t);
  CHECK(*t == Approx(2.0));
  // Along a diagonal the entry is where the last slab is entered.
  const auto d = ray_entry(Ray{{-1, -2, 0.5}, {1, 1, 0}}, kUnit);
  REQUIRE(d);
  CHECK(*d == Approx(2.0));  // x enters at 1, y at 2
}

TEST_CASE("ray box: a ray away from the box, or past it, misses", "[context][ray]") {
  CHECK_FALSE(ray_entry(Ray{{-2, 0.5, 0.5}, {-1, 0, 0}}, kUnit));
  CHECK_FALSE(ray_entry(Ray{{-2, 1.5, 0.5}, {1, 0, 0}}, kUnit));
  // Slabs overlapping one at a time but never together.
  CHECK_FALSE(ray_entry(Ray{{-1, 3.5, 0.5}, {1, -1, 0}}, kUnit));  // x in t [1, 2], y in [2.5, 3.5]
}

TEST_CASE("ray box: the length limits the hit", "[context][ray]") {
  CHECK_FALSE(ray_entry(Ray{{-3, 0.5, 0.5}, {1, 0, 0}}, kUnit, 2.9));
  CHECK(ray_entry(Ray{{-3, 0.5, 0.5}, {1, 0, 0}}, kUnit, 3.0));
}

TEST_CASE("ray box: an origin inside the box hits at distance 0", "[context][ray]") {
  const auto t = ray_entry(Ray{{0.5, 0.5, 0.5}, {0, 0, -1}}, kUnit);
  REQUIRE(t);
  CHECK(*t == 0.0);
}

TEST_CASE("ray box: an axis-parallel ray keeps or loses that axis by its origin alone", "[context][ray]") {
  // Direction y = 0: inside the y slab (on its face too) the ray may hit...
  CHECK(ray_entry(Ray{{-1, 1.0, 0.5}, {1, 0, 0}}, kUnit));
  CHECK(ray_entry(Ray{{-1, 0.0, 0.5}, {1, 0, 0}}, kUnit));
  // ... outside it never does, however long.
  CHECK_FALSE(ray_entry(Ray{{-1, 1.0001, 0.5}, {1, 0, 0}}, kUnit));
  // An origin on a face with the direction along that face: no NaN, a hit.
  const auto t = ray_entry(Ray{{0.0, 0.5, -1}, {0, 0, 1}}, kUnit);
  REQUIRE(t);
  CHECK(*t == Approx(1.0));
}

TEST_CASE("ray box: a grazing ray touching an edge counts as a hit", "[context][ray]") {
  // Through the corner (1, 1) in the xy plane exactly.
  const auto t = ray_entry(Ray{{0, 2, 0.5}, {1, -1, 0}}, kUnit);
  REQUIRE(t);
  CHECK(*t == Approx(1.0));
  CHECK_FALSE(ray_entry(Ray{{0.01, 2, 0.5}, {1, -1, 0}}, kUnit));
}

}  // namespace ray_box_test
