#include <catch2/catch.hpp>

#include "combat_inputs.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace autoclicker_cps_test {

using namespace rustguard::test;

namespace {
constexpr std::int32_t kTarget = 7;
const std::int32_t kVersions[] = {v::v1_8, v::v1_21_4, v::v26_1};

// A human at about 10 CPS: 1 to 3 ticks between clicks, hits and misses.
void human(Driver& d, int ticks, Jitter& j, const TickOptions& o = {}) {
  int wait = 0;
  for (int t = 0; t < ticks; ++t) {
    if (wait-- <= 0) {
      click(d, j.next(1) > -0.6 ? kTarget : -1);
      wait = 1 + static_cast<int>(j.next(1) + 1);  // 1..2 more ticks
    }
    end_tick(d, o);
  }
}
}  // namespace

TEST_CASE("cps: a human at 8-12 CPS passes; a swing and the attack of one click count once", "[checks][cps]") {
  for (const std::int32_t pv : kVersions) {
    for (const bool tick_end : {true, false}) {
      INFO("protocol " << pv << " tick end " << tick_end);
      Driver d(pv);
      d.spawn_at(0, 64, 0);
      Jitter j(17);
      human(d, 400, j, {.tick_end = tick_end});
      // 15 clicks a second, every one a hit (swing + attack): 15, not 30.
      for (int t = 0; t < 100; ++t) vanilla_tick(d, t % 4 == 3 ? 0 : 1, kTarget, {.tick_end = tick_end});
      CHECK(d.count("autoclicker.cps") == 0);
    }
  }
}

TEST_CASE("cps: 20 clicks a second are flagged within a few seconds", "[checks][cps]") {
  for (const std::int32_t pv : kVersions) {
    for (const bool tick_end : {true, false}) {
      INFO("protocol " << pv << " tick end " << tick_end);
      Driver d(pv);
      d.spawn_at(0, 64, 0);
      for (int t = 0; t < 60; ++t) vanilla_tick(d, 1, t % 2 ? kTarget : -1, {.tick_end = tick_end});
      CHECK(d.count("autoclicker.cps", "cps") >= 2);
      CHECK(d.max_vl("autoclicker.cps") >= 1.5);  // the alert, within 3 s
    }
  }
}

TEST_CASE("cps: clicks stop counting when their tick leaves the window", "[checks][cps]") {
  // max_cps 16 over 20 ticks (the defaults): 16 clicks in a window pass.
  // Clicks in ticks 0-15, none in 16-19, then one every tick from 20: each
  // new click's window has one old click fewer, so it stays at 16 until tick
  // 35; at tick 36 the window (17-36) holds 17 new ones.
  for (const std::int32_t pv : kVersions) {
    for (const bool tick_end : {true, false}) {
      INFO("protocol " << pv << " tick end " << tick_end);
      Driver d(pv);
      d.spawn_at(0, 64, 0);
      int first_flag = -1;
      for (int t = 0; t < 40 && first_flag < 0; ++t) {
        vanilla_tick(d, t < 16 || t >= 20 ? 1 : 0, kTarget, {.tick_end = tick_end});
        if (d.count("autoclicker.cps", "cps") > 0) first_flag = t;
      }
      CHECK(first_flag == 36);
    }
  }
}

TEST_CASE("cps: swings while digging are not clicks", "[checks][cps]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Driver d(pv);
    d.spawn_at(0, 64, 0);
    for (int block = 0; block < 10; ++block) {
      // Hold the button on a block: start, a swing every tick, finish, then the
      // block-hit delay's swings before the next block.
      dig(d, 0);
      swing(d);
      end_tick(d);
      for (int t = 0; t < 25; ++t) {
        swing(d);
        end_tick(d);
      }
      dig(d, 2);
      for (int t = 0; t < 5; ++t) {
        swing(d);
        end_tick(d);
      }
    }
    CHECK(d.count("autoclicker.cps") == 0);
  }
}

TEST_CASE("cps: the swing of a dropped item is not a click", "[checks][cps]") {
  for (const std::int32_t pv : {v::v1_21_4, v::v26_1}) {
    INFO("protocol " << pv);
    Driver d(pv);
    d.spawn_at(0, 64, 0);
    for (int t = 0; t < 60; ++t) {
      dig(d, 4);  // drop one item (the Q key), which swings the main hand
      swing(d);
      end_tick(d);
    }
    CHECK(d.count("autoclicker.cps") == 0);
  }
}

TEST_CASE("cps: a lag backlog delivered at once is counted in ticks, not flagged", "[checks][cps]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Driver d(pv);
    d.spawn_at(0, 64, 0);
    Jitter j(5);
    human(d, 100, j);
    d.advance_ms(1500);
    human(d, 60, j, {.ms = 0});  // 3 s of play arrives in one instant
    human(d, 100, j);
    CHECK(d.count("autoclicker.cps") == 0);
  }
}

TEST_CASE("cps: without tick ends, gaps a little short or long count whole ticks", "[checks][cps]") {
  // 1.9+ without Client Tick End, standing still: a movement packet every
  // second tick. Exactly 16 clicks in every 20 ticks, the most allowed.
  const auto sixteen_of_twenty = [](int t) { return t % 5 != 4; };
  for (const std::int32_t pv : {v::v1_20, v::v1_21_4}) {
    for (const double ms : {42.5, 57.5}) {
      // 42.5: a backlog draining after a stall (each 2-tick gap 85 ms);
      // 57.5: a link getting slower (115 ms).
      INFO("protocol " << pv << ", " << ms << " ms a tick");
      Driver d(pv);
      d.spawn_at(0, 64, 0);
      for (int t = 0; t < 400; ++t) {
        vanilla_tick(d, sixteen_of_twenty(t) ? 1 : 0, kTarget, {.tick_end = false, .move = t % 2 == 1, .ms = ms});
      }
      CHECK(d.count("autoclicker.cps") == 0);
    }
  }
}

TEST_CASE("cps: 20 clicks a second standing still (a movement packet a second) are flagged", "[checks][cps]") {
  for (const std::int32_t pv : {v::v1_20, v::v1_21_4}) {
    INFO("protocol " << pv);
    Driver d(pv);
    d.spawn_at(0, 64, 0);
    for (int t = 0; t < 100; ++t) vanilla_tick(d, 1, kTarget, {.tick_end = false, .move = t % 20 == 19});
    CHECK(d.count("autoclicker.cps", "cps") >= 2);
  }
}

}  // namespace autoclicker_cps_test
