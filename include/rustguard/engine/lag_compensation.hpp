#pragma once
// Lag compensation: turns clientbound packets into changes of the player's
// context and decides where the session injects transactions.
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
#include <cmath>
#include <cstdint>
#include <optional>
#include <span>

#include "rustguard/context/attributes.hpp"
#include "rustguard/context/player_context.hpp"
#include "rustguard/engine/engine_config.hpp"
#include "rustguard/protocol/packet_registry.hpp"
#include "rustguard/protocol/packets/clientbound.hpp"
#include "rustguard/time.hpp"

namespace rustguard::engine {

// What the engine answers for one clientbound packet: the transaction ids the
// session injects immediately before / after it, in the same stream: Ping
// (1.17+) with this id, or Window Confirmation on window 0 with this id as the
// action number (before 1.17). Never set for a packet inside a bundle: the
// engine waits for the bundle's closing delimiter and asks for the
// transaction after it.
struct ClientboundDecision {
  std::optional<std::int32_t> transaction_before;
  std::optional<std::int32_t> transaction_after;
};

class LagCompensation {
 public:
  // The clientbound kinds this component reads.
  static constexpr bool reads(protocol::PacketKind kind) noexcept {
    using protocol::PacketKind;
    switch (kind) {
      case PacketKind::login_play_s2c:
      case PacketKind::respawn_s2c:
      case PacketKind::game_event_s2c:
      case PacketKind::player_abilities_s2c:
      case PacketKind::entity_effect_s2c:
      case PacketKind::remove_entity_effect_s2c:
      case PacketKind::update_attributes_s2c:
      case PacketKind::set_health_s2c:
      case PacketKind::set_entity_velocity_s2c:
      case PacketKind::explosion_s2c:
      case PacketKind::sync_player_position_s2c:
      case PacketKind::set_passengers_s2c:
      case PacketKind::ping_s2c:
      case PacketKind::window_confirmation_s2c:
      case PacketKind::bundle_delimiter_s2c:
      // Frequent packets that only carry the heartbeat transaction.
      case PacketKind::keep_alive_s2c:
      case PacketKind::entity_relative_move_s2c:
      case PacketKind::entity_move_rotation_s2c:
      case PacketKind::entity_teleport_s2c:
      case PacketKind::entity_position_sync_s2c:
        return true;
      default:
        return false;
    }
  }

  // Applies one clientbound packet. A packet that fails to decode changes
  // nothing: the client will reject it as well, or disconnect.
  static ClientboundDecision on_clientbound(context::PlayerContext& ctx, protocol::PacketKind kind,
                                            std::span<const std::uint8_t> body, Timestamp now,
                                            const EngineSettings& settings) {
    using protocol::PacketKind;
    namespace pk = protocol::packets;
    ClientboundDecision d;
    const std::int32_t pv = ctx.protocol;
    switch (kind) {
      case PacketKind::bundle_delimiter_s2c:
        ctx.in_bundle = !ctx.in_bundle;
        if (ctx.observe) return d;
        if (!ctx.in_bundle && ctx.bundle_changed_state) {
          ctx.bundle_changed_state = false;
          close_after(ctx, now, d);
        }
        return d;
      case PacketKind::login_play_s2c: {
        auto p = pk::LoginPlayS2c::decode(body, pv);
        if (!p) return d;
        ctx.entity_id = p->entity_id;
        ctx.vehicle_id = -1;
        context::PhysicsState fresh;
        fresh.game_mode = static_cast<context::GameMode>(p->game_mode);
        reset_player(ctx, fresh);
        return d;
      }
      case PacketKind::respawn_s2c: {
        auto p = pk::RespawnS2c::decode(body, pv);
        if (!p) return d;
        context::PhysicsState next = ctx.physics.latest();
        next.game_mode = static_cast<context::GameMode>(p->game_mode);
        next.effects.clear_all();
        next.riding = false;
        if (!p->keeps_attributes()) next.attributes = {};
        ctx.vehicle_id = -1;
        ++ctx.respawns;
        reset_player(ctx, next);
        return d;
      }
      case PacketKind::game_event_s2c: {
        auto p = pk::GameEventS2c::decode(body, pv);
        if (!p || !p->is(pk::GameEvent::change_game_mode)) break;
        // The value is a float from the server: range-check it as a float, so
        // NaN or a huge value never reaches the (then undefined) conversion.
        if (!(p->value >= 0.0f && p->value <= 3.0f)) break;
        const auto mode = static_cast<std::int32_t>(p->value);
        change(ctx, now, d, [&](context::PhysicsState& s) { s.game_mode = static_cast<context::GameMode>(mode); });
        break;
      }
      case PacketKind::player_abilities_s2c: {
        auto p = pk::PlayerAbilitiesS2c::decode(body, pv);
        if (!p) break;
        change(ctx, now, d, [&](context::PhysicsState& s) {
          s.abilities = {p->invulnerable, p->flying, p->may_fly, p->instabuild, p->fly_speed, p->walk_speed};
        });
        // The server decides whether the player flies; the client follows it.
        ctx.claims.flying = p->flying;
        break;
      }
      case PacketKind::entity_effect_s2c: {
        auto p = pk::EntityEffectS2c::decode(body, pv);
        if (!p || p->entity_id != ctx.entity_id) break;
        const auto effect = context::movement_effect(p->effect_id);
        if (!effect) break;
        change(ctx, now, d, [&](context::PhysicsState& s) { s.effects.set(*effect, p->amplifier); });
        break;
      }
      case PacketKind::remove_entity_effect_s2c: {
        auto p = pk::RemoveEntityEffectS2c::decode(body, pv);
        if (!p || p->entity_id != ctx.entity_id) break;
        const auto effect = context::movement_effect(p->effect_id);
        if (!effect) break;
        change(ctx, now, d, [&](context::PhysicsState& s) { s.effects.clear(*effect); });
        break;
      }
      case PacketKind::update_attributes_s2c: {
        auto p = pk::UpdateAttributesS2c::decode(body, pv);
        if (!p || p->entity_id != ctx.entity_id) break;
        context::AttributeValues next = ctx.physics.latest().attributes;
        if (!context::apply(next, *p)) break;
        change(ctx, now, d, [&](context::PhysicsState& s) { s.attributes = next; });
        break;
      }
      case PacketKind::set_health_s2c: {
        auto p = pk::SetHealthS2c::decode(body, pv);
        if (!p || p->food == ctx.physics.latest().food) break;
        change(ctx, now, d, [&](context::PhysicsState& s) { s.food = p->food; });
        break;
      }
      case PacketKind::set_entity_velocity_s2c: {
        auto p = pk::SetEntityVelocityS2c::decode(body, pv);
        if (!p || p->entity_id != ctx.entity_id) break;
        knockback(ctx, now, d, p->velocity);
        break;
      }
      case PacketKind::explosion_s2c: {
        auto p = pk::ExplosionS2c::decode(body, pv);
        if (!p || !p->has_knockback) break;
        knockback(ctx, now, d, p->knockback);
        break;
      }
      case PacketKind::sync_player_position_s2c: {
        auto p = pk::SyncPlayerPositionS2c::decode(body, pv);
        if (!p) break;
        const context::PendingTeleport* last = ctx.teleports.newest();
        const protocol::Vec3 base = last ? last->target : ctx.movement.position;
        context::PendingTeleport t;
        t.id = p->teleport_id;
        t.target = {p->relative.x ? base.x + p->position.x : p->position.x,
                    p->relative.y ? base.y + p->position.y : p->position.y,
                    p->relative.z ? base.z + p->position.z : p->position.z};
        t.velocity = p->velocity;
        t.sent_at = now;
        ctx.teleports.add(t);
        break;
      }
      case PacketKind::set_passengers_s2c: {
        auto p = pk::SetPassengersS2c::decode(body, pv);
        if (!p) break;
        const bool aboard = std::find(p->passenger_ids.begin(), p->passenger_ids.end(), ctx.entity_id) !=
                            p->passenger_ids.end();
        if (aboard) {
          ctx.vehicle_id = p->vehicle_id;
        } else if (p->vehicle_id == ctx.vehicle_id) {
          ctx.vehicle_id = -1;
        } else {
          break;
        }
        if (ctx.physics.latest().riding == aboard) break;
        change(ctx, now, d, [&](context::PhysicsState& s) { s.riding = aboard; });
        break;
      }
      case PacketKind::ping_s2c: {
        auto p = pk::PingS2c::decode(body, pv);
        if (!p) break;
        if (ctx.observe) {
          observe_transaction(ctx, p->id, now);
        } else {
          ctx.server_pings.add(p->id);
        }
        break;
      }
      case PacketKind::window_confirmation_s2c: {
        auto p = pk::WindowConfirmationS2c::decode(body, pv);
        if (!p || p->window_id != 0) break;
        if (ctx.observe) {
          observe_transaction(ctx, p->action, now);
        } else {
          ctx.server_pings.add(p->action);
        }
        break;
      }
      case PacketKind::keep_alive_s2c: {
        if (!ctx.observe) break;
        if (auto p = pk::KeepAliveS2c::decode(body, pv)) mark_receipt(ctx, context::ReceiptKind::keep_alive, p->id, now);
        break;
      }
      default:
        break;
    }
    heartbeat(ctx, now, d, settings);
    return d;
  }

  // The client acknowledged transactions up to `acked_seq`.
  static void on_acknowledged(context::PlayerContext& ctx, std::uint64_t acked_seq) {
    ctx.physics.acknowledge(acked_seq);
    ctx.knockback.acknowledge(acked_seq);
  }

 private:
  template <class Edit>
  static void change(context::PlayerContext& ctx, Timestamp now, ClientboundDecision& d, Edit&& edit) {
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
    const std::uint64_t begin = open_before(ctx, now, d);
    edit(ctx.physics.change(begin, 0));
    ctx.physics.commit();
    close_after(ctx, now, d);
  }

  static void knockback(context::PlayerContext& ctx, Timestamp now, ClientboundDecision& d,
                        const protocol::Vec3& v) {
    if (!(std::isfinite(v.x) && std::isfinite(v.y) && std::isfinite(v.z))) return;
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
    ctx.knockback.add(v, open_before(ctx, now, d), 0);
    close_after(ctx, now, d);
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
    if (const auto* t = ctx.transactions.observe(id, now)) close_observed(ctx, t->seq);
  }

  static void mark_receipt(context::PlayerContext& ctx, context::ReceiptKind kind, std::int64_t id, Timestamp now) {
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

  static void heartbeat(context::PlayerContext& ctx, Timestamp now, ClientboundDecision& d,
                        const EngineSettings& settings) {
    if (ctx.observe) return;  // nothing is sent; the capture's own transactions are the heartbeat
    if (settings.heartbeat_ms <= 0 || ctx.in_bundle || d.transaction_after || !ctx.in_play) return;
    const auto last = ctx.transactions.last_issued_at();
    if (last && now - *last < millis(settings.heartbeat_ms)) return;
    if (const auto* t = ctx.transactions.issue(now)) d.transaction_after = t->id;
  }

  static void reset_player(context::PlayerContext& ctx, const context::PhysicsState& state) {
    ctx.physics.reset(state);
    ctx.knockback.clear();
    ctx.observed_change_open = false;
    ctx.teleports.clear();
    ctx.movement.reset(false);
    ctx.claims.sprinting = false;
    ctx.claims.sneaking = false;
    ctx.claims.gliding = false;
    ctx.claims.held_slot = -1;
    ctx.claims.flying = state.abilities.flying;
  }
};

}  // namespace rustguard::engine
