#include <catch2/catch.hpp>

#include "movement_scenarios.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace movement_speed_test {

using namespace rustguard::test;

TEST_CASE("speed: walking, sprinting and sprint-jumping are within the envelope", "[checks][speed]") {
  for (const std::int32_t pv : {v::v1_8, v::v1_12_2, v::v1_21_4, v::v1_21_6}) {
    Driver d(pv);
    d.spawn_at(0, 64, 0);
    VanillaMover m;
    m.sprinting = false;
    run(d, m, 60, never);
    m.sprinting = true;
    run(d, m, 60, never);
    run(d, m, 200, always);  // bunny hop
    INFO(d.describe());
    CHECK(d.count("movement.speed") == 0);
    CHECK(d.count("movement.fly") == 0);
    CHECK(d.count("movement.nofall") == 0);
  }
}

TEST_CASE("speed: sprint-jumping with Speed II is legal once the effect is acknowledged", "[checks][speed]") {
  Driver d(v::v1_21_4);
  d.spawn_at(0, 64, 0);
  d.effect(0, 1);  // speed, amplifier 1 = Speed II
  VanillaMover m;
  m.speed_level = 2;
  run(d, m, 200, always);
  INFO(d.describe());
  CHECK(d.count("movement.speed") == 0);
}

TEST_CASE("speed: Speed II movement without the effect is flagged", "[checks][speed]") {
  // Sprinting on the ground: hopping hides in the ice allowance (docs/checks.md).
  Driver d(v::v1_21_4);
  d.spawn_at(0, 64, 0);
  VanillaMover m;
  m.speed_level = 2;
  run(d, m, 100, never);
  CHECK(d.count("movement.speed") > 0);
}

TEST_CASE("speed: a 1.5x speed cheat is flagged on the ground and hopping", "[checks][speed]") {
  for (const std::int32_t pv : {v::v1_8, v::v1_21_4}) {
    Driver d(pv);
    d.spawn_at(0, 64, 0);
    VanillaMover m;
    run(d, m, 100, never, 1.5);
    CHECK(d.count("movement.speed", "ground") > 0);
    Driver h(pv);
    h.spawn_at(0, 64, 0);
    VanillaMover hop;
    run(h, hop, 100, always, 1.5);
    CHECK(h.count("movement.speed") > 0);
    CHECK(h.max_vl("movement.speed") >= 10);
  }
}

TEST_CASE("speed: knockback is allowed between and after its acknowledgements, not before", "[checks][speed]") {
  Driver d(v::v1_21_4);
  d.spawn_at(0, 64, 0);
  VanillaMover m;
  run(d, m, 40, never);
  const auto decision = d.velocity(1.2, 0.4, 0);
  REQUIRE(decision.transaction_before);
  REQUIRE(decision.transaction_after);
  // The client processed the packet before the velocity: both states possible.
  d.answer(*decision.transaction_before);
  m.apply_velocity(1.2, 0.4, 0);
  for (int i = 0; i < 3; ++i) {
    m.tick(true, false);
    d.advance_ms(50);
    d.pos(m.x, m.y, m.z, m.on_ground);
  }
  d.answer(*decision.transaction_after);
  d.unanswered.clear();
  run(d, m, 40, never);
  INFO(d.describe());
  CHECK(d.count("movement.speed") == 0);
  CHECK(d.count("movement.fly") == 0);

  // Moving by the knockback before the client could have seen it is flagged.
  Driver early(v::v1_21_4);
  early.spawn_at(0, 64, 0);
  VanillaMover e;
  run(early, e, 40, never);
  early.velocity(1.2, 0.4, 0);
  e.apply_velocity(1.2, 0.4, 0);
  for (int i = 0; i < 3; ++i) {
    e.tick(true, false);
    early.advance_ms(50);
    early.pos(e.x, e.y, e.z, e.on_ground);
  }
  CHECK(early.count("movement.speed") > 0);
}

TEST_CASE("speed: creative flight is judged by the flying envelope", "[checks][speed]") {
  Driver d(v::v1_21_4);
  d.spawn_at(0, 64, 0);
  d.game_mode(1);
  d.abilities_s2c(false, true);
  d.answer_all();
  d.abilities_c2s(true);
  double x = 0;
  double v = 0;
  for (int i = 0; i < 60; ++i) {  // sprint-flying: 0.1 acceleration, air friction
    v = v * 0.91 + 0.1 * 0.98;
    x += v;
    d.advance_ms(50);
    d.pos(x, 70, 0, false);
  }
  CHECK(d.count("movement.speed") == 0);
  CHECK(d.count("movement.fly") == 0);
}

}  // namespace movement_speed_test
