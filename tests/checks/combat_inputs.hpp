#pragma once
// Combat input for the killaura and autoclicker tests: arm swings, digging,
// and one client tick the way a vanilla client orders it (clicks first, 1.8
// swinging before the attack and 1.9+ after; then the movement packet; then
// Client Tick End on 1.21.2+ when the client sends it).

#include <cstdint>
#include <vector>

#include "engine_driver.hpp"

namespace rustguard::test {

inline Verdict swing(Driver& d) {
  std::vector<std::uint8_t> b;
  if (d.pv >= v::v1_9) protocol::Writer{b}.varint(0);
  return d.send(PacketKind::swing_arm_c2s, b);
}

inline Verdict dig(Driver& d, int status) {
  std::vector<std::uint8_t> b;
  protocol::Writer w{b};
  w.varint(status).i64(0).u8(1);
  if (d.pv >= v::v1_19) w.varint(0);
  return d.send(PacketKind::player_action_c2s, b);
}

// One click as the vanilla client of this version sends it: swing and attack
// (target >= 0), or a swing alone (a miss).
inline void click(Driver& d, std::int32_t target) {
  if (target < 0) {
    swing(d);
    return;
  }
  if (d.pv < v::v1_9) {
    swing(d);
    d.attack(target);
  } else {
    d.attack(target);
    swing(d);
  }
}

struct TickOptions {
  bool tick_end = true;  // send Client Tick End (1.21.2+ only)
  bool move = true;      // send the movement packet (1.9+ idle clients skip it)
  double ms = 50;        // time until the next tick
};

// The end of one vanilla tick: movement packet, tick end, time passing.
inline void end_tick(Driver& d, const TickOptions& o = {}) {
  if (o.move || d.pv < v::v1_9) d.rot(0, 0, true);
  if (o.tick_end && d.pv >= v::v1_21_2) d.tick_end();
  d.advance_ms(o.ms);
}

// A tick with `clicks` vanilla clicks on `target`.
inline void vanilla_tick(Driver& d, int clicks, std::int32_t target, const TickOptions& o = {}) {
  for (int i = 0; i < clicks; ++i) click(d, target);
  end_tick(d, o);
}

}  // namespace rustguard::test
