#include <catch2/catch.hpp>

#include "engine_driver.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace timer_negative_test {

using namespace rustguard::test;

TEST_CASE("negative timer: withholding movement while answering transactions is flagged", "[checks][timer.negative]") {
  Driver d(v::v1_21_4);
  d.spawn_at(0, 64, 0);
  for (int i = 0; i < 40; ++i) {
    d.advance_ms(50);
    d.ground(true);
  }
  // Blink: four seconds of answered transactions and no movement, then a
  // burst. (With a transaction a second, the first one sent 1.5 s into the
  // silence goes out up to 1 s later, and the movement may then still take
  // move_after_answer_ms: a blink is certain from about 3.5 s.)
  for (int i = 0; i < 80; ++i) {
    d.advance_ms(50);
    d.receive(PacketKind::keep_alive_s2c, {});
    d.answer_all();
  }
  for (int i = 0; i < 5; ++i) d.ground(true);
  CHECK(d.count("timer.negative", "silence") == 1);
}

TEST_CASE("negative timer: a lag spike (nothing answered either) and idle clients are fine", "[checks][timer.negative]") {
  Driver d(v::v1_8);
  d.spawn_at(0, 64, 0);
  d.receive(PacketKind::keep_alive_s2c, {});
  d.advance_ms(3000);  // nothing arrives: movement and answers are both stuck
  d.answer_all();
  for (int i = 0; i < 60; ++i) d.ground(true);
  for (int i = 0; i < 20; ++i) {  // idle vanilla 1.9+: one packet a second
    d.advance_ms(1000);
    d.receive(PacketKind::keep_alive_s2c, {});
    d.answer_all();
    d.ground(true);
  }
  CHECK(d.count("timer.negative") == 0);
}

// A vanilla client standing still sends its position every 20 ticks. Frozen
// 1.6 s right after one (a GC pause), it answers the Ping that arrived during
// the freeze first, runs 10 catch-up ticks (its reminder then stands at 11),
// and sends the position 9 ticks later: found under load with the load
// generator's simulated clients, which freeze and catch up the same way.
TEST_CASE("negative timer: a frozen client's catch-up after its answers is not a blink", "[checks][timer.negative]") {
  Driver d(v::v1_21_4);
  d.spawn_at(0, 64, 0);
  d.ground(true);
  d.advance_ms(50);  // one tick, then the freeze
  d.advance_ms(1500);
  d.receive(PacketKind::keep_alive_s2c, {});  // sent 1.55 s after the last movement
  d.advance_ms(50);
  d.answer_all();     // the frame after the freeze: the queued packets first
  d.advance_ms(450);  // 10 catch-up ticks, then 9 more
  d.ground(true);
  CHECK(d.count("timer.negative") == 0);
}

TEST_CASE("negative timer: still no movement 20 ticks after the answer that proved the client running is flagged",
          "[checks][timer.negative]") {
  Driver d(v::v1_21_4);
  d.spawn_at(0, 64, 0);
  d.ground(true);
  d.advance_ms(1550);
  d.receive(PacketKind::keep_alive_s2c, {});
  d.advance_ms(50);
  d.answer_all();
  d.advance_ms(1050);  // running (it answered), yet silent beyond move_after_answer_ms
  d.ground(true);
  CHECK(d.count("timer.negative", "silence") == 1);
}

}  // namespace timer_negative_test
