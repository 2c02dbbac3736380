#include <catch2/catch.hpp>

#include "engine_driver.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace badpackets_sprint_food_test {

using namespace rustguard::test;

TEST_CASE("sprint food: sprinting hungry is flagged once the client knows it is hungry", "[checks][sprint_food]") {
  Driver d(v::v1_21_4);
  d.spawn_at(0, 64, 0);
  d.command(Driver::Command::start_sprint);
  d.command(Driver::Command::stop_sprint);
  d.health(6);
  // Not yet acknowledged: the client may still believe it has food.
  d.command(Driver::Command::start_sprint);
  d.command(Driver::Command::stop_sprint);
  CHECK(d.count("badpackets.sprint_food") == 0);
  d.answer_all();
  d.command(Driver::Command::start_sprint);
  CHECK(d.count("badpackets.sprint_food", "hunger") == 1);
}

TEST_CASE("sprint food: players who may fly sprint hungry", "[checks][sprint_food]") {
  Driver d(v::v1_12_2);
  d.spawn_at(0, 64, 0);
  d.abilities_s2c(false, true);
  d.health(2);
  d.answer_all();
  d.command(Driver::Command::start_sprint);
  CHECK(d.count("badpackets.sprint_food") == 0);
}

}  // namespace badpackets_sprint_food_test
