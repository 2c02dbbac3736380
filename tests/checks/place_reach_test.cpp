#include <catch2/catch.hpp>

#include "place_inputs.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace place_reach_test {

using namespace rustguard::test;

namespace {
const std::int32_t kVersions[] = {v::v1_8, v::v1_9, v::v1_12_2, v::v1_20_2, v::v1_21_4, v::v26_1};

// Feet at (0.5, 64, 0.5): the eye is at y 65.62 standing. A click on the
// west face of the block at x `bx`, level with the eye, at `along` into it.
Click ahead(int bx, double cursor_x = 0.0) { return {{bx, 65, 0}, BlockFace::west, {cursor_x, 0.62, 0.5}}; }
}  // namespace

TEST_CASE("place.reach: clicks within the block interaction range pass", "[checks][place_reach]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Driver d(pv);
    d.spawn_at(0.5, 64, 0.5);
    use_item_on(d, ahead(3));  // 2.5 blocks
    use_item_on(d, ahead(4));  // 3.5
    use_item_on(d, ahead(5));  // 4.5, the survival range, less the unreported movement
    use_item_on(d, {{0, 63, 0}, BlockFace::up, {0.5, 1.0, 0.5}});
    CHECK(d.count("place.reach") == 0);
  }
}

TEST_CASE("place.reach: clicks beyond the range are flagged (distance)", "[checks][place_reach]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Driver d(pv);
    d.spawn_at(0.5, 64, 0.5);
    use_item_on(d, ahead(6));  // 5.5 blocks
    use_item_on(d, ahead(8));  // 7.5
    CHECK(d.count("place.reach", "distance") == 2);
    CHECK(d.max_vl("place.reach") >= 2);  // the alert
  }
}

TEST_CASE("place.reach: creative reaches half a block more", "[checks][place_reach]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Driver d(pv);
    d.spawn_at(0.5, 64, 0.5);
    use_item_on(d, ahead(5, 0.4));  // 4.9 blocks: over survival's 4.5
    CHECK(d.count("place.reach") == 1);
    d.game_mode(1);
    d.answer_all();
    use_item_on(d, ahead(5, 0.4));
    CHECK(d.count("place.reach") == 1);
    use_item_on(d, ahead(6));  // 5.5: over creative's 5
    CHECK(d.count("place.reach") == 2);
  }
}

TEST_CASE("place.reach: the block_interaction_range attribute sets the range (1.21+)", "[checks][place_reach]") {
  for (const std::int32_t pv : {v::v1_21_4, v::v26_1}) {
    INFO("protocol " << pv);
    Driver d(pv);
    d.spawn_at(0.5, 64, 0.5);
    REQUIRE(set_block_range(d, 8.0));
    use_item_on(d, ahead(8));  // 7.5 blocks
    CHECK(d.count("place.reach") == 0);
    REQUIRE(set_block_range(d, 3.0));
    use_item_on(d, ahead(4));  // 3.5
    CHECK(d.count("place.reach", "distance") == 1);
  }
}

TEST_CASE("place.reach: a wild cursor moves the point by at most the block", "[checks][place_reach]") {
  // The hit point is clamped to where shapes reach ([-0.25, 1.25]): a cursor
  // of 40 on a block 3 blocks away is place.cursor's flag, not a far click.
  Driver d(v::v1_21_4);
  d.spawn_at(0.5, 64, 0.5);
  use_item_on(d, {{3, 65, 0}, BlockFace::west, {40.0, 0.62, 0.5}});
  CHECK(d.count("place.reach") == 0);
  CHECK(d.count("place.cursor", "range") == 1);
}

TEST_CASE("place.reach: towering and bridging pass", "[checks][place_reach]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    CHECK(building_flags(pv, "place.reach").empty());
  }
}

}  // namespace place_reach_test
