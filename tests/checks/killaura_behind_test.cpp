#include <catch2/catch.hpp>

#include "aim_inputs.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace killaura_behind_test {

using namespace rustguard::test;

namespace {
const std::int32_t kVersions[] = {v::v1_8, v::v1_21_4, v::v26_1};
constexpr std::int32_t kFront = 100;  // at +z: in front of yaw 0
constexpr std::int32_t kBack = 101;   // at -z: behind yaw 0

Driver& arena(Driver& d) {
  d.spawn_at(0.5, 64, 0.5);
  spawn_other(d, kFront, {0.5, 64, 3.5});
  spawn_other(d, kBack, {0.5, 64, -2.5});
  d.answer_all();
  look_tick(d, 0.5f, 0);
  return d;
}
}  // namespace

TEST_CASE("killaura.behind: attacks on what the look points at pass", "[checks][killaura_behind]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Driver d(pv);
    arena(d);
    // Facing +z, hitting the player in front.
    for (int t = 0; t < 5; ++t) {
      click(d, kFront);
      look_tick(d, 0.5f + static_cast<float>(t), 2);
    }
    // Turning around, away from it, over a few ticks, then hitting the one now in front.
    for (int t = 1; t <= 6; ++t) look_tick(d, 30.0f * static_cast<float>(t), 0);
    for (int t = 0; t < 5; ++t) {
      click(d, kBack);
      look_tick(d, 180.5f - static_cast<float>(t), 1);
    }
    // A flick: the look before the attack was far off, the tick's look is on it.
    look_tick(d, 0, 0);
    click(d, kBack);
    look_tick(d, 178, 3);
    CHECK(d.count("killaura.behind") == 0);
  }
}

TEST_CASE("killaura.behind: attacks on an entity behind both looks are flagged", "[checks][killaura_behind]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Driver d(pv);
    arena(d);
    for (int t = 0; t < 3; ++t) {
      click(d, kBack);
      look_tick(d, 0.5f + static_cast<float>(t), 0);
    }
    CHECK(d.count("killaura.behind", "angle") == 3);
    CHECK(d.max_vl("killaura.behind") >= 2);  // the alert
  }
}

TEST_CASE("killaura.behind: an entity the tracker does not know is no evidence", "[checks][killaura_behind]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Driver d(pv);
    arena(d);
    for (int t = 0; t < 3; ++t) {
      click(d, 555);
      look_tick(d, 0.5f, static_cast<float>(t));
    }
    CHECK(d.count("killaura.behind") == 0);
  }
}

TEST_CASE("killaura.behind: an entity moved behind the player but not yet acknowledged may still be in front",
          "[checks][killaura_behind]") {
  Driver d(v::v1_21_4);
  arena(d);
  // The server moves the front player behind; the client has not acknowledged it.
  place_other(d, kFront, {0.5, 64, -3.5});
  click(d, kFront);
  look_tick(d, 0.5f, 1);
  CHECK(d.count("killaura.behind") == 0);
  // Once acknowledged (a transaction after the move, the next heartbeat) and
  // past the interpolation, the same attack is behind.
  d.answer_all();
  d.advance_ms(1100);
  place_other(d, kFront, {0.5, 64, -3.5});
  d.answer_all();
  for (int t = 0; t < 6; ++t) look_tick(d, 2.0f + static_cast<float>(t), 0);
  click(d, kFront);
  look_tick(d, 9, 1);
  CHECK(d.count("killaura.behind") == 1);
}

}  // namespace killaura_behind_test
