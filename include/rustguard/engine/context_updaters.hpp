#pragma once
// The registered context updaters (see context_update.hpp for what an
// updater is): what the client claimed, how it moved, what the server told
// it (lag compensation), the entities it sees and its look. Order within
// the list is the order in which updaters of the same input run.

#include "rustguard/context/movement.hpp"
#include "rustguard/context/player_context.hpp"
#include "rustguard/engine/context_update.hpp"
#include "rustguard/engine/entity_tracking.hpp"
#include "rustguard/engine/lag_compensation.hpp"
#include "rustguard/protocol/packets/play/client_tick_end_c2s.hpp"
#include "rustguard/protocol/packets/play/login_play_s2c.hpp"
#include "rustguard/protocol/packets/play/player_abilities_c2s.hpp"
#include "rustguard/protocol/packets/play/player_command_c2s.hpp"
#include "rustguard/protocol/packets/play/player_rotation_s2c.hpp"
#include "rustguard/protocol/packets/play/respawn_s2c.hpp"
#include "rustguard/protocol/packets/play/set_held_item_c2s.hpp"
#include "rustguard/protocol/packets/play/sync_player_position_s2c.hpp"

namespace rustguard::engine {

// What the client itself claimed (context::ClientClaims), taken once the
// checks judged the claim against the previous one.
struct ClientClaimsUpdater {
  static void after(const protocol::packets::SetHeldItemC2s& p, ServerboundUpdate& u) noexcept {
    if (p.slot_in_hotbar()) u.ctx.claims.held_slot = p.slot;
  }
  static void after(const protocol::packets::PlayerCommandC2s& p, ServerboundUpdate& u) noexcept {
    using A = protocol::packets::PlayerCommandAction;
    auto& claims = u.ctx.claims;
    switch (p.action) {
      case A::start_sprinting: claims.sprinting = true; break;
      case A::stop_sprinting: claims.sprinting = false; break;
      case A::start_sneaking: claims.sneaking = true; break;
      case A::stop_sneaking: claims.sneaking = false; break;
      case A::start_elytra_flying: claims.gliding = true; break;
      default: break;
    }
  }
  static void after(const protocol::packets::PlayerAbilitiesC2s& p, ServerboundUpdate& u) noexcept {
    u.ctx.claims.flying = p.flying;
  }
  // Before the checks: this very packet already ends the tick for them.
  static void before(const protocol::packets::ClientTickEndC2s&, ServerboundUpdate& u) noexcept {
    u.ctx.claims.tick_end = true;
  }
};

// The player's movement history advances after every check read the move.
struct MovementUpdater {
  static void after(const context::MoveSample& m, ServerboundUpdate& u) {
    u.ctx.movement.advance(m);
    u.ctx.knockback.tick();
    if (m.input.on_ground) u.ctx.claims.gliding = false;
    u.ctx.last_movement_at = u.now;
    u.ctx.any_movement = true;
  }
};

// Which rotation packets are the mouse's (context::LookTracker). Last in
// the list: its before() reads the context as the checks will (teleports
// matched, transactions issued and acknowledged, riding), and the checks
// read the turn it leaves.
struct LookUpdater {
  static void before(const context::MoveSample& m, ServerboundUpdate& u) noexcept {
    // A movement without a rotation only clears the last turn: the context
    // is asked nothing for it (may_be_riding walks the lag compensation).
    const bool rotates = m.input.has_rotation;
    u.ctx.looks.on_move(m, rotates && u.ctx.teleports.empty(), rotates ? u.ctx.transactions.acked_seq() : 0,
                        rotates && u.ctx.may_be_riding());
  }
  static void before(const protocol::packets::SyncPlayerPositionS2c&, ClientboundUpdate& u) noexcept {
    u.ctx.looks.server_rotation(u.ctx.transactions.issued_seq(), /*is_teleport=*/true);
  }
  static void before(const protocol::packets::PlayerRotationS2c&, ClientboundUpdate& u) noexcept {
    u.ctx.looks.server_rotation(u.ctx.transactions.issued_seq(), /*is_teleport=*/false);
  }
  static void before(const protocol::packets::LoginPlayS2c&, ClientboundUpdate& u) noexcept { u.ctx.looks.reset(); }
  static void before(const protocol::packets::RespawnS2c&, ClientboundUpdate& u) noexcept { u.ctx.looks.reset(); }
};

using ContextUpdaters = UpdaterList<ClientClaimsUpdater, MovementUpdater, LagCompensation, EntityTracking, LookUpdater>;

}  // namespace rustguard::engine
