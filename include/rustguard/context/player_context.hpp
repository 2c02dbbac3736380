#pragma once
// Everything RustGuard knows about one player: who it is, what the server told
// it (lag-compensated), what the client claimed, and how it moved. One per
// connection, owned by that connection's engine: nothing here is shared, so
// the packet path takes no lock. Operators find players through an index the
// proxy keeps (name/uuid -> session), not through this object.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "rustguard/context/accepted_position.hpp"
#include "rustguard/context/knockback.hpp"
#include "rustguard/context/lag_compensated.hpp"
#include "rustguard/context/looks.hpp"
#include "rustguard/context/movement.hpp"
#include "rustguard/context/physics_state.hpp"
#include "rustguard/context/receipt_markers.hpp"
#include "rustguard/context/teleport_ids.hpp"
#include "rustguard/context/teleports.hpp"
#include "rustguard/context/tracked_entities.hpp"
#include "rustguard/context/transaction_queue.hpp"
#include "rustguard/protocol/types.hpp"
#include "rustguard/time.hpp"

namespace rustguard::context {

// What the client itself claimed through serverbound packets.
struct ClientClaims {
  bool sprinting = false;
  bool sneaking = false;
  bool flying = false;       // Player Abilities (serverbound) flying bit
  bool gliding = false;      // started elytra flight; ends on the ground
  bool tick_end = false;     // sends Client Tick End (1.21.2+): it alone ends a tick (checks/api/client_ticks.hpp)
  std::int32_t held_slot = -1;  // -1 = not yet sent
};

// Ids of the Pings (window confirmations before 1.17) the server itself sent,
// so their answers pass through even when they fall in the engine's id range.
class ServerPings {
 public:
  static constexpr std::size_t kCapacity = 32;
  void add(std::int32_t id) noexcept {
    ids_[next_ % kCapacity] = id;
    used_[next_ % kCapacity] = true;
    ++next_;
  }
  // Forgets and returns true when `id` is one the server sent.
  bool take(std::int32_t id) noexcept {
    for (std::size_t i = 0; i < kCapacity; ++i) {
      if (used_[i] && ids_[i] == id) {
        used_[i] = false;
        return true;
      }
    }
    return false;
  }

  // Every member once, for the snapshot of a clip's start (context_snapshot.hpp).
  template <class Self, class V>
  static void visit_fields(Self& self, V& v) {
    v(self.ids_, self.used_, self.next_);
  }

 private:
  std::array<std::int32_t, kCapacity> ids_{};
  std::array<bool, kCapacity> used_{};
  std::size_t next_ = 0;
};

struct PlayerContext {
  std::int32_t protocol = 0;
  std::string name;
  protocol::Uuid uuid{};
  std::int32_t entity_id = -1;  // from Login (play); -1 before
  std::int32_t vehicle_id = -1;  // the entity the player rides, -1 = none
  bool in_play = false;
  std::uint32_t respawns = 0;

  LagCompensated<PhysicsState> physics{};
  KnockbackTracker knockback{};
  PendingTeleports teleports{};
  // With setbacks on: the teleport ids the client sees, and where the server
  // last saw the player (engine/setbacks.hpp).
  TeleportIds teleport_ids{};
  AcceptedPosition accepted{};
  // Observe mode: the setback a live RustGuard sent here, not yet seen in
  // the capture's clientbound stream (engine/setbacks.hpp).
  std::optional<PendingTeleport> unseen_setback;
  TransactionQueue transactions{};
  MovementHistory movement{};
  ClientClaims claims{};
  // Which rotation packets are the mouse's (looks.hpp), kept by the engine
  // before the checks read a packet.
  LookTracker looks{};
  // The entities the client can see, lag-compensated (engine/entity_tracking.hpp).
  TrackedEntities entities{};

  double ping_ms = 0;        // round trip of the last acknowledged transaction
  bool in_bundle = false;    // between two clientbound bundle delimiters
  bool bundle_changed_state = false;  // a change inside the open bundle awaits its closing transaction
  ServerPings server_pings{};
  // Observe mode (a replay): transactions are recognised in the stream, not
  // sent; changes stay open until the next transaction or receipt marker.
  bool observe = false;
  bool observed_change_open = false;
  // The capture carries RustGuard's own transactions (a client-side capture
  // of a live proxy): they are then the only acknowledgements, as live,
  // and keep-alive or server-ping answers are not read as receipts.
  bool observed_own_transactions = false;
  ReceiptMarkers receipts{};
  // The host (the live proxy) said it read this player's bytes late (its
  // event loop fell behind): until then, flags judged from arrival times are
  // held (Reporter::flag_timing). Never set in a replay.
  Timestamp host_late_until{};
  Timestamp last_movement_at{};
  bool any_movement = false;

  // Calls f(state) for each server state the client may currently use (see
  // LagCompensated); returns true as soon as f does.
  template <class F>
  bool any_state(F&& f) const {
    return physics.any_possible(transactions.acked_seq(), f);
  }

  // Upper bound over every possible state of `f(state)` (a double).
  template <class F>
  double max_over_states(F&& f) const {
    double best = -1e300;
    physics.any_possible(transactions.acked_seq(), [&](const PhysicsState& s) {
      const double v = f(s);
      if (v > best) best = v;
      return false;
    });
    return best;
  }

  // The client may be flying legitimately: it said so and may fly in some state.
  bool may_be_flying() const {
    const bool claimed = claims.flying;
    return any_state([claimed](const PhysicsState& s) {
      return s.abilities.flying || s.game_mode == GameMode::spectator ||
             (claimed && (s.abilities.may_fly || s.game_mode == GameMode::creative));
    });
  }
  bool may_be_spectator() const {
    return any_state([](const PhysicsState& s) { return s.game_mode == GameMode::spectator; });
  }
  bool may_be_riding() const {
    return any_state([](const PhysicsState& s) { return s.riding; });
  }
};

}  // namespace rustguard::context
