#include <catch2/catch.hpp>

#include <limits>

#include "place_inputs.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace place_cursor_test {

using namespace rustguard::test;

namespace {
const std::int32_t kVersions[] = {v::v1_8, v::v1_9, v::v1_12_2, v::v1_20_2, v::v1_21_4, v::v26_1};
bool sixteenths(std::int32_t pv) { return pv < v::v1_11; }

Driver& standing(Driver& d) {
  d.spawn_at(0.5, 64, 0.5);
  return d;
}
}  // namespace

TEST_CASE("place.cursor: hit points vanilla clients send pass", "[checks][place_cursor]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Driver d(pv);
    standing(d);
    // A full block's faces: the hit point on the face's plane.
    use_item_on(d, {{0, 63, 0}, BlockFace::up, {0.3, 1.0, 0.7}});
    use_item_on(d, {{1, 64, 0}, BlockFace::west, {0.0, 0.4, 0.5}});
    use_item_on(d, {{-1, 64, 0}, BlockFace::east, {1.0, 0.9, 0.2}});
    use_item_on(d, {{0, 64, 1}, BlockFace::north, {0.5, 0.5, 0.0}});
    use_item_on(d, {{0, 64, -1}, BlockFace::south, {0.5, 0.5, 1.0}});
    use_item_on(d, {{0, 67, 0}, BlockFace::down, {0.5, 0.0, 0.5}});
    // A top slab's underside, a bottom slab's top, a pressed pressure plate's top (1/32).
    use_item_on(d, {{0, 66, 0}, BlockFace::down, {0.5, 0.5, 0.5}});
    use_item_on(d, {{1, 63, 1}, BlockFace::up, {0.5, 0.5, 0.5}});
    use_item_on(d, {{1, 63, 1}, BlockFace::up, {0.5, 0.03125, 0.5}});
    // A piston head's arm, a quarter block into the piston's cell.
    use_item_on(d, {{2, 64, 0}, BlockFace::west, {0.375, -0.25, 0.5}});
    CHECK(d.count("place.cursor") == 0);
    if (pv < v::v1_9) {
      use_in_air_1_8(d);
      CHECK(d.count("place.cursor") == 0);
    }
  }
}

TEST_CASE("place.cursor: a hit point outside every shape is flagged (range)", "[checks][place_cursor]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Driver d(pv);
    standing(d);
    use_item_on(d, {{0, 63, 0}, BlockFace::up, {0.5, 2.0, 0.5}});
    use_item_on(d, {{0, 63, 0}, BlockFace::up, {-0.5, 1.0, 0.5}});
    CHECK(d.count("place.cursor", "range") == 2);
    CHECK(d.max_vl("place.cursor") >= 1);  // the alert
    if (!sixteenths(pv)) {
      // Absolute coordinates where the offset belongs, and not a number at all.
      use_item_on(d, {{0, 63, 0}, BlockFace::up, {0.5, 64.0, 0.5}});
      use_item_on(d, {{0, 63, 0}, BlockFace::up, {std::numeric_limits<double>::quiet_NaN(), 1.0, 0.5}});
      CHECK(d.count("place.cursor", "range") == 4);
    }
  }
}

TEST_CASE("place.cursor: a hit point on the wrong side for its face is flagged (face)", "[checks][place_cursor]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Driver d(pv);
    standing(d);
    // A down face at the block's top, a west face at its east side.
    use_item_on(d, {{0, 67, 0}, BlockFace::down, {0.5, 1.0, 0.5}});
    use_item_on(d, {{1, 64, 0}, BlockFace::west, {1.0, 0.5, 0.5}});
    CHECK(d.count("place.cursor", "face") == 2);
    // An up face at the block's bottom (a scaffold's centre-of-block cursor
    // is (0.5, 0.5, 0.5); zeros are the other favourite). Up to 1.10 the
    // client truncates a face under 1/16 to 0 (a pressed pressure plate),
    // so zero is legal there.
    use_item_on(d, {{0, 63, 0}, BlockFace::up, {0.5, 0.0, 0.5}});
    use_item_on(d, {{-1, 64, 0}, BlockFace::east, {0.0, 0.5, 0.5}});
    CHECK(d.count("place.cursor", "face") == (sixteenths(pv) ? 2u : 4u));
  }
}

TEST_CASE("place.cursor: towering and bridging pass", "[checks][place_cursor]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    CHECK(building_flags(pv, "place.cursor").empty());
  }
}

}  // namespace place_cursor_test
