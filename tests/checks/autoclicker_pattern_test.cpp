#include <catch2/catch.hpp>

#include <array>

#include "combat_inputs.hpp"
#include "rustguard/checks/autoclicker/pattern.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace autoclicker_pattern_test {

using namespace rustguard::test;

namespace {
constexpr std::int32_t kTarget = 7;
const std::int32_t kVersions[] = {v::v1_8, v::v1_21_4, v::v26_1};

// A bot's clicks on its own timer: one click every `interval` ms (+- jitter),
// movement packets every 50 ms in between, as mineflayer does.
void timed_clicks(Driver& d, double seconds, double interval, double jitter, Jitter& j) {
  double next_click = interval, next_move = 50, t = 0;
  while (t < seconds * 1000) {
    const double next = std::min(next_click, next_move);
    d.advance_ms(next - t);
    t = next;
    if (next_click <= next_move) {
      click(d, kTarget);
      next_click += interval + j.next(jitter);
    } else {
      d.rot(0, 0, true);
      next_move += 50;
    }
  }
}
}  // namespace

TEST_CASE("pattern: statistics of a window", "[checks][pattern]") {
  using rustguard::checks::autoclicker::interval_stats;
  const std::array<double, 6> flat{71, 71, 71, 71, 71, 71};
  const auto f = interval_stats(flat, 6, 20);
  CHECK(f.mean == Approx(71));
  CHECK(f.deviation == Approx(0));
  CHECK(f.repeats == 5);
  const std::array<double, 6> spread{50, 100, 150, 100, 50, 300};
  const auto s = interval_stats(spread, 6, 20);
  CHECK(s.mean == Approx(125));
  CHECK(s.deviation > 80);
  CHECK(s.skewness > 0.5);  // the long one
  CHECK(s.outliers == 4);   // 50, 50, 150 and 300 against a median of 100
  CHECK(s.repeats == 0);
}

TEST_CASE("pattern: a flat 14 CPS schedule is flagged within 5 s", "[checks][pattern]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Driver d(pv);
    d.spawn_at(0, 64, 0);
    Jitter j(3);
    timed_clicks(d, 4.5, 71.4, 2, j);
    CHECK(d.count("autoclicker.pattern", "flat") >= 2);
    CHECK(d.max_vl("autoclicker.pattern") >= 1.5);  // the alert
    CHECK(d.count("autoclicker.cps") == 0);       // 14 CPS is under the cap
  }
}

TEST_CASE("pattern: humans at 8-12 CPS with jitter pass", "[checks][pattern]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Jitter j(11);
    {
      // A bot with human jitter (+-35 ms around 100 ms), as the e2e honest fights.
      Driver d(pv);
      d.spawn_at(0, 64, 0);
      timed_clicks(d, 60, 100, 35, j);
      CHECK(d.count("autoclicker.pattern") == 0);
    }
    {
      // A vanilla client: clicks land on ticks, 1-3 ticks apart.
      Driver d(pv);
      d.spawn_at(0, 64, 0);
      for (int t = 0; t < 1200; ++t) vanilla_tick(d, j.next(1) > 0.1 ? 1 : 0, kTarget);
      CHECK(d.count("autoclicker.pattern") == 0);
    }
  }
}

TEST_CASE("pattern: pauses and backlogs are left out, lag does not make a schedule flat", "[checks][pattern]") {
  Driver d(v::v1_21_4);
  d.spawn_at(0, 64, 0);
  Jitter j(23);
  for (int burst = 0; burst < 20; ++burst) {
    // Ten clicks of a human, delivered together after a stall, then a pause.
    for (int i = 0; i < 10; ++i) {
      click(d, kTarget);
      d.advance_ms(i % 3 == 0 ? 0.5 : 80 + j.next(30));
    }
    d.advance_ms(600);
  }
  CHECK(d.count("autoclicker.pattern") == 0);
}

}  // namespace autoclicker_pattern_test
