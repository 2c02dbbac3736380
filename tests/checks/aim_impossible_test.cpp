#include <catch2/catch.hpp>

#include "aim_inputs.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace aim_impossible_test {

using namespace rustguard::test;

namespace {
const std::int32_t kVersions[] = {v::v1_8, v::v1_21_4, v::v26_1};
}  // namespace

TEST_CASE("aim.impossible: the fastest flicks of a mouse at the top sensitivity pass", "[checks][aim_impossible]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Driver d(pv);
    d.spawn_at(0, 64, 0);
    VanillaMouse mouse{.sensitivity = 1.0};
    // 3,000 counts in one tick (a 1,600 DPI mouse swept at about 1 m/s):
    // 1,843 degrees, five full turns.
    for (const int counts : {3000, -3000, 1200, -40, 2500}) {
      mouse.frame(counts, 0);
      look_tick(d, mouse.yaw, mouse.pitch);
    }
    CHECK(d.count("aim.impossible") == 0);
  }
}

TEST_CASE("aim.impossible: yaws written straight into the packet far beyond a mouse are flagged",
          "[checks][aim_impossible]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Driver d(pv);
    d.spawn_at(0, 64, 0);
    look_tick(d, 10, 0);
    look_tick(d, 1.0e6f, 0);  // a "derp" module
    look_tick(d, -1.0e6f, 0);
    look_tick(d, -1.0e6f + 20, 0);  // then a normal turn
    CHECK(d.count("aim.impossible", "yaw") == 2);
    CHECK(d.max_vl("aim.impossible") >= 1.5);  // the alert
  }
}

TEST_CASE("aim.impossible: a yaw the server sets is not the mouse's", "[checks][aim_impossible]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Driver d(pv);
    d.spawn_at(0, 64, 0);
    look_tick(d, 10, 0);
    teleport_with_look(d, {0, 64, 0}, 90000, 0, 4);
    d.answer_all();
    look_tick(d, 90001, 0);
    CHECK(d.count("aim.impossible") == 0);
  }
}

}  // namespace aim_impossible_test
