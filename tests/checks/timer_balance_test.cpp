#include <catch2/catch.hpp>

#include "engine_driver.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace timer_balance_test {

using namespace rustguard::test;

namespace {

// Moves in place at `speed` times the game speed for `seconds`, with arrival
// jitter of up to `jitter_ms` per packet; heartbeat transactions are answered.
void play(Driver& d, double speed, double seconds, double jitter_ms, std::uint32_t seed) {
  Jitter jitter(seed);
  const double interval = 50.0 / speed;
  const int packets = static_cast<int>(seconds * 1000 / interval);
  double scheduled = 0;
  double delivered = 0;
  for (int i = 0; i < packets; ++i) {
    scheduled += interval;
    const double arrival = std::max(delivered, scheduled + jitter.next(jitter_ms));
    d.advance_ms(arrival - delivered);
    delivered = arrival;
    d.receive(PacketKind::keep_alive_s2c, {});
    d.answer_all();
    d.ground(true);
  }
}

}  // namespace

TEST_CASE("timer.balance: 1.0x with +-30 ms jitter is not flagged", "[checks][timer.balance]") {
  for (const std::int32_t pv : {v::v1_8, v::v1_21_4}) {
    Driver d(pv);
    d.spawn_at(0, 64, 0);
    play(d, 1.0, 60, 30, 7);
    CHECK(d.count("timer.balance") == 0);
  }
}

TEST_CASE("timer.balance: a 300 ms lag spike followed by a burst is not flagged", "[checks][timer.balance]") {
  Driver d(v::v1_21_4);
  d.spawn_at(0, 64, 0);
  play(d, 1.0, 5, 30, 11);
  for (int spike = 0; spike < 5; ++spike) {
    d.advance_ms(300);  // six ticks held up in the network
    for (int i = 0; i < 6; ++i) d.ground(true);
    d.answer_all();
    play(d, 1.0, 3, 30, 13 + spike);
  }
  CHECK(d.count("timer.balance") == 0);
}

TEST_CASE("timer.balance: a client that froze answers first, then catches up its missed ticks",
          "[checks][timer.balance]") {
  for (const std::int32_t pv : {v::v1_8, v::v1_21_4}) {
    Driver d(pv);
    d.spawn_at(0, 64, 0);
    play(d, 1.0, 5, 10, 17);
    for (int freeze = 0; freeze < 10; ++freeze) {
      // 450 ms frozen; a transaction arrives 50 ms before the end. The vanilla
      // client handles it (answers) before it runs the 9 ticks it missed.
      d.advance_ms(400);
      d.receive(PacketKind::keep_alive_s2c, {});
      d.advance_ms(50);
      d.answer_all();
      for (int i = 0; i < 9; ++i) d.ground(true);
      play(d, 1.0, 2, 10, 19 + freeze);
    }
    CHECK(d.count("timer.balance") == 0);
  }
}

TEST_CASE("timer.balance: a first packet read late does not make timely ones look early",
          "[checks][timer.balance]") {
  Driver d(v::v1_21_4);
  d.spawn_at(0, 64, 0);
  d.advance_ms(200);  // the first tick's packet waited 200 ms (a login under load)...
  d.ground(true);
  for (int i = 0; i < 100; ++i) {  // ...the next ones arrive in time: 3 ticks at once, then every 50 ms
    if (i > 3) d.advance_ms(50);
    d.ground(true);
  }
  CHECK(d.count("timer.balance") == 0);
}

TEST_CASE("timer.balance: 1.05x over some seconds is flagged, 1.5x quickly", "[checks][timer.balance]") {
  Driver slow(v::v1_21_4);
  slow.spawn_at(0, 64, 0);
  play(slow, 1.05, 30, 30, 3);
  CHECK(slow.count("timer.balance", "balance") >= 2);

  Driver fast(v::v1_8);
  fast.spawn_at(0, 64, 0);
  play(fast, 1.5, 5, 10, 5);
  CHECK(fast.count("timer.balance", "balance") >= 3);
}

TEST_CASE("timer.balance: idle time cannot be banked for a burst", "[checks][timer.balance]") {
  Driver d(v::v1_21_4);
  d.spawn_at(0, 64, 0);
  for (int i = 0; i < 10; ++i) {  // idle: one packet a second
    d.advance_ms(1000);
    d.ground(true);
  }
  for (int i = 0; i < 60; ++i) d.ground(true);  // 3 s of ticks at once
  CHECK(d.count("timer.balance") >= 1);
}

TEST_CASE("timer.balance: the model's evidence is how far ahead, never how far behind",
          "[checks][timer.balance][model]") {
  using rustguard::checks::timer::BalanceCheck;
  // An honest clock sits behind real time by an amount that follows the
  // ping (its floor is the newest acknowledged transaction): no evidence.
  Driver honest(v::v1_21_4);
  honest.spawn_at(0, 64, 0);
  play(honest, 1.0, 10, 30, 23);
  CHECK(honest.engine.check<BalanceCheck>().balance_ms(honest.now) < -100);
  rustguard::engine::MovementEvidence behind;
  honest.engine.check<BalanceCheck>().add_evidence(behind, honest.now);
  CHECK(behind.timer_ahead_ms == 0);
  // 1.1x: ahead of real time, by less than the tolerance, before its flag.
  Driver fast(v::v1_21_4);
  fast.spawn_at(0, 64, 0);
  double most_ahead = 0;
  for (int i = 0; i < 400 && fast.count("timer.balance") == 0; ++i) {
    fast.advance_ms(50.0 / 1.1);
    fast.ground(true);
    const double balance = fast.engine.check<BalanceCheck>().balance_ms(fast.now);
    rustguard::engine::MovementEvidence e;
    fast.engine.check<BalanceCheck>().add_evidence(e, fast.now);
    CHECK(e.timer_ahead_ms == std::max(0.0, balance));
    if (fast.count("timer.balance") == 0) most_ahead = std::max(most_ahead, e.timer_ahead_ms);
  }
  REQUIRE(fast.count("timer.balance") == 1);
  CHECK(most_ahead > 60);
}

}  // namespace timer_balance_test
