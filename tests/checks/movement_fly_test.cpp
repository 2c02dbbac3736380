#include <catch2/catch.hpp>

#include "movement_scenarios.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace movement_fly_test {

using namespace rustguard::test;

TEST_CASE("fly: jumping and falling after a jump or off a ledge are legal", "[checks][fly]") {
  for (const std::int32_t pv : {v::v1_8, v::v1_16_5, v::v1_21_4}) {
    Driver d(pv);
    d.spawn_at(0, 80, 0);
    VanillaMover m;
    m.y = 80;
    m.ground_y = 80;
    run(d, m, 40, [](int i) { return i % 12 == 0; });
    m.ground_y = 60;  // walks off a 20-block ledge
    run(d, m, 80, never);
    INFO(d.describe());
    CHECK(d.count("movement.fly") == 0);
    CHECK(d.count("movement.nofall") == 0);
  }
}

TEST_CASE("fly: jump boost is legal once acknowledged", "[checks][fly]") {
  Driver d(v::v1_12_2);
  d.spawn_at(0, 64, 0);
  d.effect(7, 2);  // jump boost III
  d.answer_all();
  VanillaMover m;
  m.jump_boost = 3;
  run(d, m, 100, always);
  INFO(d.describe());
  CHECK(d.count("movement.fly") == 0);
}

TEST_CASE("fly: rising in the air and hovering are flagged", "[checks][fly]") {
  Driver d(v::v1_21_4);
  d.spawn_at(0, 64, 0);
  double y = 64;
  for (int i = 0; i < 20; ++i) {  // climbs 0.5 a tick from the ground up
    y += 0.5;
    d.advance_ms(50);
    d.pos(0, y, 0, false);
  }
  CHECK(d.count("movement.fly", "air") > 5);

  Driver h(v::v1_8);
  h.spawn_at(0, 64, 0);
  double x = 0;
  for (int i = 0; i < 60; ++i) {  // level flight 3 blocks up
    x += 0.2;
    h.advance_ms(50);
    h.pos(x, 67, 0, false);
  }
  CHECK(h.count("movement.fly", "hover") >= 2);
}

TEST_CASE("fly: 1.21.2+ rising without a horizontal collision is not climbing", "[checks][fly]") {
  // 0.15 up per tick is a ladder climb for clients that report no collisions.
  Driver old(v::v1_21);
  old.spawn_at(0, 64, 0);
  Driver now(v::v1_21_4);
  now.spawn_at(0, 64, 0);
  for (int i = 1; i <= 20; ++i) {
    old.advance_ms(50);
    old.pos(0, 64 + 0.15 * i, 0, false);
    now.advance_ms(50);
    now.pos(0, 64 + 0.15 * i, 0, false);
  }
  CHECK(old.count("movement.fly") == 0);
  CHECK(now.count("movement.fly") > 0);
}

TEST_CASE("fly: creative flight and respawn reset", "[checks][fly]") {
  Driver d(v::v1_21_4);
  d.spawn_at(0, 64, 0);
  d.abilities_s2c(true, true);
  d.answer_all();
  for (int i = 1; i <= 20; ++i) {
    d.advance_ms(50);
    d.pos(0, 64 + 0.3 * i, 0, false);
  }
  CHECK(d.count("movement.fly") == 0);
  // Respawn far below: the next teleport restarts physics.
  d.respawn();
  d.spawn_at(100, 10, 100);
  VanillaMover m;
  m.x = 100;
  m.z = 100;
  m.y = 10;
  m.ground_y = 10;
  run(d, m, 40, always);
  INFO(d.describe());
  CHECK(d.count("movement.fly") == 0);
  CHECK(d.count("movement.teleport") == 0);
}

}  // namespace movement_fly_test
