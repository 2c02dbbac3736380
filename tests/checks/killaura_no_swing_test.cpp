#include <catch2/catch.hpp>

#include "combat_inputs.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace killaura_no_swing_test {

using namespace rustguard::test;

namespace {
constexpr std::int32_t kTarget = 7;
const std::int32_t kVersions[] = {v::v1_8, v::v1_21_4, v::v26_1};
}  // namespace

TEST_CASE("no swing: vanilla clicks (1.8 swing first, 1.9+ attack first) pass", "[checks][no_swing]") {
  for (const std::int32_t pv : kVersions) {
    for (const bool tick_end : {true, false}) {
      INFO("protocol " << pv << " tick end " << tick_end);
      Driver d(pv);
      d.spawn_at(0, 64, 0);
      for (int t = 0; t < 100; ++t) {
        // 10 CPS, sometimes two clicks in one tick, misses in between.
        vanilla_tick(d, t % 2 == 0 ? 1 : (t % 7 == 0 ? 2 : 0), t % 5 == 0 ? -1 : kTarget, {.tick_end = tick_end});
      }
      CHECK(d.count("killaura.no_swing") == 0);
    }
  }
}

TEST_CASE("no swing: a 1.9+ client standing still clicks across ticks without movement packets",
          "[checks][no_swing]") {
  Driver d(v::v1_21_4);
  d.spawn_at(0, 64, 0);
  for (int t = 0; t < 60; ++t) vanilla_tick(d, t % 3 == 0 ? 1 : 0, kTarget, {.tick_end = false, .move = t % 20 == 0});
  CHECK(d.count("killaura.no_swing") == 0);
}

TEST_CASE("no swing: attacks without a swing are flagged at the tick's end", "[checks][no_swing]") {
  for (const std::int32_t pv : kVersions) {
    for (const bool tick_end : {true, false}) {
      INFO("protocol " << pv << " tick end " << tick_end);
      Driver d(pv);
      d.spawn_at(0, 64, 0);
      for (int t = 0; t < 10; ++t) {
        d.attack(kTarget);
        CHECK(d.count("killaura.no_swing") == static_cast<std::size_t>(t));  // the swing may still come in this tick
        end_tick(d, {.tick_end = tick_end});
      }
      CHECK(d.count("killaura.no_swing", "tick") == 10);
      CHECK(d.max_vl("killaura.no_swing") >= 3);  // the alert
    }
  }
}

TEST_CASE("no swing: a swing in another tick, or one swing for two attacks, does not cover an attack",
          "[checks][no_swing]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Driver d(pv);
    d.spawn_at(0, 64, 0);
    d.attack(kTarget);
    end_tick(d);
    swing(d);
    end_tick(d);
    CHECK(d.count("killaura.no_swing") == 1);
    swing(d);
    d.attack(kTarget);
    d.attack(kTarget);
    end_tick(d);
    CHECK(d.count("killaura.no_swing") == 2);
  }
}

TEST_CASE("no swing: with tick ends, the movement packet is not the boundary", "[checks][no_swing]") {
  // 1.21.2+: attack, movement, swing, tick end is one tick and has its swing.
  Driver d(v::v1_21_4);
  d.spawn_at(0, 64, 0);
  d.tick_end();
  d.attack(kTarget);
  d.rot(0, 0, true);
  swing(d);
  d.tick_end();
  CHECK(d.count("killaura.no_swing") == 0);
}

}  // namespace killaura_no_swing_test
