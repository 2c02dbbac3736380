#include <catch2/catch.hpp>

#include "aim_inputs.hpp"
#include "place_inputs.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace place_look_test {

using namespace rustguard::test;

namespace {
const std::int32_t kVersions[] = {v::v1_8, v::v1_12_2, v::v1_21_4, v::v26_1};

// Feet at (0.5, 64, 0.5) on the block (0, 63, 0), looking ahead (+z).
Driver& standing(Driver& d) {
  d.spawn_at(0.5, 64, 0.5);
  look_tick(d, 0, 0);
  return d;
}
const Click kFloor{{0, 63, 0}, BlockFace::up, {0.5, 1.0, 0.5}};
const Click kWallAhead{{0, 65, 3}, BlockFace::north, {0.5, 0.6, 0.0}};
}  // namespace

TEST_CASE("place.look: clicks on what the look points at pass", "[checks][place_look]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Driver d(pv);
    standing(d);
    // Ahead at a wall, with the look already on it.
    use_item_on(d, kWallAhead);
    look_tick(d, 0, 0);
    // Down at the floor: the look turns in the click's tick and arrives after it.
    use_item_on(d, kFloor);
    look_tick(d, 0.5f, 89.5f);
    // Up, then a flick down onto the floor in the click's tick.
    look_tick(d, 0, -60);
    use_item_on(d, kFloor);
    look_tick(d, 0, 85);
    // Still looking down: a 1.9+ client sends no rotation then, only the ground flag.
    use_item_on(d, kFloor);
    d.ground(true);
    if (pv >= v::v1_21_2) d.tick_end();
    d.advance_ms(50);
    CHECK(d.count("place.look") == 0);
  }
}

TEST_CASE("place.look: clicks no look of the tick points at are flagged (miss)", "[checks][place_look]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Driver d(pv);
    standing(d);
    // A scaffold: the block underfoot, clicked while the player looks ahead.
    for (int t = 0; t < 4; ++t) {
      use_item_on(d, kFloor);
      look_tick(d, static_cast<float>(t) * 0.3f, 0);
    }
    CHECK(d.count("place.look", "miss") == 4);
    CHECK(d.max_vl("place.look") >= 3);  // the alert
    // Three clicks in one tick: the first two are judged (a vanilla click
    // sends one per hand), the third only repeats them.
    for (int k = 0; k < 3; ++k) use_item_on(d, kFloor);
    look_tick(d, 1.2f, 0);
    CHECK(d.count("place.look", "miss") == 6);
  }
}

TEST_CASE("place.look: a look the server may have set is not judged", "[checks][place_look]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Driver d(pv);
    standing(d);
    // The server turns the player to look up; until the client has applied
    // it, its look says nothing about what it clicked.
    d.teleport(0.5, 64, 0.5, 77);
    use_item_on(d, kFloor);
    look_tick(d, 0, 0);
    CHECK(d.count("place.look") == 0);
  }
}

TEST_CASE("place.look: clicks before a respawn are not judged with the new player's look", "[checks][place_look]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Driver d(pv);
    standing(d);
    use_item_on(d, kFloor);  // off the look before it; its tick ends after the respawn
    d.respawn();
    look_tick(d, 180, -80);  // the new player looks up and back
    CHECK(d.count("place.look") == 0);
  }
}

TEST_CASE("place.look: towering and bridging pass", "[checks][place_look]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    CHECK(building_flags(pv, "place.look").empty());
  }
}

}  // namespace place_look_test
