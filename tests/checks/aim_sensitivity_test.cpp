#include <catch2/catch.hpp>

#include <cmath>

#include "aim_inputs.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace aim_sensitivity_test {

using namespace rustguard::test;

namespace {
const std::int32_t kVersions[] = {v::v1_8, v::v1_21_4, v::v26_1};

// One tick of a human hand on a vanilla mouse: `frames` frames, each with
// whole counts (a mouse reports integers), the client adding each frame's
// turn to its float yaw and pitch; the look goes out if it changed.
void mouse_tick(Driver& d, VanillaMouse& m, Jitter& j, int frames, double dx, double dy) {
  const float yaw = m.yaw, pitch = m.pitch;
  for (int f = 0; f < frames; ++f) {
    m.frame(static_cast<int>(std::lround(dx / frames + j.next(3))), static_cast<int>(std::lround(dy / frames + j.next(2))));
  }
  if (m.yaw != yaw || m.pitch != pitch) d.rot(m.yaw, m.pitch, true);
  if (d.pv >= v::v1_21_2) d.tick_end();
  d.advance_ms(50);
}
}  // namespace

TEST_CASE("aim.sensitivity: a vanilla mouse at any sensitivity keeps to its step", "[checks][aim_sensitivity]") {
  for (const std::int32_t pv : kVersions) {
    for (const double sens : {0.0, 0.14, 0.5, 0.83, 1.0}) {
      INFO("protocol " << pv << " sensitivity " << sens);
      Driver d(pv);
      d.spawn_at(0, 64, 0);
      VanillaMouse mouse{.sensitivity = sens};
      Jitter j(static_cast<std::uint32_t>(sens * 1000) + 7);
      // Tracking a target that strafes around the player: slow sweeps left
      // and right, up and down, 1 to 12 frames a tick (20 to 240 FPS).
      for (int t = 0; t < 600; ++t) {
        const double sweep = std::sin(t / 15.0) * 12, tilt = std::cos(t / 23.0) * 4;
        mouse_tick(d, mouse, j, 1 + t % 12, sweep, tilt);
      }
      // A server teleport with a look the mouse could not reach is not a turn.
      teleport_with_look(d, {0, 64, 0}, 123.456f, -7.89f, 3);
      mouse.yaw = 123.456f;
      mouse.pitch = -7.89f;
      for (int t = 0; t < 200; ++t) mouse_tick(d, mouse, j, 4, std::sin(t / 9.0) * 20, std::cos(t / 5.0) * 6);
      CHECK(d.count("aim.sensitivity") == 0);
    }
  }
}

TEST_CASE("aim.sensitivity: looking down against the pitch clamp and through a spyglass", "[checks][aim_sensitivity]") {
  Driver d(v::v1_21_4);
  d.spawn_at(0, 64, 0);
  VanillaMouse mouse{.sensitivity = 0.5};
  Jitter j(99);
  for (int t = 0; t < 200; ++t) mouse_tick(d, mouse, j, 3, std::sin(t / 7.0) * 10, t % 40 < 20 ? 30 : -25);
  // Scoped: the spyglass drops the x 8, so each count turns step / 8.
  VanillaMouse scoped{.sensitivity = 0.5 / 1.0, .yaw = mouse.yaw, .pitch = mouse.pitch};
  for (int t = 0; t < 200; ++t) {
    const float yaw = scoped.yaw, pitch = scoped.pitch;
    const double per_count = scoped.counts_factor() / 8;
    scoped.yaw += static_cast<float>((t % 7 - 3) * per_count) * 0.15F;
    scoped.pitch += static_cast<float>((t % 5 - 2) * per_count) * 0.15F;
    if (scoped.yaw != yaw || scoped.pitch != pitch) d.rot(scoped.yaw, scoped.pitch, true);
    d.tick_end();
    d.advance_ms(50);
  }
  CHECK(d.count("aim.sensitivity") == 0);
}

TEST_CASE("aim.sensitivity: rotations set straight to a moving target are flagged", "[checks][aim_sensitivity]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Driver d(pv);
    d.spawn_at(0, 64, 0);
    // The target strafes around at 3 blocks; the aura writes atan2 into every packet.
    const Vec3 eye{0, 65.62, 0};
    for (int t = 0; t < 200; ++t) {
      const Vec3 target{3 * std::cos(t / 10.0), 64.9 + 0.3 * std::sin(t / 3.0), 3 * std::sin(t / 10.0)};
      look_tick(d, static_cast<float>(yaw_to(eye, target)), static_cast<float>(pitch_to(eye, target)));
    }
    CHECK(d.count("aim.sensitivity", "gcd") >= 3);
    CHECK(d.max_vl("aim.sensitivity") >= 2);  // the alert
  }
}

TEST_CASE("aim.sensitivity: an aim assist nudging a real mouse's turns is flagged", "[checks][aim_sensitivity]") {
  Driver d(v::v1_8);
  d.spawn_at(0, 64, 0);
  VanillaMouse mouse{.sensitivity = 0.5};
  Jitter j(5);
  for (int t = 0; t < 400; ++t) {
    const float yaw = mouse.yaw, pitch = mouse.pitch;
    mouse.frame(static_cast<int>(std::lround(j.next(6))), static_cast<int>(std::lround(j.next(3))));
    // The assist pulls the look a fraction of a degree towards the target.
    mouse.yaw += static_cast<float>(j.next(0.4));
    mouse.pitch += static_cast<float>(j.next(0.2));
    if (mouse.yaw != yaw || mouse.pitch != pitch) d.rot(mouse.yaw, mouse.pitch, true);
    d.advance_ms(50);
  }
  CHECK(d.count("aim.sensitivity", "gcd") >= 3);
}

}  // namespace aim_sensitivity_test
