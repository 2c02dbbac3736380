// Observe mode (replays): the engine injects nothing, takes the transactions
// in its id range that it finds in the stream as its own (captures on the
// client's side of a live RustGuard), and falls back on the client's answers
// to keep-alives and server pings (captures on the backend's side).

#include <catch2/catch.hpp>

#include "../checks/engine_driver.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace observe_mode_test {

using namespace rustguard;
using namespace rustguard::test;
using engine::EngineMode;

namespace {

Driver observer(std::int32_t pv) { return Driver(pv, nullptr, EngineMode::observe); }

engine::ClientboundDecision ping(Driver& d, std::int32_t id) {
  std::vector<std::uint8_t> b;
  if (protocol::has_ping_pong(d.pv)) {
    protocol::Writer{b}.i32(id);
    return d.receive(PacketKind::ping_s2c, b);
  }
  protocol::Writer{b}.i8(0).i16(static_cast<std::int16_t>(id)).boolean(false);
  return d.receive(PacketKind::window_confirmation_s2c, b);
}

engine::ClientboundDecision keep_alive(Driver& d, std::int64_t id) {
  std::vector<std::uint8_t> b;
  protocol::Writer{b}.i64(id);
  return d.receive(PacketKind::keep_alive_s2c, b);
}

Verdict keep_alive_answer(Driver& d, std::int64_t id) {
  std::vector<std::uint8_t> b;
  protocol::Writer{b}.i64(id);
  return d.send(PacketKind::keep_alive_c2s, b);
}

// A few slow ground steps along x from the spawn, so the next move has a
// known previous delta; returns the x reached.
double walk(Driver& d, double x, int steps) {
  for (int i = 0; i < steps; ++i) {
    x += 0.1;
    d.pos(x, 64, 0, true);
    d.advance_ms(50);
  }
  return x;
}

}  // namespace

TEST_CASE("observe: no transaction is ever asked for, and keep-alive answers are read", "[engine][observe]") {
  Driver d = observer(v::v1_21_4);
  d.spawn_at(0, 64, 0);
  CHECK(d.engine.mode() == EngineMode::observe);
  const auto plain = d.effect(1, 1);
  CHECK_FALSE(plain.transaction_before);
  CHECK_FALSE(plain.transaction_after);
  d.advance_ms(5'000);  // a live engine would add a heartbeat now
  const auto later = d.velocity(0.1, 0, 0);
  CHECK_FALSE(later.transaction_before);
  CHECK_FALSE(later.transaction_after);
  CHECK(d.engine.wants(protocol::Direction::serverbound, PacketKind::keep_alive_c2s));

  Driver live(v::v1_21_4);
  CHECK(live.engine.mode() == EngineMode::originate);
  CHECK_FALSE(live.engine.wants(protocol::Direction::serverbound, PacketKind::keep_alive_c2s));
}

TEST_CASE("observe: transactions in the stream bracket a change as if the engine had sent them", "[engine][observe]") {
  {
    const std::int32_t pv = GENERATE(v::v1_21_4, v::v1_12_2);
    INFO(pv);
    SECTION("the knock is allowed once the opening transaction is answered") {
      Driver d = observer(pv);
      d.spawn_at(0, 64, 0);
      double x = walk(d, 0, 3);
      ping(d, -1);
      d.velocity(1.2, 0, 0);
      ping(d, -2);
      CHECK(d.engine.context().transactions.pending_count() == 2);
      // Observed answers pass through: nothing of the engine's to swallow.
      CHECK(d.answer(-1) == Verdict::pass);
      x += 1.0;
      CHECK(d.pos(x, 64, 0, false) == Verdict::pass);
      CHECK(d.answer(-2) == Verdict::pass);
      CHECK(d.engine.context().transactions.pending_count() == 0);
      CHECK(d.count("movement.speed") == 0);
      CHECK(d.count("badpackets.transaction") == 0);
    }
    SECTION("before the opening transaction is answered the client cannot have it") {
      Driver d = observer(pv);
      d.spawn_at(0, 64, 0);
      double x = walk(d, 0, 3);
      ping(d, -1);
      d.velocity(1.2, 0, 0);
      ping(d, -2);
      x += 1.0;
      d.pos(x, 64, 0, false);
      CHECK(d.count("movement.speed") == 1);
    }
    SECTION("answers to ids never seen, or out of order, are flagged as live") {
      Driver d = observer(pv);
      d.spawn_at(0, 64, 0);
      ping(d, -1);
      ping(d, -2);
      d.answer(-2);
      CHECK(d.count("badpackets.transaction", "order") == 1);
      d.answer(-9);
      CHECK(d.count("badpackets.transaction", "unknown") == 1);
    }
  }
}

TEST_CASE("observe without transactions: a change is pending until a keep-alive sent after it is answered",
          "[engine][observe]") {
  Driver d = observer(v::v1_21_4);
  d.spawn_at(0, 64, 0);
  keep_alive(d, 100);
  d.effect(1, 1);  // Speed II
  CHECK_FALSE(d.engine.context().physics.settled());
  keep_alive_answer(d, 100);  // sent before the change: proves nothing about it
  CHECK_FALSE(d.engine.context().physics.settled());
  keep_alive(d, 101);
  CHECK_FALSE(d.engine.context().physics.settled());
  CHECK(keep_alive_answer(d, 101) == Verdict::pass);
  CHECK(d.engine.context().physics.settled());
  CHECK(d.engine.context().physics.confirmed().effects == d.engine.context().physics.latest().effects);

  // The server's own ping (an id outside the engine's range) works the same way.
  d.effect(1, 0);
  ping(d, 7);
  CHECK_FALSE(d.engine.context().physics.settled());
  CHECK(d.answer(7) == Verdict::pass);
  CHECK(d.engine.context().physics.settled());
  CHECK(d.count("badpackets.transaction") == 0);
}

TEST_CASE("observe without transactions: knockback is allowed at once and decays after the evidence",
          "[engine][observe]") {
  Driver d = observer(v::v1_21_4);
  d.spawn_at(0, 64, 0);
  keep_alive(d, 1);
  keep_alive_answer(d, 1);
  double x = walk(d, 0, 3);
  d.velocity(1.2, 0, 0);
  x += 1.0;
  CHECK(d.pos(x, 64, 0, false) == Verdict::pass);  // the server's knock, no transaction around it
  CHECK(d.count("movement.speed") == 0);
  keep_alive(d, 2);
  keep_alive_answer(d, 2);  // now it is certain, and decays tick by tick
  x = walk(d, x, 60);
  x += 1.0;
  d.pos(x, 64, 0, true);
  CHECK(d.count("movement.speed") == 1);
}

TEST_CASE("observe: no transaction timeout for transactions never seen sent", "[engine][observe]") {
  Driver d = observer(v::v1_21_4);
  d.spawn_at(0, 64, 0);
  keep_alive(d, 1);  // never answered
  d.effect(1, 1);
  for (int i = 0; i < 240; ++i) d.advance_ms(500);
  CHECK(d.count("badpackets.transaction") == 0);
  CHECK_FALSE(d.engine.kick_reason());

  // One seen in the stream and left unanswered times out as live.
  ping(d, -1);
  for (int i = 0; i < 130; ++i) d.advance_ms(500);
  CHECK(d.count("badpackets.transaction", "timeout") == 1);
}

TEST_CASE("observe: keep-alive answers are Timer's evidence too", "[engine][observe]") {
  // The client answered a keep-alive sent 0.9 s after its last movement:
  // time it provably lived through cannot be banked for a burst.
  Driver d = observer(v::v1_21_4);
  d.spawn_at(0, 64, 0);
  double x = walk(d, 0, 5);
  d.advance_ms(900);
  keep_alive(d, 5);
  keep_alive_answer(d, 5);
  // Twenty ticks at once: ten are a frozen client's catch-up after its
  // answer (timer.balance allows them), the other ten come out of time the
  // answer proves it lived through. Without the keep-alive as evidence the
  // 900 ms of silence would cover all twenty (the bank is 1000 ms).
  for (int i = 0; i < 20; ++i) {
    x += 0.05;
    d.pos(x, 64, 0, true);
  }
  CHECK(d.count("timer.balance") >= 1);
}

TEST_CASE("observe: once the capture carries the engine's own transactions, keep-alives are not evidence",
          "[engine][observe]") {
  // A client-side capture of a live RustGuard: live read only its own
  // transactions, so the replay must too, or Timer sees more than live did.
  Driver d = observer(v::v1_21_4);
  d.spawn_at(0, 64, 0);
  ping(d, -1);
  d.answer(-1);
  CHECK(d.engine.context().observed_own_transactions);
  double x = walk(d, 0, 5);
  d.advance_ms(900);
  const std::uint64_t issued = d.engine.context().transactions.issued_seq();
  keep_alive(d, 5);
  CHECK(keep_alive_answer(d, 5) == Verdict::pass);
  CHECK(d.engine.context().transactions.issued_seq() == issued);  // no receipt marked
  for (int i = 0; i < 10; ++i) {
    x += 0.05;
    d.pos(x, 64, 0, true);  // the same burst as above: with no receipt, no proof
  }
  CHECK(d.count("timer.balance") == 0);

  // The server's own ping is not a receipt either.
  d.effect(1, 0);
  ping(d, 7);
  CHECK(d.answer(7) == Verdict::pass);
  CHECK(d.count("badpackets.transaction") == 0);
}

}  // namespace observe_mode_test
