#pragma once
// Setbacks: a flag whose outcome is a setback (a check's setback_vl, or a
// punishment ladder's `setback`) sends the player back to where the server
// last saw it (context::AcceptedPosition), and the server never sees the
// illegal moves:
//  - the move that flagged is held (dropped without counting as a cancel);
//  - RustGuard sends the client a Synchronize Player Position of its own to
//    the accepted position (absolute x/y/z, unchanged rotation, no motion);
//  - every move until the client arrives there is held, as the vanilla server
//    ignores moves while its own teleport is unanswered; the checks still
//    judge them, so a cheat that keeps going keeps adding evidence;
//  - the client's confirmation of our teleport is held too: the server never
//    sent it.
// Teleport ids (1.9+): from the first teleport on, the client sees ids of
// RustGuard's sequence only (context::TeleportIds): each server teleport is
// forwarded with one of ours and its confirmation goes back with the
// server's, so no server numbering can collide with our setbacks.
// A server teleport arriving meanwhile is forwarded as usual: the client
// applies ours and then the server's, and the wait ends when it arrives at
// either. While a server teleport is still on its way, a setback only holds
// the flagged move: the server's teleport moves the player anyway, and a
// second one of ours would land the client away from where the server
// expects it. Riders are not set back (their moves are the vehicle's).
//
// With engine.setbacks on. A replay (EngineMode::observe) sends and holds
// nothing, but keeps the same books, so that it judges a client-side capture
// of a live RustGuard exactly as live did: it knows when a setback started
// and where to, recognises RustGuard's teleport when it shows up in the
// capture, and treats the client's arrival there as live did. A capture
// without those teleports (the backend side, or no RustGuard) never shows
// one; the books then wait for it, which no check reads.

#include <optional>
#include <utility>
#include <vector>

#include "rustguard/checks/api/reporter.hpp"
#include "rustguard/checks/api/verdict.hpp"
#include "rustguard/context/movement.hpp"
#include "rustguard/context/player_context.hpp"
#include "rustguard/protocol/packets/play/confirm_teleport_c2s.hpp"
#include "rustguard/protocol/packets/play/sync_player_position_s2c.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/time.hpp"

namespace rustguard::engine {

// What the engine asks the session to change about the packet it just read
// (or, for `teleport`, to send the client now).
struct PacketRewrite {
  bool hold = false;  // drop it quietly: no violation, not a cancel
  // Its body re-encoded (same kind), to send instead of the original.
  std::optional<std::vector<std::uint8_t>> replacement;
  // A setback to send the client, after the packet.
  std::optional<protocol::packets::SyncPlayerPositionS2c> teleport;
};

struct Setbacks {
  // A server teleport older than this that the client never arrived at is
  // not waited for any more (a relative target we computed off, a client
  // ignoring it): it no longer stops setbacks.
  static constexpr Micros kServerTeleportPatience = millis(5'000);

  // Whether a setback of ours is on its way: the client has not yet arrived
  // at it (nor at a later target), or, in a replay, it has not even shown up.
  static bool awaiting(const context::PlayerContext& ctx) noexcept {
    return ctx.teleports.has_ours() || ctx.unseen_setback.has_value();
  }

  // A move was judged: `awaited` says whether our setback was on its way
  // before it, `verdict` what the checks decided. A forwarded position is
  // where the server now sees the player (a teleport's target included).
  static void after_move(context::PlayerContext& ctx, const context::MovementInput& in, bool awaited,
                         Verdict verdict, Consequences& c, Timestamp now, PacketRewrite& out) {
    const bool requested = std::exchange(c.setback, false);
    const bool still = awaited && awaiting(ctx);
    if (requested || still) {
      out.hold = true;
      if (requested && !still) start(ctx, now, out);
      return;
    }
    if (verdict == Verdict::pass && in.has_position) ctx.accepted.accept(in.position, in.on_ground);
  }

  // A flag asked for a setback outside a move (another packet, a tick).
  static void on_request(context::PlayerContext& ctx, Consequences& c, Timestamp now, PacketRewrite& out) {
    if (std::exchange(c.setback, false) && !awaiting(ctx)) start(ctx, now, out);
  }

  // A teleport reached the client (live: one of ours, read back at once; a
  // replay: one the capture shows): if it is the setback the books expect
  // (absolute, to its target), the pending teleport is ours. Called after
  // the teleport was recorded as pending.
  static void on_observed_teleport(context::PlayerContext& ctx, const protocol::packets::SyncPlayerPositionS2c& p) {
    if (!ctx.unseen_setback || p.relative.x || p.relative.y || p.relative.z) return;
    context::PendingTeleport* t = ctx.teleports.newest();
    const protocol::Vec3& want = ctx.unseen_setback->target;
    if (t == nullptr || t->target.x != want.x || t->target.y != want.y || t->target.z != want.z) return;
    t->ours = true;
    t->on_ground = ctx.unseen_setback->on_ground;
    ctx.unseen_setback.reset();
  }

  // The server teleports the player: the client gets it with an id of ours.
  static void on_server_teleport(context::PlayerContext& ctx, protocol::packets::SyncPlayerPositionS2c& p,
                                 PacketRewrite& out) {
    if (!protocol::has_teleport_confirm(ctx.protocol)) return;
    p.teleport_id = ctx.teleport_ids.from_server(p.teleport_id);
    std::vector<std::uint8_t> body;
    p.encode(body, ctx.protocol);
    out.replacement = std::move(body);
  }

  // The client confirms a teleport: ours stays here; the server's goes on
  // with the server's id. An id nobody sent passes as it came (the teleport
  // check judges it).
  static void on_confirm(context::PlayerContext& ctx, const protocol::packets::ConfirmTeleportC2s& p,
                         PacketRewrite& out) {
    if (!protocol::has_teleport_confirm(ctx.protocol)) return;
    const context::TeleportIds::Confirmed c = ctx.teleport_ids.confirm(p.teleport_id);
    if (c.owner == context::TeleportIds::Owner::ours) {
      out.hold = true;
    } else if (c.owner == context::TeleportIds::Owner::server && c.server_id != p.teleport_id) {
      std::vector<std::uint8_t> body;
      protocol::packets::ConfirmTeleportC2s{c.server_id}.encode(body, ctx.protocol);
      out.replacement = std::move(body);
    }
  }

 private:
  static bool server_teleport_on_its_way(const context::PlayerContext& ctx, Timestamp now) {
    const context::PendingTeleport* t = ctx.teleports.newest();
    return t != nullptr && !t->ours && now - t->sent_at < kServerTeleportPatience;
  }

  // Live, the engine then reads the teleport it sends as the client will
  // (DetectionEngine::read_own_teleport): the teleport is recorded as
  // pending and the checks that read server teleports see it, exactly as a
  // replay sees it in the capture; on_observed_teleport marks it ours.
  static void start(context::PlayerContext& ctx, Timestamp now, PacketRewrite& out) {
    if (!ctx.accepted.known || ctx.may_be_riding() || server_teleport_on_its_way(ctx, now)) return;
    context::PendingTeleport pending;
    pending.target = ctx.accepted.position;
    pending.sent_at = now;
    pending.ours = true;
    pending.on_ground = ctx.accepted.on_ground;
    ctx.unseen_setback = pending;  // a replay sees it when the capture shows it
    if (ctx.observe) return;
    protocol::packets::SyncPlayerPositionS2c t;
    t.position = ctx.accepted.position;
    t.relative.yaw = true;  // the view stays where the player looks
    t.relative.pitch = true;
    t.teleport_id = protocol::has_teleport_confirm(ctx.protocol) ? ctx.teleport_ids.ours() : 0;
    out.teleport = t;
  }

};

}  // namespace rustguard::engine
