#pragma once
// Timer balance (`timer.balance`): more movement ticks than time allows
// (game speed raised).
//
// A balance in the style of the well-known plugin checks: a "client clock"
// advances 50 ms per movement packet (a teleport answer is not a tick) and is
// compared with the arrival time. A client running at 1.0x stays at or behind
// real time whatever the jitter; one running faster drifts ahead by the
// excess (1.05x: 2.5 ms per tick, 50 ms per second) and is flagged once it is
// ahead by more than the tolerance. After a flag the clock restarts at now.
//
// Idle time cannot be banked for a burst later: the clock is never allowed
// behind `now - max_bank_ms`, nor far behind the send time of the newest
// transaction the client acknowledged (it provably lived through that
// moment). How far: `drift_ms` plus `catch_up_ticks` ticks, because a
// vanilla client that froze (a GC pause, a chunk-loading stutter) first
// handles every packet that arrived meanwhile, answering the transaction,
// and only then runs the ticks it missed, up to 10 in one frame: those ticks
// belong to the time before the answer. The clock also starts a full bank
// behind the first packet, since a first packet that was read late (a login
// under load) would otherwise make every later, timely one look early.
// A lag spike followed by a burst is therefore fine as long as the spike is
// shorter than the bank; longer holds are NegativeCheck's (`timer.negative`).

#include <algorithm>
#include <array>
#include <optional>
#include <string>

#include "rustguard/checks/api/check_info.hpp"
#include "rustguard/checks/api/check_settings.hpp"
#include "rustguard/checks/api/movement_evidence.hpp"
#include "rustguard/checks/api/events.hpp"
#include "rustguard/checks/api/reporter.hpp"
#include "rustguard/checks/api/verdict.hpp"
#include "rustguard/checks/api/violation_level.hpp"
#include "rustguard/context/player_context.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"

namespace rustguard::checks::timer {

class BalanceCheck {
 public:
  static constexpr engine::CheckInfo kInfo{
      "timer.balance", "Timer", "More movement ticks than elapsed time allows (game speed raised)",
      engine::CostClass::cheap, {.alert_vl = 3, .decay_per_second = 0.05}};
  static constexpr std::array kReads{protocol::PacketKind::set_position_c2s,
                                     protocol::PacketKind::set_position_rotation_c2s,
                                     protocol::PacketKind::set_rotation_c2s,
                                     protocol::PacketKind::set_movement_flags_c2s};
  struct Params {
    std::int64_t tick_ms = 50;        // one client tick
    std::int64_t tolerance_ms = 120;  // how far ahead of real time the clock may get
    std::int64_t max_bank_ms = 1000;  // how far behind real time the clock may fall
    std::int64_t drift_ms = 120;      // slack below an acknowledged transaction's send time
    std::int64_t catch_up_ticks = 10; // ticks a frozen client may still owe when it answers

    // Every field by its config name (checks.<key>.<name>), for the loader.
    template <class F>
    void visit(F&& f) {
      f("tick_ms", tick_ms);
      f("tolerance_ms", tolerance_ms);
      f("max_bank_ms", max_bank_ms);
      f("drift_ms", drift_ms);
      f("catch_up_ticks", catch_up_ticks);
    }
    bool operator==(const Params&) const = default;
  };
  using Settings = engine::CheckSettings<BalanceCheck>;

  engine::Verdict on(const context::MoveSample& m, const context::PlayerContext& ctx, const Settings& s,
                     engine::Reporter& r) {
    if (m.teleport_response || ctx.may_be_riding()) return engine::Verdict::pass;
    const Timestamp now = r.now();
    const Micros tick = millis(s.params.tick_ms);
    if (!started_) {
      started_ = true;
      clock_ = now - millis(s.params.max_bank_ms);
    }
    clock_ = std::max(clock_, now - millis(s.params.max_bank_ms));
    if (acked_floor_) {
      clock_ = std::max(clock_, *acked_floor_ - millis(s.params.drift_ms) - tick * s.params.catch_up_ticks);
    }
    clock_ += tick;
    const double ahead = millis_between(now, clock_);
    if (ahead <= static_cast<double>(s.params.tolerance_ms)) return engine::Verdict::pass;
    clock_ = now;
    return r.flag_timing(kInfo, s.limits, vl_, "balance", 1,
                  "clock " + std::to_string(static_cast<long long>(ahead)) + " ms ahead",
                  "{\"ahead_ms\":" + std::to_string(ahead) + "}");
  }

  engine::Verdict on(const engine::TransactionAckEvent& e, const context::PlayerContext&, const Settings&,
                     engine::Reporter&) {
    if (e.result.kind != context::AckKind::unknown) {
      if (!acked_floor_ || e.result.transaction.sent_at > *acked_floor_) acked_floor_ = e.result.transaction.sent_at;
    }
    return engine::Verdict::pass;
  }

  // Milliseconds the client clock is ahead of `now` (negative: behind).
  double balance_ms(Timestamp now) const noexcept { return started_ ? millis_between(now, clock_) : 0; }
  // The model stage's feature (checks/api/movement_evidence.hpp): how far
  // ahead, never how far behind. An honest clock sits on its floor, and the
  // floor follows the newest acknowledged transaction, so "behind" measures
  // the player's ping, not a cheat (a model fed it learned to suspect
  // low-ping players: an honest 0 ms fighter got verdicts at p 0.78).
  void add_evidence(engine::MovementEvidence& e, Timestamp now) const noexcept {
    e.timer_ahead_ms = std::max(0.0, balance_ms(now));
  }

 private:
  engine::ViolationLevel vl_;
  bool started_ = false;
  Timestamp clock_{};
  std::optional<Timestamp> acked_floor_;
};

}  // namespace rustguard::checks::timer
