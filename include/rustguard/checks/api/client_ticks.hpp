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

// Whether the client sends Client Tick End is the player's, in the context
// (ClientClaims::tick_end, set before the checks see the first one), not
// each check's: a movement packet asked nine checks for it, and their
// nine objects cost a cache miss each when the answer let them return at
// once (docs/benchmarks.md, 2026-12-06).

#include <cstdint>

#include "rustguard/context/movement.hpp"
#include "rustguard/context/player_context.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"

namespace rustguard::engine {

struct ClientTicks {
  // A movement packet: whether it ends the current tick.
  static bool ends_tick(const context::PlayerContext& ctx, const context::MoveSample& m) noexcept {
    return !ctx.claims.tick_end && !m.teleport_response;
  }
  // The client marks its ticks with Client Tick End: from its first one,
  // Client Tick End alone ends a tick.
  static bool explicit_ticks(const context::PlayerContext& ctx) noexcept { return ctx.claims.tick_end; }
  // Every client tick ends with a boundary: Client Tick End, or a 1.8 client
  // (a movement packet every tick). Otherwise a boundary may stand for
  // several ticks.
  static bool every_tick(const context::PlayerContext& ctx) noexcept {
    return ctx.claims.tick_end || ctx.protocol < protocol::v::v1_9;
  }
};

}  // namespace rustguard::engine
