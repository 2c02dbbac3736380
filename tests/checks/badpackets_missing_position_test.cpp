#include <catch2/catch.hpp>

#include "engine_driver.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace badpackets_missing_position_test {

using namespace rustguard::test;

TEST_CASE("missing position: the 20-tick reminder satisfies it, withheld movement does not", "[checks][missing_position]") {
  Driver d(v::v1_21_4);
  d.spawn_at(0, 64, 0);
  // Vanilla standing still: tick ends every tick, a movement packet every 20.
  for (int i = 0; i < 200; ++i) {
    d.tick_end();
    if (i % 20 == 19) d.ground(true);
  }
  CHECK(d.count("badpackets.missing_position") == 0);
  for (int i = 0; i < 30; ++i) d.tick_end();
  CHECK(d.count("badpackets.missing_position", "reminder") == 1);
}

TEST_CASE("missing position: clients without tick end (mineflayer) are never judged", "[checks][missing_position]") {
  Driver d(v::v1_8);
  d.spawn_at(0, 64, 0);
  for (int i = 0; i < 100; ++i) d.advance_ms(50);
  CHECK(d.count("badpackets.missing_position") == 0);
}

}  // namespace badpackets_missing_position_test
