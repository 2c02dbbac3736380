#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>

#include "entity_inputs.hpp"
#include "rustguard/checks/combat/attack_geometry.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace combat_reach_test {

using namespace rustguard::test;
using rustguard::protocol::Vec3;

namespace {

const std::int32_t kVersions[] = {v::v1_8, v::v1_21_4, v::v26_1};
constexpr std::int32_t kTarget = 100;
const Vec3 kFeet{0.5, 64, 0.5};
constexpr double kStandingEye = 1.62;

// A target player whose box's near face is `face` blocks in front of the
// player (+z), at the same height.
Vec3 target_at(double face) { return {kFeet.x, kFeet.y, kFeet.z + face + 0.3}; }

Look look_at_target(Vec3 target) {
  return look_at({kFeet.x, kFeet.y + kStandingEye, kFeet.z}, {target.x, target.y + 1.0, target.z});
}

// The player standing at kFeet, and a target spawned at `at`, known to the client.
void setup(Driver& d, Vec3 at) {
  d.spawn_at(kFeet.x, kFeet.y, kFeet.z);
  spawn_player_entity(d, kTarget, at);
  d.answer_all();
  for (int i = 0; i < 3; ++i) stand_tick(d, kFeet, look_at_target(at));
}

// Until the client certainly shows the entity where the server put it last:
// a heartbeat transaction after the next entity packet, answered, and the
// interpolation ticks.
void settle(Driver& d, Vec3 at) {
  d.advance_ms(1100);
  place_entity(d, kTarget, at);
  REQUIRE_FALSE(d.unanswered.empty());
  d.answer_all();
  for (int i = 0; i < 6; ++i) stand_tick(d, kFeet, look_at_target(at));
}

}  // namespace

TEST_CASE("reach: honest hits at 2.9 blocks pass on 1.8, 1.21.4 and 26.1", "[checks][reach]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Driver d(pv);
    const Vec3 at = target_at(2.9);
    setup(d, at);
    for (int i = 0; i < 20; ++i) CHECK(attack_tick(d, kTarget, kFeet, look_at_target(at)) == Verdict::pass);
    CHECK(d.count("combat.reach") == 0);
  }
}

TEST_CASE("reach: a target that moved away is hittable where the client may still show it", "[checks][reach]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Driver d(pv);
    const Vec3 near = target_at(2.9);
    setup(d, near);
    // The server moves it 3 blocks away; the client has not acknowledged
    // the transaction after the move: it may still show it at 2.9.
    const Vec3 far = target_at(5.9);
    place_entity(d, kTarget, far);
    for (int i = 0; i < 3; ++i) CHECK(attack_tick(d, kTarget, kFeet, look_at_target(near)) == Verdict::pass);
    CHECK(d.count("combat.reach") == 0);
    // Once the client certainly shows it at 5.9 (and interpolated there),
    // the same hit is impossible: flagged and cancelled.
    settle(d, far);
    CHECK(attack_tick(d, kTarget, kFeet, look_at_target(far)) == Verdict::cancel);
    CHECK(d.count("combat.reach", "distance") == 1);
  }
}

TEST_CASE("reach: 3.3 and 4.5 blocks are flagged and cancelled on every layout", "[checks][reach]") {
  for (const std::int32_t pv : kVersions) {
    for (const double face : {3.3, 4.5}) {
      INFO("protocol " << pv << " reach " << face);
      Driver d(pv);
      const Vec3 at = target_at(face);
      setup(d, at);
      for (int i = 0; i < 5; ++i) CHECK(attack_tick(d, kTarget, kFeet, look_at_target(at)) == Verdict::cancel);
      CHECK(d.count("combat.reach", "distance") == 5);
      CHECK(d.max_vl("combat.reach") >= 3);  // the alert
    }
  }
}

TEST_CASE("reach: 1.8 boxes are 0.1 larger (the collision border)", "[checks][reach]") {
  // 3.08 blocks to the box: within 3.0 + 0.1 on 1.8, not on 1.21.4.
  const Vec3 at = target_at(3.08);
  Driver old(v::v1_8);
  setup(old, at);
  CHECK(attack_tick(old, kTarget, kFeet, look_at_target(at)) == Verdict::pass);
  CHECK(old.count("combat.reach") == 0);
  Driver modern(v::v1_21_4);
  setup(modern, at);
  CHECK(attack_tick(modern, kTarget, kFeet, look_at_target(at)) == Verdict::cancel);
  CHECK(modern.count("combat.reach") == 1);
}

TEST_CASE("reach: a sneaking eye reaches a lower target the standing eye cannot", "[checks][reach]") {
  // The target stands 2 blocks lower, its box 2.55 blocks away horizontally:
  // 3.13 from the standing eye (1.62), 2.94 from the crouching one (1.27).
  for (const std::int32_t pv : {v::v1_21_4, v::v26_1}) {
    INFO("protocol " << pv);
    Driver d(pv);
    const Vec3 at{kFeet.x, kFeet.y - 2, kFeet.z + 2.55 + 0.3};
    setup(d, at);
    const Look look = look_at({kFeet.x, kFeet.y + 1.27, kFeet.z}, {at.x, at.y + 1.7, at.z - 0.25});
    CHECK(attack_tick(d, kTarget, kFeet, look) == Verdict::pass);
    CHECK(d.count("combat.reach") == 0);
  }
}

TEST_CASE("reach: the eye heights of each version", "[checks][reach]") {
  using rustguard::checks::combat::eye_heights;
  const auto has = [](const auto& eyes, double h) {
    return std::any_of(eyes.heights.begin(), eyes.heights.begin() + eyes.count,
                       [h](double e) { return std::abs(e - h) < 1e-9; });
  };
  Driver old(v::v1_8);
  const auto e8 = eye_heights(old.engine.context());
  CHECK(e8.count == 2);
  CHECK(has(e8, 1.62));
  CHECK(has(e8, 1.54));
  Driver modern(v::v1_21_4);
  const auto e21 = eye_heights(modern.engine.context());
  CHECK(has(e21, 1.62));
  CHECK(has(e21, 1.27));
  CHECK(has(e21, 0.4));  // swimming, crawling and gliding, which the proxy cannot rule out
  CHECK_FALSE(has(e21, 1.54));
}

TEST_CASE("reach: creative reaches 6 blocks before 1.20.5 and 5 from it", "[checks][reach]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Driver d(pv);
    const Vec3 at = target_at(4.5);
    setup(d, at);
    d.game_mode(1);
    d.answer_all();
    stand_tick(d, kFeet, look_at_target(at));
    CHECK(attack_tick(d, kTarget, kFeet, look_at_target(at)) == Verdict::pass);
    CHECK(d.count("combat.reach") == 0);
    // Creative on 1.8 reaches 6: 5.5 passes there, and only there.
    const Vec3 farther = target_at(5.5);
    settle(d, farther);
    CHECK(attack_tick(d, kTarget, kFeet, look_at_target(farther)) == (pv == v::v1_8 ? Verdict::pass : Verdict::cancel));
    CHECK(d.count("combat.reach") == (pv == v::v1_8 ? 0u : 1u));
    // Back in survival (acknowledged), 4.5 is out of reach again.
    settle(d, at);
    d.game_mode(0);
    d.answer_all();
    stand_tick(d, kFeet, look_at_target(at));
    const std::size_t before = d.count("combat.reach");
    CHECK(attack_tick(d, kTarget, kFeet, look_at_target(at)) == Verdict::cancel);
    CHECK(d.count("combat.reach") == before + 1);
  }
}

TEST_CASE("reach: an unknown target is no evidence", "[checks][reach]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Driver d(pv);
    setup(d, target_at(2.9));
    // Entity 555 was never spawned to this client as far as RustGuard saw.
    for (int i = 0; i < 5; ++i) CHECK(attack_tick(d, 555, kFeet, {0, 0}) == Verdict::pass);
    CHECK(d.count("combat.reach") == 0);
    CHECK(d.count("combat.hitbox") == 0);
  }
}

TEST_CASE("reach: a scaled target's box grows and shrinks with its scale, lag-compensated", "[checks][reach]") {
  // The target's centre 3.4 blocks away: its unscaled face is 3.1 away
  // (out of reach); at scale 2 its box is 1.2 wide and the face 2.8 away.
  for (const std::int32_t pv : {v::v1_21_4, v::v26_1}) {
    INFO("protocol " << pv);
    Driver d(pv);
    const Vec3 at = target_at(3.1);
    setup(d, at);
    REQUIRE(set_entity_scale(d, kTarget, 2.0));
    // Not acknowledged yet: either box may show; the larger one is hittable.
    CHECK(attack_tick(d, kTarget, kFeet, look_at_target(at)) == Verdict::pass);
    settle(d, at);
    for (int i = 0; i < 5; ++i) CHECK(attack_tick(d, kTarget, kFeet, look_at_target(at)) == Verdict::pass);
    CHECK(d.count("combat.reach") == 0);
    // Back to scale 1: until the client acknowledged it, the big box stays possible.
    REQUIRE(set_entity_scale(d, kTarget, 1.0));
    CHECK(attack_tick(d, kTarget, kFeet, look_at_target(at)) == Verdict::pass);
    CHECK(d.count("combat.reach") == 0);
    settle(d, at);
    CHECK(attack_tick(d, kTarget, kFeet, look_at_target(at)) == Verdict::cancel);
    CHECK(d.count("combat.reach", "distance") == 1);
  }
}

TEST_CASE("reach: a target sized by its metadata (a slime) is no evidence", "[checks][reach]") {
  // A slime's box comes from its size in metadata (up to 127 by command),
  // which the tracker does not read: a hit 4.5 blocks from the smallest
  // slime's box may be honest.
  for (const std::int32_t pv : {v::v1_21_4, v::v26_1}) {
    INFO("protocol " << pv);
    const auto types = rustguard::context::detail::entity_table(pv).types;
    std::int32_t slime = -1;
    for (std::size_t i = 0; i < types.size(); ++i) {
      if (types[i].sized_by_metadata && types[i].width < 0.6f) slime = static_cast<std::int32_t>(i);
    }
    REQUIRE(slime >= 0);
    Driver d(pv);
    setup(d, target_at(2.9));
    constexpr std::int32_t kSlime = 200;
    const Vec3 far = target_at(4.5);
    spawn_typed_entity(d, kSlime, slime, far);
    settle(d, target_at(2.9));
    for (int i = 0; i < 5; ++i) CHECK(attack_tick(d, kSlime, kFeet, look_at_target(far)) == Verdict::pass);
    CHECK(d.count("combat.reach") == 0);
  }
}

TEST_CASE("reach: leeway and cancel_vl are settings", "[checks][reach]") {
  auto cfg = std::make_shared<rustguard::engine::EngineConfig>();
  auto& reach = cfg->get<rustguard::checks::combat::ReachCheck>();
  reach.params.leeway = 0.5;
  reach.limits.cancel_vl = 0;  // observe only
  Driver d(v::v1_21_4, cfg);
  const Vec3 at = target_at(3.3);
  setup(d, at);
  CHECK(attack_tick(d, kTarget, kFeet, look_at_target(at)) == Verdict::pass);
  CHECK(d.count("combat.reach") == 0);  // within the wider leeway
  const Vec3 far = target_at(3.6);
  settle(d, far);
  CHECK(attack_tick(d, kTarget, kFeet, look_at_target(far)) == Verdict::pass);  // flagged, not cancelled
  CHECK(d.count("combat.reach") == 1);
}

}  // namespace combat_reach_test
