#include <catch2/catch.hpp>

#include <cmath>
#include <memory>
#include <vector>

#include "aim_inputs.hpp"
#include "rustguard/checks/aim/snap.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace aim_snap_test {

using namespace rustguard::test;

namespace {
const std::int32_t kVersions[] = {v::v1_8, v::v1_21_4, v::v26_1};
constexpr std::int32_t kFront = 100;  // at +z: in front of yaw 0
constexpr std::int32_t kSide = 101;   // at +x: in front of yaw -90
const Vec3 kSelf{0.5, 64, 0.5};
const Vec3 kFrontAt{0.5, 64, 3.5};
const Vec3 kSideAt{3.5, 64, 0.5};

struct Aim {
  float yaw;
  float pitch;
};
// The look from a standing eye at kSelf to the middle of entity `id` standing
// at `feet`, by the height the tracker gives its type (spawn_other's type id
// is no player in 26.1, and a smaller box).
Aim aim_at(const Driver& d, std::int32_t id, const Vec3& feet) {
  const auto info = d.engine.context().entities.info(id);
  const double height = info ? info->dimensions.height : 1.8;
  const Vec3 eye{kSelf.x, kSelf.y + 1.62, kSelf.z};
  const Vec3 middle{feet.x, feet.y + height / 2, feet.z};
  return {static_cast<float>(yaw_to(eye, middle)), static_cast<float>(pitch_to(eye, middle))};
}

Driver& arena(Driver& d) {
  d.spawn_at(kSelf.x, kSelf.y, kSelf.z);
  spawn_other(d, kFront, kFrontAt);
  spawn_other(d, kSide, kSideAt);
  d.answer_all();
  look_tick(d, 90, 0);  // facing -x: the front player 90 degrees off, the side one behind
  return d;
}

// A few ticks of a still hand, turning a little (no look is sent twice).
void calm(Driver& d, float yaw, float pitch, int ticks = 3) {
  for (int t = 1; t <= ticks; ++t) look_tick(d, yaw + 0.3f * static_cast<float>(t), pitch);
}

// The share of a hand's flick done after `i` of `n` ticks: the minimum-jerk
// profile of aimed arm and wrist movements (slow start, fastest midway, slow
// landing).
double flick_share(int i, int n) {
  const double s = static_cast<double>(i) / n;
  return s * s * s * (10 - 15 * s + 6 * s * s);
}
}  // namespace

TEST_CASE("aim.snap: attacks in the tick the look jumped onto the target after a calm tick are flagged",
          "[checks][aim_snap]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Driver d(pv);
    arena(d);
    const Aim front = aim_at(d, kFront, kFrontAt);
    for (int round = 0; round < 4; ++round) {
      calm(d, 90, 0);
      // The aura turns onto the target for the hit, then back to the player's look.
      click(d, kFront);
      look_tick(d, front.yaw, front.pitch);
      look_tick(d, 90, 0);
      if (round == 0) {
        CHECK(d.count("aim.snap", "snap") == 1);
        CHECK(d.max_vl("aim.snap") < 3);  // one snap alone raises no alert
      }
    }
    CHECK(d.count("aim.snap", "snap") == 4);
    CHECK(d.max_vl("aim.snap") >= 3);  // the alert
  }
}

TEST_CASE("aim.snap: tracking a moving target passes", "[checks][aim_snap]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Driver d(pv);
    arena(d);
    // The front player circles round at 3 blocks, 6 degrees a tick; the
    // player follows a tick late (where it saw the target last) and hits
    // every third tick.
    Vec3 seen = kFrontAt;
    for (int t = 1; t <= 60; ++t) {
      const double a = 6.0 * t / kDeg;
      const Vec3 at{kSelf.x - 3 * std::sin(a), kSelf.y, kSelf.z + 3 * std::cos(a)};
      place_other(d, kFront, at);
      d.answer_all();
      if (t % 3 == 0) click(d, kFront);
      const Aim look = aim_at(d, kFront, seen);
      look_tick(d, look.yaw, look.pitch);
      seen = at;
    }
    CHECK(d.count("aim.snap") == 0);
  }
}

// Flicks from `away` degrees off the front player onto it in `ticks` ticks,
// the click in the last one; each starts from a calm look.
void flicks(Driver& d, const std::vector<int>& tick_counts) {
  const Aim front = aim_at(d, kFront, kFrontAt);
  for (const int ticks : tick_counts) {
    for (const float away : {60.0f, 120.0f, 170.0f}) {
      const Aim start{front.yaw + away, 0};
      look_tick(d, start.yaw, start.pitch);
      calm(d, start.yaw, start.pitch);
      const float from_yaw = start.yaw + 0.9f;  // where calm() left the look
      for (int i = 1; i <= ticks; ++i) {
        const double share = flick_share(i, ticks);
        if (i == ticks) click(d, kFront);  // the click lands with the flick
        look_tick(d, static_cast<float>(from_yaw + (front.yaw - from_yaw) * share),
                  static_cast<float>(start.pitch + (front.pitch - start.pitch) * share));
      }
      calm(d, front.yaw, front.pitch);
    }
  }
}

TEST_CASE("aim.snap: a hand's flick over 2-4 ticks that ends in a hit passes", "[checks][aim_snap]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Driver d(pv);
    arena(d);
    flicks(d, {2, 3, 4});
    CHECK(d.count("aim.snap") == 0);
    // What lets the 2-tick flicks through is the turn of the tick before
    // their last (half the flick): without the calm rule the 120 and 170
    // degree ones would be snaps (halfway through the 60 degree one the look
    // is only about 30 degrees off the target's middle: near enough).
    auto cfg = std::make_shared<rustguard::engine::EngineConfig>();
    cfg->get<rustguard::checks::aim::SnapCheck>().params.calm_deg = 360;
    Driver loose(pv, cfg);
    arena(loose);
    flicks(loose, {2});
    CHECK(loose.count("aim.snap", "snap") == 2);
  }
}

TEST_CASE("aim.snap: turning onto another target in one tick and hitting it a tick or more later passes",
          "[checks][aim_snap]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Driver d(pv);
    arena(d);
    const Aim front = aim_at(d, kFront, kFrontAt);
    const Aim side = aim_at(d, kSide, kSideAt);
    for (int wait = 1; wait <= 3; ++wait) {
      calm(d, front.yaw, front.pitch);
      click(d, kFront);
      look_tick(d, front.yaw + 0.15f, front.pitch);
      // 90 degrees in one tick, then the click `wait` ticks later.
      look_tick(d, side.yaw, side.pitch);
      for (int t = 1; t < wait; ++t) look_tick(d, side.yaw + 0.15f * static_cast<float>(t), side.pitch);
      click(d, kSide);
      look_tick(d, side.yaw - 0.15f, side.pitch);
      // And back, the same way.
      look_tick(d, front.yaw, front.pitch);
      for (int t = 1; t <= wait; ++t) look_tick(d, front.yaw - 0.15f * static_cast<float>(t), front.pitch);
    }
    CHECK(d.count("aim.snap") == 0);
  }
}

TEST_CASE("aim.snap: an unknown target, or a look that never reaches the target, is no snap", "[checks][aim_snap]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Driver d(pv);
    arena(d);
    const Aim front = aim_at(d, kFront, kFrontAt);
    // The tracker does not know 555: no evidence where it stood.
    calm(d, 90, 0);
    click(d, 555);
    look_tick(d, front.yaw, front.pitch);
    // Hitting the front player while looking away the whole time is not a
    // turn onto it (combat.hitbox's, not this check's).
    calm(d, 90, 0);
    click(d, kFront);
    look_tick(d, 91, 0);
    CHECK(d.count("aim.snap") == 0);
  }
}

TEST_CASE("aim.snap: a look the server set is not the mouse's", "[checks][aim_snap]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Driver d(pv);
    arena(d);
    const Aim front = aim_at(d, kFront, kFrontAt);
    // The server turns the player onto the target (a teleport with a look);
    // the client hits at once.
    calm(d, 90, 0);
    teleport_with_look(d, kSelf, front.yaw, front.pitch, 7);
    d.answer_all();
    click(d, kFront);
    look_tick(d, front.yaw + 0.15f, front.pitch);
    // The teleport arrives between the attack and the tick's look.
    calm(d, 90, 0);
    click(d, kFront);
    teleport_with_look(d, kSelf, front.yaw, front.pitch, 8);
    d.answer_all();
    look_tick(d, front.yaw + 0.15f, front.pitch);
    CHECK(d.count("aim.snap") == 0);
    // Two calm ticks after it, a snap is judged again.
    calm(d, 90, 0);
    click(d, kFront);
    look_tick(d, front.yaw, front.pitch);
    CHECK(d.count("aim.snap", "snap") == 1);
  }
}

}  // namespace aim_snap_test
