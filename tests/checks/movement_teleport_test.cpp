#include <catch2/catch.hpp>

#include "movement_scenarios.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace movement_teleport_test {

using namespace rustguard::test;

TEST_CASE("teleport: a confirmed server teleport makes a long jump legal", "[checks][teleport]") {
  for (const std::int32_t pv : {v::v1_8, v::v1_12_2, v::v1_21_4}) {
    Driver d(pv);
    d.spawn_at(0, 64, 0);
    d.teleport(500, 70, -300, 9);
    // Movement in flight from the old position is still fine.
    d.advance_ms(50);
    d.pos(0.1, 64, 0, true);
    if (rustguard::protocol::has_teleport_confirm(pv)) d.confirm(9);
    d.pos_rot(500, 70, -300, 0, 0, false);
    VanillaMover m;
    m.x = 500;
    m.y = 70;
    m.z = -300;
    m.ground_y = 70;
    run(d, m, 20, never);
    INFO(d.describe());
    CHECK(d.count("movement.teleport") == 0);
    CHECK(d.count("movement.speed") == 0);
    CHECK(d.count("timer.balance") == 0);
  }
}

TEST_CASE("teleport: a 10-block jump is flagged with a setback outcome", "[checks][teleport]") {
  Driver d(v::v1_21_4);
  d.spawn_at(0, 64, 0);
  d.advance_ms(50);
  d.pos(0.2, 64, 0, true);
  d.advance_ms(50);
  d.pos(10.2, 64, 0, true);
  CHECK(d.count("movement.teleport", "jump") == 1);
  const rustguard::Violation* jump = nullptr;
  for (const rustguard::Violation& v : d.engine.violations()) {
    if (v.check == "movement.teleport" && v.type == "jump") jump = &v;
  }
  REQUIRE(jump != nullptr);
  CHECK(rustguard::has(jump->outcome, rustguard::Outcome::setback));
}

TEST_CASE("teleport: forged, skipped and ignored confirmations", "[checks][teleport]") {
  Driver d(v::v1_21_4);
  d.spawn_at(0, 64, 0);
  d.confirm(77);
  CHECK(d.count("movement.teleport", "confirm_unknown") == 1);
  d.teleport(5, 64, 5, 2);
  d.teleport(6, 64, 6, 3);
  d.confirm(3);
  CHECK(d.count("movement.teleport", "confirm_order") == 1);
  // Landing on an unconfirmed target is no teleport answer.
  Driver u(v::v1_21_4);
  u.spawn_at(0, 64, 0);
  u.teleport(40, 64, 0, 5);
  for (int i = 0; i < 240; ++i) {
    u.advance_ms(50);
    u.ground(true);
  }
  CHECK(u.count("movement.teleport", "ignored") == 1);
  u.pos(40, 64, 0, true);
  CHECK(u.count("movement.teleport", "jump") == 1);
}

}  // namespace movement_teleport_test
