#include <catch2/catch.hpp>

#include "engine_driver.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace badpackets_self_attack_test {

using namespace rustguard::test;

TEST_CASE("self attack: attacking another entity passes, attacking oneself is cancelled", "[checks][self_attack]") {
  for (const std::int32_t pv : {v::v1_8, v::v1_12_2, v::v1_21_4, v::v26_1}) {
    Driver d(pv);
    d.spawn_at(0, 64, 0);
    CHECK(d.attack(7) == Verdict::pass);
    CHECK(d.count("badpackets.self_attack") == 0);
    CHECK(d.attack(kSelfId) == Verdict::cancel);
    CHECK(d.count("badpackets.self_attack", "self") == 1);
  }
}

}  // namespace badpackets_self_attack_test
