#include <catch2/catch.hpp>

#include "combat_inputs.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace killaura_multi_target_test {

using namespace rustguard::test;

namespace {
const std::int32_t kVersions[] = {v::v1_8, v::v1_21_4, v::v26_1};
}  // namespace

TEST_CASE("multi target: one target per tick passes, switching targets between ticks too",
          "[checks][multi_target]") {
  for (const std::int32_t pv : kVersions) {
    for (const bool tick_end : {true, false}) {
      INFO("protocol " << pv << " tick end " << tick_end);
      Driver d(pv);
      d.spawn_at(0, 64, 0);
      for (int t = 0; t < 100; ++t) {
        // Several clicks in one tick all hit the crosshair's entity.
        vanilla_tick(d, t % 3 == 0 ? 2 : 1, 7 + (t / 2) % 3, {.tick_end = tick_end});
      }
      CHECK(d.count("killaura.multi_target") == 0);
    }
  }
}

TEST_CASE("multi target: two entities in one tick are flagged", "[checks][multi_target]") {
  for (const std::int32_t pv : kVersions) {
    for (const bool tick_end : {true, false}) {
      INFO("protocol " << pv << " tick end " << tick_end);
      Driver d(pv);
      d.spawn_at(0, 64, 0);
      for (int t = 0; t < 5; ++t) {
        click(d, 7);
        click(d, 8);
        click(d, 9);
        end_tick(d, {.tick_end = tick_end});
      }
      CHECK(d.count("killaura.multi_target", "tick") == 10);
      CHECK(d.max_vl("killaura.multi_target") >= 2);  // the alert
    }
  }
}

TEST_CASE("multi target: without exact ticks, attacks far apart between two movement packets pass",
          "[checks][multi_target]") {
  // 1.21.4 without Client Tick End, standing still: no movement packet for
  // ticks, so two attacks 300 ms apart share a "tick" but are not one.
  Driver d(v::v1_21_4);
  d.spawn_at(0, 64, 0);
  click(d, 7);
  d.advance_ms(300);
  click(d, 8);
  d.advance_ms(300);
  click(d, 7);
  end_tick(d, {.tick_end = false});
  CHECK(d.count("killaura.multi_target") == 0);
  // ... while two at once are flagged.
  click(d, 7);
  d.advance_ms(2);
  click(d, 8);
  end_tick(d, {.tick_end = false});
  CHECK(d.count("killaura.multi_target") == 1);
}

TEST_CASE("multi target: with exact ticks the order decides, not the arrival time", "[checks][multi_target]") {
  // A lag spike delivers a backlog at once: every tick still ends in its tick end.
  Driver d(v::v26_1);
  d.spawn_at(0, 64, 0);
  for (int t = 0; t < 20; ++t) vanilla_tick(d, 1, 7 + t % 2, {.ms = 0});
  CHECK(d.count("killaura.multi_target") == 0);
}

}  // namespace killaura_multi_target_test
