#include <catch2/catch.hpp>

#include <cmath>
#include <memory>
#include <string>
#include <string_view>

#include "../checks/engine_driver.hpp"
#include "rustguard/engine/cancel_rate_limit.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace cancel_rate_kick_test {

using namespace rustguard;
using namespace rustguard::test;

namespace {

// Packets the checks dropped, by the violation records (folded ones
// included: the engine is finished first), optionally of one check.
std::uint64_t cancelled(Driver& d, std::string_view check = {}) {
  d.engine.finish();
  std::uint64_t n = 0;
  for (const Violation& v : d.engine.violations()) {
    if (check.empty() || v.check == check) n += v.cancelled;
  }
  return n;
}

}  // namespace

TEST_CASE("cancel rate: a pitch flood is kicked within a second", "[engine][cancel_rate]") {
  Driver d(v::v1_21_4);
  d.spawn_at(0, 64, 0);
  const Timestamp start = d.now;
  int sent = 0;
  Verdict last = Verdict::pass;
  // 200 looks a second, each cancelled by badpackets.pitch (it has no kick_vl).
  while (last != Verdict::kick && sent < 1'000) {
    d.now = start + millis(5 * sent);
    last = d.rot(0, 150, true);
    ++sent;
  }
  REQUIRE(last == Verdict::kick);
  CHECK(millis_between(start, d.now) <= 1000);
  CHECK(sent == 51);  // the 51st cancel within one second
  REQUIRE(d.engine.kick_reason());
  CHECK(*d.engine.kick_reason() == "too many cancelled packets (51 in 1 s, limit 50)");
  // Every dropped packet is on a pitch record, the one that kicked included.
  CHECK(cancelled(d, "badpackets.pitch") == 51);
  CHECK(cancelled(d) == 51);
}

TEST_CASE("cancel rate: up to the limit every second is not kicked", "[engine][cancel_rate]") {
  Driver d(v::v1_21_4);
  d.spawn_at(0, 64, 0);
  const Timestamp start = d.now;
  // 50 cancels a second for 10 s, every 20 ms: never more than 50 in a window.
  for (int i = 0; i < 500; ++i) {
    d.now = start + millis(20 * i);
    REQUIRE(d.rot(0, 150, true) == Verdict::cancel);
  }
  CHECK_FALSE(d.engine.kick_reason());
  CHECK(cancelled(d, "badpackets.pitch") == 500);

  // 0 disables the kick.
  auto cfg = std::make_shared<engine::EngineConfig>();
  cfg->engine.max_cancels_per_second = 0;
  Driver off(v::v1_21_4, cfg);
  off.spawn_at(0, 64, 0);
  for (int i = 0; i < 1'000; ++i) REQUIRE(off.rot(0, 150, true) == Verdict::cancel);
  CHECK_FALSE(off.engine.kick_reason());
}

TEST_CASE("cancel rate: swallowed answers to the engine's own transactions are no check's cancel", "[engine][cancel_rate]") {
  Driver d(v::v1_21_4);
  d.spawn_at(0, 64, 0);
  // 150 state changes: 300 transactions, all answered at the same instant.
  for (int i = 0; i < 150; ++i) d.effect(1, i % 3);
  REQUIRE(d.unanswered.size() == 300);
  const std::uint64_t answered_before = d.engine.transactions_answered();
  for (const auto id : d.unanswered) {
    REQUIRE(d.answer(id) == Verdict::cancel);  // swallowed: the server never sent it
  }
  d.unanswered.clear();
  CHECK(d.engine.transactions_answered() - answered_before == 300);
  CHECK(cancelled(d) == 0);
  CHECK_FALSE(d.engine.kick_reason());
}

TEST_CASE("cancel rate: an honest player's stream is never kicked", "[engine][cancel_rate]") {
  Driver d(v::v1_21_4);
  d.spawn_at(0, 64, 0);
  VanillaMover m;
  Jitter jitter(7);
  float yaw = 0;
  // 60 s at 20 moves a second with looks all over (pitch within ±90), a
  // state change every second answered the way a client does, and a 1 s lag
  // spike after 30 s followed by the held-back moves in one burst.
  for (int tick = 0; tick < 1'200; ++tick) {
    if (tick % 20 == 0) d.effect(1, 0);
    m.tick(true, tick % 15 == 0);
    yaw += 7.5f;
    const float pitch = static_cast<float>(90 * std::sin(tick * 0.05));
    if (tick == 600) d.advance_ms(1'000);
    const bool burst = tick >= 600 && tick < 620;
    if (!burst) d.advance_ms(50 + jitter.next(10));
    const Verdict v = tick % 2 == 0 ? d.pos_rot(m.x, m.y, m.z, yaw, pitch, m.on_ground)
                                    : d.pos(m.x, m.y, m.z, m.on_ground);
    REQUIRE(v == Verdict::pass);
    d.answer_all();
  }
  CHECK(cancelled(d) == 0);
  CHECK_FALSE(d.engine.kick_reason());
}

TEST_CASE("cancel rate: counted in one-second windows", "[engine][cancel_rate]") {
  engine::CancelRateLimit limit;
  const Timestamp t0 = Timestamp::from_millis(5'000);
  for (int i = 0; i < 3; ++i) CHECK(limit.add(t0 + millis(i), 3));
  CHECK_FALSE(limit.add(t0 + millis(999), 3));
  CHECK(limit.in_window() == 4);
  CHECK(limit.add(t0 + millis(1'000), 3));  // a new window
  CHECK(limit.in_window() == 1);
}

}  // namespace cancel_rate_kick_test
