#include <catch2/catch.hpp>

#include "engine_driver.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace badpackets_held_item_test {

using namespace rustguard::test;

TEST_CASE("held item: changes pass, repeats and out-of-range slots are flagged", "[checks][held_item]") {
  Driver d(v::v1_21_4);
  d.spawn_at(0, 64, 0);
  CHECK(d.held(1) == Verdict::pass);
  CHECK(d.held(2) == Verdict::pass);
  CHECK(d.held(0) == Verdict::pass);
  CHECK(d.count("badpackets.held_item") == 0);
  d.held(0);
  CHECK(d.count("badpackets.held_item", "repeat") == 1);
  d.held(9);
  d.held(-1);
  CHECK(d.count("badpackets.held_item", "range") == 2);
}

TEST_CASE("held item: a respawn forgets the slot", "[checks][held_item]") {
  Driver d(v::v1_8);
  d.spawn_at(0, 64, 0);
  d.held(3);
  d.respawn();
  d.held(3);
  CHECK(d.count("badpackets.held_item") == 0);
}

}  // namespace badpackets_held_item_test
