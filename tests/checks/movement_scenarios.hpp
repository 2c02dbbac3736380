#pragma once
// Movement scenarios shared by the movement check tests: a vanilla mover
// driven tick by tick, each tick sent as the client would send it.

#include <functional>

#include "engine_driver.hpp"

namespace rustguard::test {

// Sends the mover's position after each tick; `jump(i)` says whether the
// player holds jump on tick i. Heartbeat transactions are answered each tick.
inline void run(Driver& d, VanillaMover& m, int ticks, const std::function<bool(int)>& jump,
                double scale = 1.0) {
  for (int i = 0; i < ticks; ++i) {
    const double x0 = m.x, z0 = m.z;
    m.tick(true, jump(i));
    if (scale != 1.0) {  // a speed cheat: the same motion, stretched
      m.x = x0 + (m.x - x0) * scale;
      m.z = z0 + (m.z - z0) * scale;
    }
    d.advance_ms(50);
    d.receive(PacketKind::keep_alive_s2c, {});
    d.answer_all();
    d.pos(m.x, m.y, m.z, m.on_ground);
  }
}

inline bool never(int) { return false; }
inline bool always(int) { return true; }

}  // namespace rustguard::test
