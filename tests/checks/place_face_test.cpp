#include <catch2/catch.hpp>

#include "place_inputs.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace place_face_test {

using namespace rustguard::test;

namespace {
const std::int32_t kVersions[] = {v::v1_8, v::v1_9, v::v1_12_2, v::v1_20_2, v::v1_21_4, v::v26_1};

// Standing on the block (0, 63, 0), feet at y 64, eye 65.62 (lower when
// sneaking or, from 1.13, swimming).
Driver& standing(Driver& d) {
  d.spawn_at(0.5, 64, 0.5);
  return d;
}
}  // namespace

TEST_CASE("place.face: faces the eye can see pass", "[checks][place_face]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Driver d(pv);
    standing(d);
    use_item_on(d, {{0, 63, 0}, BlockFace::up, {0.5, 1.0, 0.5}});     // the block underfoot
    use_item_on(d, {{-1, 63, 0}, BlockFace::east, {1.0, 0.5, 0.5}});  // bridging west, over the edge
    use_item_on(d, {{3, 64, 0}, BlockFace::west, {0.0, 0.5, 0.5}});   // a wall ahead
    use_item_on(d, {{0, 64, -2}, BlockFace::south, {0.5, 0.5, 1.0}});
    use_item_on(d, {{0, 64, 2}, BlockFace::north, {0.5, 0.5, 0.0}});
    use_item_on(d, {{0, 67, 0}, BlockFace::down, {0.5, 0.0, 0.5}});   // the ceiling
    // The block the player stands in (a slab's top at its own feet), and a
    // face whose plane is within the eye's own cell.
    use_item_on(d, {{0, 64, 0}, BlockFace::up, {0.5, 0.5, 0.5}});
    use_item_on(d, {{0, 65, 0}, BlockFace::down, {0.5, 0.5, 0.5}});
    CHECK(d.count("place.face") == 0);
  }
}

TEST_CASE("place.face: faces on the far side from every eye are flagged (side)", "[checks][place_face]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Driver d(pv);
    standing(d);
    // The underside of the block underfoot, the far side of a wall, the top
    // of a block above the head: scaffolds that take the face from the block
    // they want, not from where the player is.
    use_item_on(d, {{0, 63, 0}, BlockFace::down, {0.5, 0.0, 0.5}});
    use_item_on(d, {{3, 64, 0}, BlockFace::east, {1.0, 0.5, 0.5}});
    use_item_on(d, {{0, 64, 2}, BlockFace::south, {0.5, 0.5, 1.0}});
    use_item_on(d, {{0, 67, 0}, BlockFace::up, {0.5, 1.0, 0.5}});
    CHECK(d.count("place.face", "side") == 4);
    CHECK(d.max_vl("place.face") >= 2);  // the alert
  }
}

TEST_CASE("place.face: a reported position a little off passes, further off is flagged", "[checks][place_face]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    // The east face of (0, 64, 0) lies somewhere above x 0: from x -0.04
    // (within the margin: the unreported movement plus the tolerance) it
    // passes, from -0.2 it cannot be seen. The same for the west face (its
    // plane below x 1) from 1.04 and 1.2.
    Driver d(pv);
    d.spawn_at(-0.04, 64, 0.5);
    use_item_on(d, {{0, 64, 0}, BlockFace::east, {1.0, 0.5, 0.5}});
    CHECK(d.count("place.face") == 0);
    d.pos(-0.2, 64, 0.5, false);
    use_item_on(d, {{0, 64, 0}, BlockFace::east, {1.0, 0.5, 0.5}});
    CHECK(d.count("place.face", "side") == 1);
    d.spawn_at(1.04, 64, 0.5);  // a teleport, not a move of 1.24 blocks (Speed would set it back)
    use_item_on(d, {{0, 64, 0}, BlockFace::west, {0.0, 0.5, 0.5}});
    CHECK(d.count("place.face") == 1);
    d.pos(1.2, 64, 0.5, false);
    REQUIRE(d.count("movement.speed") == 0);
    use_item_on(d, {{0, 64, 0}, BlockFace::west, {0.0, 0.5, 0.5}});
    CHECK(d.count("place.face", "side") == 2);
  }
}

TEST_CASE("place.face: an unanswered teleport and clicks from inside a block are not judged", "[checks][place_face]") {
  for (const std::int32_t pv : {v::v1_8, v::v1_21_4}) {
    INFO("protocol " << pv);
    Driver d(pv);
    standing(d);
    d.teleport(10.5, 64, 10.5, 99);  // not confirmed, no move yet
    use_item_on(d, {{10, 63, 10}, BlockFace::up, {0.5, 1.0, 0.5}});
    use_item_on(d, {{0, 63, 0}, BlockFace::down, {0.5, 0.0, 0.5}});
    CHECK(d.count("place.face") == 0);
  }
  Driver d(v::v1_21_4);
  standing(d);
  use_item_on(d, {{0, 63, 0}, BlockFace::down, {0.5, 0.0, 0.5}, /*inside=*/true});
  CHECK(d.count("place.face") == 0);
}

TEST_CASE("place.face: towering and bridging pass", "[checks][place_face]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    CHECK(building_flags(pv, "place.face").empty());
  }
}

}  // namespace place_face_test
