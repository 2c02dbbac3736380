#include <catch2/catch.hpp>

#include "engine_driver.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace badpackets_fly_ability_test {

using namespace rustguard::test;

TEST_CASE("fly ability: creative flight is legal, survival flight is cancelled", "[checks][fly_ability]") {
  Driver d(v::v1_21_4);
  d.spawn_at(0, 64, 0);
  CHECK(d.abilities_c2s(true) == Verdict::cancel);
  CHECK(d.count("badpackets.fly_ability", "no_ability") == 1);

  Driver c(v::v1_8);
  c.spawn_at(0, 64, 0);
  c.game_mode(1);
  c.abilities_s2c(false, true, 0.05f);
  c.answer_all();
  CHECK(c.abilities_c2s(true) == Verdict::pass);
  CHECK(c.count("badpackets.fly_ability") == 0);
}

}  // namespace badpackets_fly_ability_test
