#include <catch2/catch.hpp>

#include <cmath>

#include "aim_inputs.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace aim_yaw_wrap_test {

using namespace rustguard::test;

namespace {
const std::int32_t kVersions[] = {v::v1_8, v::v1_21_4, v::v26_1};
}  // namespace

TEST_CASE("aim.yaw_wrap: a vanilla yaw keeps counting past 180 and past whole turns", "[checks][aim_yaw_wrap]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Driver d(pv);
    d.spawn_at(0, 64, 0);
    VanillaMouse mouse{.sensitivity = 0.8};
    // Spinning right for three turns at about 40 degrees a tick, then back,
    // then flicks of up to 300 degrees each way: the yaw runs from 0 to
    // 1,000 and back, never wrapped.
    for (int t = 0; t < 30; ++t) {
      mouse.frame(110, 1);
      look_tick(d, mouse.yaw, mouse.pitch);
    }
    CHECK(mouse.yaw > 1000);
    for (int t = 0; t < 30; ++t) {
      mouse.frame(-110, -1);
      look_tick(d, mouse.yaw, mouse.pitch);
    }
    for (const int counts : {800, -800, 500, -500}) {
      mouse.frame(counts, 0);
      look_tick(d, mouse.yaw, mouse.pitch);
    }
    CHECK(d.count("aim.yaw_wrap") == 0);
  }
}

TEST_CASE("aim.yaw_wrap: a yaw kept in [-180, 180) that crosses the seam is flagged", "[checks][aim_yaw_wrap]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Driver d(pv);
    d.spawn_at(0, 64, 0);
    // An aura tracking a target that circles behind the player, writing
    // atan2 straight into the packet: 170, 175, -179, -174, ... and back.
    double yaw = 160;
    int crossings = 0;
    for (int t = 0; t < 24; ++t) {
      const double before = yaw;
      yaw += t % 16 < 8 ? 5.5 : -5.5;
      if (yaw >= 180) yaw -= 360;
      if (yaw < -180) yaw += 360;
      crossings += std::abs(yaw - before) > 180 ? 1 : 0;
      look_tick(d, static_cast<float>(yaw), 10);
    }
    CHECK(crossings == 3);
    CHECK(d.count("aim.yaw_wrap", "wrap") == 3);
    CHECK(d.max_vl("aim.yaw_wrap") >= 2);  // the alert
  }
}

TEST_CASE("aim.yaw_wrap: a teleport that sets or wraps the yaw is not judged", "[checks][aim_yaw_wrap]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Driver d(pv);
    d.spawn_at(0, 64, 0);
    for (int t = 1; t <= 29; ++t) look_tick(d, static_cast<float>(25 * t), 0);  // spun up to 725
    // The server wraps it (725 % 360 = 5), the client answers with 5, and goes on from there.
    teleport_with_look(d, {0, 64, 0}, 5, 0, 9);
    d.answer_all();
    look_tick(d, 6, 0);
    look_tick(d, 7.5f, 0);
    CHECK(d.count("aim.yaw_wrap") == 0);
    // Without the teleport the same jump is flagged.
    look_tick(d, 367.5f, 0);
    CHECK(d.count("aim.yaw_wrap") == 1);
  }
}

}  // namespace aim_yaw_wrap_test
