#pragma once
// Lag compensation: turns clientbound packets into changes of the player's
// context and decides where the session injects transactions. A context
// updater (context_update.hpp): one before() per clientbound packet it
// follows, registered in context_updaters.hpp.
//
// Around each clientbound packet that changes what the client may do (game
// mode, abilities, effects, attributes, food, riding, velocity) the engine
// asks for a transaction before and after it. A change is recorded against the
// first (from its acknowledgement on, the client may use the new state) and
// closed by the second (from its acknowledgement on, the client uses it). In a
// bundle nothing is injected: the change opens against the last transaction
// already sent (which only widens the window) and closes with a transaction
// after the bundle's closing delimiter.
//
// Observe mode (a replay: nothing the engine injects reaches anyone) sends
// nothing. Transactions of the engine's id range in the stream are taken as
// the engine's own, at that point of the stream (a live RustGuard put one
// before and one after each change). A change opens against the last
// transaction or receipt marker seen and stays open until the next one: the
// transaction after it (captures on the client's side), or, where the proxy
// swallowed its transactions (captures on the backend's side), the next Keep
// Alive or server Ping, which closes it once the client answers it. Between,
// old and new state are both allowed.
//
// Teleports need no transaction: the client confirms them by id (1.9+) and
// answers them with its position. Login and Respawn reset the player, which
// moves only after the server's next teleport, so they apply at once.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>

#include "rustguard/context/attributes.hpp"
#include "rustguard/context/player_context.hpp"
#include "rustguard/engine/context_update.hpp"
#include "rustguard/engine/decoded_packets.hpp"
#include "rustguard/engine/engine_config.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/packets/clientbound.hpp"
#include "rustguard/time.hpp"

namespace rustguard::engine {

class LagCompensation {
 public:
  // Frequent packets read only to carry the heartbeat transaction: the
  // engine wants them but never decodes them.
  static constexpr std::array kHeartbeatOnly{
      protocol::PacketKind::entity_relative_move_s2c, protocol::PacketKind::entity_move_rotation_s2c,
      protocol::PacketKind::entity_teleport_s2c, protocol::PacketKind::entity_position_sync_s2c};

  // Packets no heartbeat follows, decoded or not: a bundle delimiter (the
  // transaction goes after the bundle, see close_after), what resets the
  // player, and Start Configuration (the client reads configuration packets
  // after it: a play Ping there is never sent, and its answer would never
  // come). Every other clientbound packet the engine is given may carry one.
  using WithoutHeartbeat =
      PacketList<pk::BundleDelimiterS2c, pk::LoginPlayS2c, pk::RespawnS2c, pk::StartConfigurationS2c>;
  static constexpr bool carries_heartbeat(protocol::PacketKind kind) noexcept {
    return !WithoutHeartbeat::contains(kind);
  }

  // --- updaters: one per clientbound packet that changes the context. A
  // packet that fails to decode reaches none (the client will reject it as
  // well, or disconnect).

  static void before(const pk::BundleDelimiterS2c&, ClientboundUpdate& u) {
    auto& ctx = u.ctx;
    ctx.in_bundle = !ctx.in_bundle;
    if (ctx.observe) return;
    if (!ctx.in_bundle && ctx.bundle_changed_state) {
      ctx.bundle_changed_state = false;
      close_after(ctx, u.now, u.decision);
    }
  }

  static void before(const pk::LoginPlayS2c& p, ClientboundUpdate& u) {
    u.ctx.entity_id = p.entity_id;
    u.ctx.vehicle_id = -1;
    context::PhysicsState fresh;
    fresh.game_mode = static_cast<context::GameMode>(p.game_mode);
    reset_player(u.ctx, fresh);
  }

  static void before(const pk::RespawnS2c& p, ClientboundUpdate& u) {
    context::PhysicsState next = u.ctx.physics.latest();
    next.game_mode = static_cast<context::GameMode>(p.game_mode);
    next.effects.clear_all();
    next.riding = false;
    if (!p.keeps_attributes()) next.attributes = {};
    u.ctx.vehicle_id = -1;
    ++u.ctx.respawns;
    reset_player(u.ctx, next);
  }

  static void before(const pk::GameEventS2c& p, ClientboundUpdate& u) {
    if (!p.is(pk::GameEvent::change_game_mode)) return;
    // The value is a float from the server: range-check it as a float, so
    // NaN or a huge value never reaches the (then undefined) conversion.
    if (!(p.value >= 0.0f && p.value <= 3.0f)) return;
    const auto mode = static_cast<std::int32_t>(p.value);
    change(u, [&](context::PhysicsState& s) { s.game_mode = static_cast<context::GameMode>(mode); });
  }

  static void before(const pk::PlayerAbilitiesS2c& p, ClientboundUpdate& u) {
    change(u, [&](context::PhysicsState& s) {
      s.abilities = {p.invulnerable, p.flying, p.may_fly, p.instabuild, p.fly_speed, p.walk_speed};
    });
    // The server decides whether the player flies; the client follows it.
    u.ctx.claims.flying = p.flying;
  }

  static void before(const pk::EntityEffectS2c& p, ClientboundUpdate& u) {
    if (p.entity_id != u.ctx.entity_id) return;
    const auto effect = context::movement_effect(p.effect_id);
    if (!effect) return;
    change(u, [&](context::PhysicsState& s) { s.effects.set(*effect, p.amplifier); });
  }

  static void before(const pk::RemoveEntityEffectS2c& p, ClientboundUpdate& u) {
    if (p.entity_id != u.ctx.entity_id) return;
    const auto effect = context::movement_effect(p.effect_id);
    if (!effect) return;
    change(u, [&](context::PhysicsState& s) { s.effects.clear(*effect); });
  }

  static void before(const pk::UpdateAttributesS2c& p, ClientboundUpdate& u) {
    if (p.entity_id != u.ctx.entity_id) return;
    context::AttributeValues next = u.ctx.physics.latest().attributes;
    if (!context::apply(next, p)) return;
    change(u, [&](context::PhysicsState& s) { s.attributes = next; });
  }

  static void before(const pk::SetHealthS2c& p, ClientboundUpdate& u) {
    if (p.food == u.ctx.physics.latest().food) return;
    change(u, [&](context::PhysicsState& s) { s.food = p.food; });
  }

  static void before(const pk::SetEntityVelocityS2c& p, ClientboundUpdate& u) {
    if (p.entity_id != u.ctx.entity_id) return;
    knockback(u, p.velocity);
  }

  static void before(const pk::ExplosionS2c& p, ClientboundUpdate& u) {
    if (!p.has_knockback) return;
    knockback(u, p.knockback);
  }

  static void before(const pk::SyncPlayerPositionS2c& p, ClientboundUpdate& u) {
    auto& ctx = u.ctx;
    const context::PendingTeleport* last = ctx.teleports.newest();
    const protocol::Vec3 base = last ? last->target : ctx.movement.position;
    context::PendingTeleport t;
    t.id = p.teleport_id;
    t.target = {p.relative.x ? base.x + p.position.x : p.position.x,
                p.relative.y ? base.y + p.position.y : p.position.y,
                p.relative.z ? base.z + p.position.z : p.position.z};
    t.velocity = p.velocity;
    t.sent_at = u.now;
    ctx.teleports.add(t);
  }

  static void before(const pk::SetPassengersS2c& p, ClientboundUpdate& u) {
    const bool aboard =
        std::find(p.passenger_ids.begin(), p.passenger_ids.end(), u.ctx.entity_id) != p.passenger_ids.end();
    if (aboard) {
      ride(u, p.vehicle_id);
    } else if (p.vehicle_id == u.ctx.vehicle_id) {
      ride(u, -1);
    }
  }

  // 1.8: the player rides `vehicle_id` (-1: got off); a leash changes nothing.
  static void before(const pk::AttachEntityS2c& p, ClientboundUpdate& u) {
    if (!p.riding()) return;
    if (p.entity_id == u.ctx.entity_id) {
      ride(u, p.vehicle_id);
    } else if (p.vehicle_id >= 0 && p.vehicle_id == u.ctx.vehicle_id) {
      ride(u, -1);  // another rider took the player's seat (one rider per 1.8 vehicle)
    }
  }

  static void before(const pk::PingS2c& p, ClientboundUpdate& u) {
    if (u.ctx.observe) {
      observe_transaction(u.ctx, p.id, u.now);
    } else {
      u.ctx.server_pings.add(p.id);
    }
  }

  static void before(const pk::WindowConfirmationS2c& p, ClientboundUpdate& u) {
    if (p.window_id != 0) return;
    if (u.ctx.observe) {
      observe_transaction(u.ctx, p.action, u.now);
    } else {
      u.ctx.server_pings.add(p.action);
    }
  }

  static void before(const pk::KeepAliveS2c& p, ClientboundUpdate& u) {
    if (u.ctx.observe) mark_receipt(u.ctx, context::ReceiptKind::keep_alive, p.id, u.now);
  }

  // --- the engine calls these itself.

  // After a clientbound packet (unless !carries_heartbeat): a transaction
  // when the last one is older than `checks.engine.heartbeat_ms`.
  static void heartbeat(context::PlayerContext& ctx, Timestamp now, ClientboundDecision& d,
                        const EngineSettings& settings) {
    if (ctx.observe) return;  // nothing is sent; the capture's own transactions are the heartbeat
    if (settings.heartbeat_ms <= 0 || ctx.in_bundle || d.transaction_after || !ctx.in_play) return;
    const auto last = ctx.transactions.last_issued_at();
    if (last && now - *last < millis(settings.heartbeat_ms)) return;
    if (const auto* t = ctx.transactions.issue(now)) d.transaction_after = t->id;
  }

  // The client acknowledged transactions up to `acked_seq`.
  static void on_acknowledged(context::PlayerContext& ctx, std::uint64_t acked_seq) {
    ctx.physics.acknowledge(acked_seq);
    ctx.knockback.acknowledge(acked_seq);
  }

 private:
  // The player rides `vehicle` now (-1: on foot).
  static void ride(ClientboundUpdate& u, std::int32_t vehicle) {
    u.ctx.vehicle_id = vehicle;
    const bool aboard = vehicle >= 0;
    if (u.ctx.physics.latest().riding == aboard) return;
    change(u, [&](context::PhysicsState& s) { s.riding = aboard; });
  }

  template <class Edit>
  static void change(ClientboundUpdate& u, Edit&& edit) {
    context::PlayerContext& ctx = u.ctx;
    if (ctx.observe) {
      edit(ctx.physics.change(ctx.transactions.issued_seq(), 0));
      ctx.physics.commit();
      ctx.observed_change_open = true;
      return;
    }
    if (ctx.in_bundle) {
      edit(ctx.physics.change(ctx.transactions.issued_seq(), 0));
      ctx.physics.commit();
      ctx.bundle_changed_state = true;
      return;
    }
    const std::uint64_t begin = open_before(ctx, u.now, u.decision);
    edit(ctx.physics.change(begin, 0));
    ctx.physics.commit();
    close_after(ctx, u.now, u.decision);
  }

  static void knockback(ClientboundUpdate& u, const protocol::Vec3& v) {
    if (!(std::isfinite(v.x) && std::isfinite(v.y) && std::isfinite(v.z))) return;
    context::PlayerContext& ctx = u.ctx;
    if (ctx.observe) {
      ctx.knockback.add(v, ctx.transactions.issued_seq(), 0);
      ctx.observed_change_open = true;
      return;
    }
    if (ctx.in_bundle) {
      ctx.knockback.add(v, ctx.transactions.issued_seq(), 0);
      ctx.bundle_changed_state = true;
      return;
    }
    ctx.knockback.add(v, open_before(ctx, u.now, u.decision), 0);
    close_after(ctx, u.now, u.decision);
  }

  static std::uint64_t open_before(context::PlayerContext& ctx, Timestamp now, ClientboundDecision& d) {
    if (d.transaction_before) return ctx.transactions.issued_seq();
    if (const auto* t = ctx.transactions.issue(now)) {
      d.transaction_before = t->id;
      return t->seq;
    }
    return ctx.transactions.issued_seq();
  }

  static void close_after(context::PlayerContext& ctx, Timestamp now, ClientboundDecision& d) {
    if (const auto* t = ctx.transactions.issue(now)) {
      d.transaction_after = t->id;
      ctx.physics.close_open(t->seq);
      ctx.knockback.close_open(t->seq);
    }
  }

  // Observe mode: a Ping / window-0 confirmation in the stream. In the engine's
  // id range it is one of a live RustGuard's transactions; otherwise the
  // server's own, whose answer is still evidence of receipt.
  static void observe_transaction(context::PlayerContext& ctx, std::int32_t id, Timestamp now) {
    if (!context::TransactionQueue::in_our_range(id)) {
      mark_receipt(ctx, context::ReceiptKind::server_ping, id, now);
      return;
    }
    if (!ctx.observed_own_transactions) {
      ctx.observed_own_transactions = true;
      ctx.receipts.clear();  // from here on, read as live reads the stream
    }
    if (const auto* t = ctx.transactions.observe(id, now)) close_observed(ctx, t->seq);
  }

  // Live ignores keep-alives and server pings (its own transactions are the
  // evidence); so does a replay whose capture carries those transactions.
  static void mark_receipt(context::PlayerContext& ctx, context::ReceiptKind kind, std::int64_t id, Timestamp now) {
    if (ctx.observed_own_transactions) return;
    const std::uint64_t seq = ctx.transactions.mark();
    ctx.receipts.add(kind, id, seq, now);
    close_observed(ctx, seq);
  }

  static void close_observed(context::PlayerContext& ctx, std::uint64_t seq) {
    if (!ctx.observed_change_open) return;
    ctx.observed_change_open = false;
    ctx.physics.close_open(seq);
    ctx.knockback.close_open(seq);
  }

  static void reset_player(context::PlayerContext& ctx, const context::PhysicsState& state) {
    ctx.physics.reset(state);
    ctx.knockback.clear();
    ctx.observed_change_open = false;
    ctx.teleports.clear();
    ctx.unseen_setback.reset();
    ctx.accepted.forget();
    ctx.movement.reset(false);
    ctx.claims.sprinting = false;
    ctx.claims.sneaking = false;
    ctx.claims.gliding = false;
    ctx.claims.held_slot = -1;
    ctx.claims.flying = state.abilities.flying;
  }
};

}  // namespace rustguard::engine
