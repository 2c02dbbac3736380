#include <catch2/catch.hpp>

#include "engine_driver.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace badpackets_transaction_test {

using namespace rustguard::test;

TEST_CASE("transaction: answers are swallowed; order, forgery and timeout are flagged", "[checks][transaction]") {
  for (const std::int32_t pv : {v::v1_12_2, v::v1_21_4}) {
    Driver d(pv);
    d.spawn_at(0, 64, 0);
    d.effect(0, 1);
    d.effect(7, 0);
    REQUIRE(d.unanswered.size() == 4);
    CHECK(d.answer(d.unanswered[0]) == Verdict::cancel);
    CHECK(d.count("badpackets.transaction") == 0);
    // Skip one.
    CHECK(d.answer(d.unanswered[2]) == Verdict::cancel);
    CHECK(d.count("badpackets.transaction", "order") == 1);
    // Answer one never sent (in the engine's range).
    d.answer(-30000);
    CHECK(d.count("badpackets.transaction", "unknown") == 1);
    // The last one is never answered: a timeout kicks.
    d.advance_ms(59'000);
    CHECK(d.count("badpackets.transaction", "timeout") == 0);
    d.advance_ms(2'000);
    CHECK(d.count("badpackets.transaction", "timeout") == 1);
    CHECK(d.engine.kick_reason().has_value());
  }
}

TEST_CASE("transaction: the server's own pings pass through", "[checks][transaction]") {
  Driver d(v::v1_21_4);
  d.spawn_at(0, 64, 0);
  std::vector<std::uint8_t> b;
  rustguard::protocol::Writer{b}.i32(-5);
  d.receive(PacketKind::ping_s2c, b);
  CHECK(d.answer(-5) == Verdict::pass);
  CHECK(d.answer(1234) == Verdict::pass);
  CHECK(d.count("badpackets.transaction") == 0);
}

}  // namespace badpackets_transaction_test
