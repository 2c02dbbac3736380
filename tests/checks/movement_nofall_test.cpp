#include <catch2/catch.hpp>

#include "movement_scenarios.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace movement_nofall_test {

using namespace rustguard::test;

TEST_CASE("nofall: legit falls and landings on slabs are not flagged", "[checks][nofall]") {
  for (const std::int32_t pv : {v::v1_8, v::v1_21_4}) {
    Driver d(pv);
    d.spawn_at(0, 90.5, 0);
    VanillaMover m;
    m.y = 90.5;
    m.ground_y = 90.5;
    run(d, m, 20, never);
    m.ground_y = 70.5;  // slab floor 20 blocks down
    run(d, m, 80, [](int i) { return i % 15 == 0; });
    INFO(d.describe());
    CHECK(d.count("movement.nofall") == 0);
  }
}

TEST_CASE("nofall: claiming ground during a fall is flagged, 1.8 bool and 1.21.2 flags byte alike", "[checks][nofall]") {
  for (const std::int32_t pv : {v::v1_8, v::v1_21_4}) {
    Driver d(pv);
    d.spawn_at(0, 100, 0);
    double y = 100;
    double vy = 0;
    for (int i = 0; i < 25; ++i) {
      vy = (vy - 0.08) * 0.98;
      y += vy;
      d.advance_ms(50);
      d.pos(0, y, 0, true);  // the spoof: always on the ground
    }
    INFO(d.describe());
    CHECK(d.count("movement.nofall", "fall") > 10);
    CHECK(d.max_vl("movement.nofall") >= 5);
  }
}

TEST_CASE("nofall: claiming ground while rising or at no block height", "[checks][nofall]") {
  Driver d(v::v1_12_2);
  d.spawn_at(0, 64, 0);
  d.advance_ms(50);
  d.pos(0, 65.2, 0, true);
  CHECK(d.count("movement.nofall", "rise") == 1);
  for (int i = 0; i < 5; ++i) {
    d.advance_ms(50);
    d.pos(0.1 * i, 65.2, 0, true);  // standing in mid-air
  }
  CHECK(d.count("movement.nofall", "height") >= 1);
}

}  // namespace movement_nofall_test
