// The host's own lateness: when the live proxy says it read a player's bytes
// late (its event loop fell behind), flags judged from arrival times are
// held, so an overloaded proxy never accuses an honest player; flags judged
// from what packets say are not.

#include <catch2/catch.hpp>

#include "../checks/engine_driver.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace host_late_test {

using namespace rustguard;
using namespace rustguard::test;

namespace {

// 20 Hz on the ground for `ticks` ticks, transactions answered.
void walk_in_place(Driver& d, int ticks) {
  for (int i = 0; i < ticks; ++i) {
    d.advance_ms(50);
    d.answer_all();
    d.ground(true);
  }
}

// The host read nothing for `stall_ms` while an honest client kept sending:
// every tick's packet arrives at once when it catches up.
void stall_then_burst(Driver& d, int stall_ms, bool host_says_late) {
  d.advance_ms(stall_ms);
  if (host_says_late) d.engine.on_host_late(d.now, millis(stall_ms));
  for (int i = 0; i < stall_ms / 50; ++i) d.ground(true);
  d.answer_all();
}

}  // namespace

TEST_CASE("host late: a stalled proxy's burst is flagged without the report, held with it", "[engine][host_late]") {
  const std::int32_t pv = GENERATE(v::v1_8, v::v1_21_4);
  INFO(pv);
  Driver unaware(pv);
  unaware.spawn_at(0, 64, 0);
  walk_in_place(unaware, 40);
  stall_then_burst(unaware, 2'500, false);
  CHECK(unaware.count("timer.balance") >= 1);  // what RustGuard did before: an honest player accused

  Driver told(pv);
  told.spawn_at(0, 64, 0);
  walk_in_place(told, 40);
  stall_then_burst(told, 2'500, true);
  CHECK(told.count("timer.balance") == 0);
  CHECK(told.engine.timing_flags_held() >= 1);
  walk_in_place(told, 100);
  CHECK(told.count("timer.balance") == 0);  // the clock restarted at the held flag
}

TEST_CASE("host late: the hold ends, and a real timer cheat is flagged again", "[engine][host_late]") {
  Driver d(v::v1_21_4);
  d.spawn_at(0, 64, 0);
  walk_in_place(d, 40);
  stall_then_burst(d, 1'500, true);
  walk_in_place(d, 80);  // 4 s: past the 1.5 s delay + the 2 s hold
  REQUIRE(d.now >= d.engine.context().host_late_until);
  for (int i = 0; i < 200; ++i) {  // 2x game speed
    d.advance_ms(25);
    d.answer_all();
    d.ground(true);
  }
  CHECK(d.count("timer.balance") >= 1);
}

TEST_CASE("host late: a delay under the threshold changes nothing", "[engine][host_late]") {
  Driver d(v::v1_21_4);
  d.spawn_at(0, 64, 0);
  walk_in_place(d, 40);
  d.engine.on_host_late(d.now, millis(49));  // checks.engine.host_late_threshold_ms: 50
  CHECK(d.engine.context().host_late_until == Timestamp{});
  d.engine.on_host_late(d.now, millis(50));
  CHECK(d.engine.context().host_late_until == d.now + millis(50 + 2'000));
}

TEST_CASE("host late: flags judged from packet contents are never held", "[engine][host_late]") {
  Driver d(v::v1_21_4);
  d.spawn_at(0, 64, 0);
  walk_in_place(d, 20);
  d.engine.on_host_late(d.now, millis(1'000));
  d.rot(0, 95, true);  // pitch out of range: badpackets.pitch reads the packet, not the clock
  CHECK(d.count("badpackets.pitch") == 1);
  CHECK(d.engine.timing_flags_held() == 0);
}

TEST_CASE("host late: an unanswered transaction does not time out while the host is late",
          "[engine][host_late]") {
  Driver d(v::v1_21_4);
  d.spawn_at(0, 64, 0);
  d.velocity(0.1, 0, 0);  // a change, bracketed by transactions never answered
  for (int i = 0; i < 130; ++i) {
    d.engine.on_host_late(d.now, millis(1'000));
    d.advance_ms(500);
  }
  CHECK(d.count("badpackets.transaction", "timeout") == 0);
  CHECK(d.engine.timing_flags_held() >= 1);
  CHECK_FALSE(d.engine.kick_reason());
}

TEST_CASE("host late: without the report, the same silence times out", "[engine][host_late]") {
  Driver d(v::v1_21_4);
  d.spawn_at(0, 64, 0);
  d.velocity(0.1, 0, 0);
  for (int i = 0; i < 130; ++i) d.advance_ms(500);
  CHECK(d.count("badpackets.transaction", "timeout") == 1);
}

}  // namespace host_late_test
