#include <catch2/catch.hpp>

#include "combat_inputs.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace killaura_post_test {

using namespace rustguard::test;

namespace {
constexpr std::int32_t kTarget = 7;
const std::int32_t kVersions[] = {v::v1_8, v::v1_21_4, v::v26_1};

// A post killaura's tick: movement packet first, then the attack and swing
// right after it, then the rest of the tick.
void post_tick(Driver& d, bool tick_end, double gap_ms = 1) {
  d.rot(0, 0, true);
  d.advance_ms(gap_ms);
  d.attack(kTarget);
  swing(d);
  if (tick_end && d.pv >= v::v1_21_2) d.tick_end();
  d.advance_ms(50 - gap_ms);
}
}  // namespace

TEST_CASE("post: vanilla attacks before the movement packet pass", "[checks][post]") {
  for (const std::int32_t pv : kVersions) {
    for (const bool tick_end : {true, false}) {
      INFO("protocol " << pv << " tick end " << tick_end);
      Driver d(pv);
      d.spawn_at(0, 64, 0);
      for (int t = 0; t < 200; ++t) vanilla_tick(d, t % 2, kTarget, {.tick_end = tick_end});
      CHECK(d.count("killaura.post") == 0);
    }
  }
}

TEST_CASE("post: attacks after the tick's movement packet are flagged", "[checks][post]") {
  for (const std::int32_t pv : kVersions) {
    for (const bool tick_end : {true, false}) {
      INFO("protocol " << pv << " tick end " << tick_end);
      Driver d(pv);
      d.spawn_at(0, 64, 0);
      if (tick_end && pv >= v::v1_21_2) d.tick_end();
      for (int t = 0; t < 60; ++t) post_tick(d, tick_end);  // 20 attacks a second for 3 s
      const bool exact = tick_end && pv >= v::v1_21_2;
      CHECK(d.count("killaura.post", exact ? "tick_end" : "arrival") >= (exact ? 60U : 3U));
      CHECK(d.max_vl("killaura.post") >= 2.5);  // the alert
    }
  }
}

TEST_CASE("post: with tick ends, a teleport answer before the attack is not the tick's movement",
          "[checks][post]") {
  for (const std::int32_t pv : {v::v1_21_4, v::v26_1}) {
    Driver d(pv);
    d.spawn_at(0, 64, 0);
    d.tick_end();
    d.teleport(5, 64, 5, 9);
    d.confirm(9);
    d.pos_rot(5, 64, 5, 0, 0, false);
    click(d, kTarget);
    d.rot(0, 0, true);
    d.tick_end();
    CHECK(d.count("killaura.post") == 0);
  }
}

TEST_CASE("post: by arrival, attacks at any moment of the tick (a bot on its own timer) are not flagged",
          "[checks][post]") {
  for (const std::int32_t pv : {v::v1_8, v::v1_21_4}) {
    INFO("protocol " << pv);
    Driver d(pv);
    d.spawn_at(0, 64, 0);
    Jitter j(31);
    // 600 attacks, each at a random point between two movement packets.
    for (int t = 0; t < 600; ++t) {
      const double at = 25 + j.next(25);
      d.rot(0, 0, true);
      d.advance_ms(at);
      click(d, kTarget);
      d.advance_ms(50 - at);
    }
    CHECK(d.count("killaura.post") == 0);
  }
}

TEST_CASE("post: by arrival, a player standing still on 1.9+ is not judged", "[checks][post]") {
  // No movement packet for 20 ticks, then the reminder: attacks are long
  // after one movement packet and long before the next.
  Driver d(v::v1_21_4);
  d.spawn_at(0, 64, 0);
  for (int t = 0; t < 400; ++t) vanilla_tick(d, t % 2, kTarget, {.tick_end = false, .move = t % 20 == 0});
  CHECK(d.count("killaura.post") == 0);
}

TEST_CASE("post: by arrival, lag backlogs of a vanilla client are not post", "[checks][post]") {
  for (const std::int32_t pv : {v::v1_8, v::v1_21_4}) {
    INFO("protocol " << pv);
    Driver d(pv);
    d.spawn_at(0, 64, 0);
    for (int stall = 0; stall < 20; ++stall) {
      for (int t = 0; t < 20; ++t) vanilla_tick(d, 1, kTarget, {.tick_end = false, .ms = t == 19 ? 1000.0 : 0.0});
    }
    CHECK(d.count("killaura.post") == 0);
  }
}

TEST_CASE("post: by arrival, bunched ticks of a post aura are not judged, the others still flag it",
          "[checks][post]") {
  for (const std::int32_t pv : {v::v1_8, v::v1_21_4}) {
    INFO("protocol " << pv);
    Driver d(pv);
    d.spawn_at(0, 64, 0);
    // Four of every seven ticks arrive caught up, all at once (a loaded
    // host): movement, attack and the next movement within a few
    // milliseconds. Judged "not post", three of them in every seven would
    // keep each window of ten below min_post (8).
    for (int round = 0; round < 20; ++round) {
      for (int t = 0; t < 3; ++t) post_tick(d, false);
      for (int t = 0; t < 4; ++t) {
        d.rot(0, 0, true);
        d.advance_ms(1);
        d.attack(kTarget);
        swing(d);
        d.advance_ms(1);
      }
      d.advance_ms(44);
    }
    // 80 post attacks judged: a flag at every tenth.
    CHECK(d.count("killaura.post", "arrival") >= 3U);
    CHECK(d.max_vl("killaura.post") >= 2.5);
  }
}

}  // namespace killaura_post_test
