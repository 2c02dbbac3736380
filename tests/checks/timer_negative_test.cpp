#include <catch2/catch.hpp>

#include "engine_driver.hpp"

using namespace rustguard::test;

TEST_CASE("negative timer: withholding movement while answering transactions is flagged", "[checks][timer.negative]") {
  Driver d(v::v1_21_4);
  d.spawn_at(0, 64, 0);
  for (int i = 0; i < 40; ++i) {
    d.advance_ms(50);
    d.ground(true);
  }
  // Blink: three seconds of answered transactions and no movement, then a burst.
  for (int i = 0; i < 60; ++i) {
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
