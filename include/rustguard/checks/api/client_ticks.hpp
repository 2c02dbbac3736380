#pragma once
// Where one client tick ends, as the serverbound stream shows it, for the
// combat checks that judge "within one tick" (killaura, autoclicker).
//
// A vanilla client handles its clicks (attack, swing) early in a tick and
// sends its movement packet later in the same tick, from the player's own
// tick; from 1.21.2 it ends every tick with Client Tick End. So:
//   - once a client has sent Client Tick End, only Client Tick End ends a
//     tick (exact: it is sent every tick, idle or not);
//   - before that (every version before 1.21.2, and clients such as
//     mineflayer that never send it) a movement packet ends a tick. A 1.8
//     client sends one every tick; from 1.9 a client that neither moves nor
//     turns sends one only every 20 ticks, so one "tick" between two movement
//     packets may stand for several real ticks.
// An answer to a server teleport is not a tick's movement packet: the client
// sends it while handling the teleport, between ticks.

#include <cstdint>

#include "rustguard/context/movement.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"

namespace rustguard::engine {

class ClientTicks {
 public:
  // A movement packet: whether it ends the current tick.
  bool ends_tick(const context::MoveSample& m) const noexcept { return !explicit_ && !m.teleport_response; }
  // Client Tick End always ends the tick, and from now on it alone does.
  bool on_tick_end() noexcept {
    explicit_ = true;
    return true;
  }
  // The client marks its ticks with Client Tick End.
  bool explicit_ticks() const noexcept { return explicit_; }
  // Every client tick ends with a boundary: Client Tick End, or a 1.8 client
  // (a movement packet every tick). Otherwise a boundary may stand for
  // several ticks.
  bool every_tick(std::int32_t protocol) const noexcept { return explicit_ || protocol < protocol::v::v1_9; }

 private:
  bool explicit_ = false;
};

}  // namespace rustguard::engine
