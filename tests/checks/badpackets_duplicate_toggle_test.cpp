#include <catch2/catch.hpp>

#include "engine_driver.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace badpackets_duplicate_toggle_test {

using namespace rustguard::test;

TEST_CASE("duplicate toggle: alternating toggles pass, repeated ones are flagged", "[checks][duplicate_toggle]") {
  Driver d(v::v1_12_2);
  d.spawn_at(0, 64, 0);
  d.command(Driver::Command::start_sprint);
  d.command(Driver::Command::stop_sprint);
  d.command(Driver::Command::start_sneak);
  d.command(Driver::Command::stop_sneak);
  CHECK(d.count("badpackets.duplicate_toggle") == 0);
  d.command(Driver::Command::start_sprint);
  d.command(Driver::Command::start_sprint);
  d.command(Driver::Command::stop_sneak);
  CHECK(d.count("badpackets.duplicate_toggle", "sprint_start") == 1);
  CHECK(d.count("badpackets.duplicate_toggle", "sneak_stop") == 1);
}

}  // namespace badpackets_duplicate_toggle_test
