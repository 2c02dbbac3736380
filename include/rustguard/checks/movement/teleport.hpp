#pragma once
// Teleport: abuse of teleport confirmations and position jumps.
//  - "confirm_unknown": Confirm Teleportation for an id the server never sent
//    (or already confirmed): forged to skip or fake a setback;
//  - "confirm_order": confirmations that skip an earlier teleport;
//  - "ignored": a teleport left unconfirmed (1.9+) past `confirm_timeout_ms`
//    while the client keeps moving (setback ignored);
//  - "jump": a single move longer than any legal move (`max_move` blocks plus
//    remaining knockback) that does not land on a pending teleport target
//    (1.9+: one the client confirmed first). Moves onto a confirmed target are
//    legal however far they go.

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

#include "rustguard/checks/api/check_info.hpp"
#include "rustguard/checks/api/check_settings.hpp"
#include "rustguard/checks/api/events.hpp"
#include "rustguard/checks/api/reporter.hpp"
#include "rustguard/checks/api/verdict.hpp"
#include "rustguard/checks/api/violation_level.hpp"
#include "rustguard/context/player_context.hpp"
#include "rustguard/protocol/packet_registry.hpp"

namespace rustguard::checks::movement {

class TeleportCheck {
 public:
  static constexpr engine::CheckInfo kInfo{
      "movement.teleport", "Teleport", "Forged teleport confirmations and position jumps",
      engine::CostClass::cheap, {.alert_vl = 1, .decay_per_second = 0.1, .setback_vl = 1}};
  static constexpr std::array kReads{
      protocol::PacketKind::confirm_teleport_c2s, protocol::PacketKind::set_position_c2s,
      protocol::PacketKind::set_position_rotation_c2s, protocol::PacketKind::set_rotation_c2s,
      protocol::PacketKind::set_movement_flags_c2s};
  struct Params {
    // Fastest legal moves: terminal fall 3.92, elytra with rockets ~3.4,
    // riptide ~4: anything longer is a jump.
    double max_move = 5.0;  // blocks per move
    std::int64_t confirm_timeout_ms = 10'000;

    // Every field by its config name (checks.<key>.<name>), for the loader.
    template <class F>
    void visit(F&& f) {
      f("max_move", max_move);
      f("confirm_timeout_ms", confirm_timeout_ms);
    }
    bool operator==(const Params&) const = default;
  };
  using Settings = engine::CheckSettings<TeleportCheck>;

  engine::Verdict on(const engine::TeleportConfirmEvent& e, const context::PlayerContext&, const Settings& s,
                     engine::Reporter& r) {
    switch (e.result) {
      case context::ConfirmResult::ok: return engine::Verdict::pass;
      case context::ConfirmResult::out_of_order:
        return r.flag(kInfo, s.limits, vl_, "confirm_order", 1,
                      "confirmed teleport " + std::to_string(e.teleport_id) + " skipping earlier ones");
      case context::ConfirmResult::unknown:
        return r.flag(kInfo, s.limits, vl_, "confirm_unknown", 1,
                      "confirmed teleport " + std::to_string(e.teleport_id) + " never sent");
    }
    return engine::Verdict::pass;
  }

  engine::Verdict on(const context::MoveSample& m, const context::PlayerContext& ctx, const Settings& s,
                     engine::Reporter& r) {
    engine::Verdict verdict = engine::Verdict::pass;
    if (const auto* t = ctx.teleports.oldest();
        t != nullptr && !t->confirmed && protocol::has_teleport_confirm(ctx.protocol) &&
        millis_between(t->sent_at, r.now()) > static_cast<double>(s.params.confirm_timeout_ms) &&
        t->sent_at > ignored_flagged_at_) {
      ignored_flagged_at_ = t->sent_at;
      verdict = r.flag(kInfo, s.limits, vl_, "ignored", 1, "teleport " + std::to_string(t->id) + " never confirmed");
    }
    if (!m.moved() || m.teleport_response || ctx.may_be_riding() || ctx.may_be_spectator()) return verdict;
    const double distance = std::sqrt(m.horizontal * m.horizontal + m.delta.y * m.delta.y);
    const std::uint64_t acked = ctx.transactions.acked_seq();
    const double limit = s.params.max_move + ctx.knockback.horizontal_allowance(acked) +
                         ctx.knockback.upward_allowance(acked);
    if (distance <= limit) return verdict;
    return engine::worst(verdict, r.flag(kInfo, s.limits, vl_, "jump", 1,
                                         "moved " + std::to_string(distance) + " blocks in one move",
                                         "{\"distance\":" + std::to_string(distance) + "}"));
  }

 private:
  engine::ViolationLevel vl_;
  Timestamp ignored_flagged_at_{-1};
};

}  // namespace rustguard::checks::movement
