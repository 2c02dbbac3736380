#include <catch2/catch.hpp>

#include <limits>

#include "engine_driver.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace badpackets_invalid_position_test {

using namespace rustguard::test;

TEST_CASE("invalid position: non-finite and out-of-world coordinates kick", "[checks][invalid_position]") {
  Driver d(v::v1_21_4);
  d.spawn_at(29'999'000, 64, 0);
  CHECK(d.pos(29'999'000.2, 64, 0, true) == Verdict::pass);
  CHECK(d.count("badpackets.invalid_position") == 0);
  CHECK(d.pos(std::numeric_limits<double>::quiet_NaN(), 64, 0, true) == Verdict::kick);
  CHECK(d.count("badpackets.invalid_position", "non_finite") == 1);
  CHECK(d.engine.kick_reason().has_value());

  Driver far(v::v1_8);
  far.spawn_at(0, 64, 0);
  CHECK(far.pos(0, 64, 3.1e7, true) == Verdict::kick);
  CHECK(far.count("badpackets.invalid_position", "out_of_world") == 1);
  Driver spin(v::v1_12_2);
  spin.spawn_at(0, 64, 0);
  CHECK(spin.rot(std::numeric_limits<float>::infinity(), 0, true) == Verdict::kick);
}

}  // namespace badpackets_invalid_position_test
