#include <catch2/catch.hpp>

#include "engine_driver.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace badpackets_pitch_test {

using namespace rustguard::test;

TEST_CASE("pitch: looking straight up or down is legal, beyond is flagged and cancelled", "[checks][pitch]") {
  for (const std::int32_t pv : {v::v1_8, v::v1_21_4}) {
    Driver d(pv);
    d.spawn_at(0, 64, 0);
    CHECK(d.rot(10, 90, true) == Verdict::pass);
    CHECK(d.rot(10, -90, true) == Verdict::pass);
    CHECK(d.count("badpackets.pitch") == 0);
    CHECK(d.rot(10, 150, true) == Verdict::cancel);
    CHECK(d.pos_rot(0, 64, 0, 10, -91, true) == Verdict::cancel);
    CHECK(d.count("badpackets.pitch") == 2);
    CHECK(d.engine.violations().front().detail.find("150") != std::string::npos);
  }
}

}  // namespace badpackets_pitch_test
