#include <catch2/catch.hpp>

#include <cstdint>

#include "entity_inputs.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace combat_hitbox_test {

using namespace rustguard::test;
using rustguard::protocol::Vec3;

namespace {

const std::int32_t kVersions[] = {v::v1_8, v::v1_21_4, v::v26_1};
constexpr std::int32_t kTarget = 100;
const Vec3 kFeet{0.5, 64, 0.5};
const Vec3 kEye{kFeet.x, kFeet.y + 1.62, kFeet.z};
const Vec3 kAt{kFeet.x, kFeet.y, kFeet.z + 2.6};  // box 2.3 to 2.9 blocks in front (+z)

Look at_chest(Vec3 target) { return look_at(kEye, {target.x, target.y + 1.2, target.z}); }

void setup(Driver& d, Vec3 at, Look look) {
  d.spawn_at(kFeet.x, kFeet.y, kFeet.z);
  spawn_player_entity(d, kTarget, at);
  d.answer_all();
  for (int i = 0; i < 3; ++i) stand_tick(d, kFeet, look);
}

}  // namespace

TEST_CASE("hitbox: looking at the target passes", "[checks][hitbox]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Driver d(pv);
    setup(d, kAt, at_chest(kAt));
    for (int i = 0; i < 20; ++i) attack_tick(d, kTarget, kFeet, at_chest(kAt));
    // Aiming at the box's edges and its feet as well.
    attack_tick(d, kTarget, kFeet, look_at(kEye, {kAt.x + 0.29, kAt.y + 0.05, kAt.z - 0.3}));
    attack_tick(d, kTarget, kFeet, look_at(kEye, {kAt.x - 0.29, kAt.y + 1.79, kAt.z - 0.3}));
    CHECK(d.count("combat.hitbox") == 0);
    CHECK(d.count("combat.reach") == 0);
  }
}

TEST_CASE("hitbox: a flick onto the target within the attack's tick passes", "[checks][hitbox]") {
  // The last look reported points away; the tick's own look, sent after the
  // attack, is on the target.
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Driver d(pv);
    setup(d, kAt, {90, 0});
    attack_tick(d, kTarget, kFeet, at_chest(kAt));
    CHECK(d.count("combat.hitbox") == 0);
  }
}

TEST_CASE("hitbox: a 1.9+ client that did not turn judges by its last look at tick end", "[checks][hitbox]") {
  for (const std::int32_t pv : {v::v1_21_4, v::v26_1}) {
    INFO("protocol " << pv);
    Driver d(pv);
    setup(d, kAt, at_chest(kAt));
    // Still, aiming at the target: no movement packet in the tick.
    d.attack(kTarget);
    d.tick_end();
    d.advance_ms(50);
    CHECK(d.count("combat.hitbox") == 0);
    // Still, aiming the other way.
    stand_tick(d, kFeet, {180, 0});
    d.attack(kTarget);
    d.tick_end();
    d.advance_ms(50);
    CHECK(d.count("combat.hitbox", "miss") == 1);
  }
}

TEST_CASE("hitbox: attacks while looking away from the target are flagged", "[checks][hitbox]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Driver d(pv);
    const Look away{180, -60};  // facing -z and up, the target is at +z
    setup(d, kAt, away);
    for (int i = 0; i < 5; ++i) {
      // The attack passes to the server: the look that proves it impossible comes after it.
      CHECK(attack_tick(d, kTarget, kFeet, away) == Verdict::pass);
    }
    CHECK(d.count("combat.hitbox", "miss") == 5);
    CHECK(d.max_vl("combat.hitbox") >= 3);  // the alert
    CHECK(d.count("combat.reach") == 0);    // within reach: not reach's
    // Looking over its head misses too (45 degrees up: from the lowest eye,
    // 0.4 when swimming, a look just over the head would still cross the box).
    attack_tick(d, kTarget, kFeet, {look_at(kEye, kAt).yaw, -45});
    CHECK(d.count("combat.hitbox", "miss") == 6);
  }
}

TEST_CASE("hitbox: a look entering the box only beyond the range is flagged as range", "[checks][hitbox]") {
  // The box's nearest point is 2.75 away, but the look passes beside its
  // near face and enters through the side at 3.14.
  for (const std::int32_t pv : {v::v1_21_4, v::v26_1}) {
    INFO("protocol " << pv);
    Driver d(pv);
    const Vec3 at{kFeet.x + 0.8, kFeet.y, kFeet.z + 3.0};  // x 0.5..1.1, z 2.7..3.3 relative to the player
    const Look grazing = look_at(kEye, {kFeet.x + 0.5, kEye.y, kFeet.z + 3.3});
    setup(d, at, grazing);
    CHECK(attack_tick(d, kTarget, kFeet, grazing) == Verdict::pass);
    CHECK(d.count("combat.hitbox", "range") == 1);
    CHECK(d.count("combat.reach") == 0);
    // Aimed at the near face instead, it is a hit.
    attack_tick(d, kTarget, kFeet, look_at(kEye, {at.x, at.y + 1, at.z - 0.3}));
    CHECK(d.count("combat.hitbox") == 1);
  }
}

TEST_CASE("hitbox: an attack out of reach is combat.reach's alone", "[checks][hitbox]") {
  // The box's near face 3.05 (and 3.07) blocks in front, looked at square:
  // beyond 3.0 + reach's leeway 0.03, so reach flags it; hitbox, whose boxes
  // are grown by its own leeway, must not judge it again.
  for (const std::int32_t pv : {v::v1_21_4, v::v26_1}) {
    for (const double face : {3.05, 3.07}) {
      INFO("protocol " << pv << " face " << face);
      Driver d(pv);
      const Vec3 at{kFeet.x, kFeet.y, kFeet.z + face + 0.3};
      const Look square = look_at(kEye, {at.x, kEye.y, at.z - 0.3});
      setup(d, at, square);
      CHECK(attack_tick(d, kTarget, kFeet, square) == Verdict::cancel);
      CHECK(d.count("combat.reach") == 1);
      CHECK(d.count("combat.hitbox") == 0);
    }
  }
}

TEST_CASE("hitbox: a target the server moved but the client has not acknowledged is hit where it was",
          "[checks][hitbox]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Driver d(pv);
    setup(d, kAt, at_chest(kAt));
    // Moved 1.5 blocks to the side; the client may not have it yet.
    place_entity(d, kTarget, {kAt.x + 1.5, kAt.y, kAt.z});
    attack_tick(d, kTarget, kFeet, at_chest(kAt));
    CHECK(d.count("combat.hitbox") == 0);
  }
}

TEST_CASE("hitbox: the flag does not drop the movement packet it is judged at, even with a cancel_vl",
          "[checks][hitbox]") {
  auto cfg = std::make_shared<rustguard::engine::EngineConfig>();
  cfg->get<rustguard::checks::combat::HitboxCheck>().limits.cancel_vl = 1;
  Driver d(v::v1_21_4, cfg);
  setup(d, kAt, {180, 0});
  CHECK(d.attack(kTarget) == Verdict::pass);
  CHECK(d.pos_rot(kFeet.x, kFeet.y, kFeet.z, 180, 0, true) == Verdict::pass);
  CHECK(d.count("combat.hitbox", "miss") == 1);
}

}  // namespace combat_hitbox_test
