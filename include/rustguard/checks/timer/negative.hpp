#pragma once
// Negative timer (`timer.negative`), blink: too few movement ticks. Vanilla sends a movement
// packet at least every 20 ticks (1 s) and mineflayer at least once a second,
// so a longer silence is either a lag spike (then the client also stops
// answering transactions: everything queues behind the same TCP stream) or a
// client holding its movement back while it keeps processing the server's
// packets (blink, fake lag). The check tells them apart by the transactions:
// when movement resumes after more than `max_silence_ms`, and during the
// silence the client acknowledged a transaction sent more than
// `max_silence_ms` after its last movement, it was alive and silent.
//
// A client that froze (a GC pause, a stutter loading chunks) looks the same
// for a moment: the vanilla game answers the packets that queued during the
// freeze first, then runs the ticks it missed, at most 10 in one frame, and
// its once-a-second position comes at the latest 10 ticks after those.
// So the answer proves the client alive only from then on: it is flagged
// when its movement is still missing `move_after_answer_ms` (20 ticks) after
// that answer arrived. A blink holds movement through many answers.

#include <array>
#include <optional>
#include <string>

#include "rustguard/checks/api/check_info.hpp"
#include "rustguard/checks/api/check_settings.hpp"
#include "rustguard/checks/api/events.hpp"
#include "rustguard/checks/api/reporter.hpp"
#include "rustguard/checks/api/verdict.hpp"
#include "rustguard/checks/api/violation_level.hpp"
#include "rustguard/context/player_context.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"

namespace rustguard::checks::timer {

class NegativeCheck {
 public:
  static constexpr engine::CheckInfo kInfo{
      "timer.negative", "NegativeTimer", "Movement withheld while the client keeps answering (blink, fake lag)",
      engine::CostClass::cheap, {.alert_vl = 2, .decay_per_second = 0.05}};
  static constexpr std::array kReads{protocol::PacketKind::set_position_c2s,
                                     protocol::PacketKind::set_position_rotation_c2s,
                                     protocol::PacketKind::set_rotation_c2s,
                                     protocol::PacketKind::set_movement_flags_c2s};
  struct Params {
    std::int64_t max_silence_ms = 1500;
    std::int64_t move_after_answer_ms = 1000;

    // Every field by its config name (checks.<key>.<name>), for the loader.
    template <class F>
    void visit(F&& f) {
      f("max_silence_ms", max_silence_ms);
      f("move_after_answer_ms", move_after_answer_ms);
    }
    bool operator==(const Params&) const = default;
  };
  using Settings = engine::CheckSettings<NegativeCheck>;

  engine::Verdict on(const context::MoveSample& m, const context::PlayerContext& ctx, const Settings& s,
                     engine::Reporter& r) {
    const Timestamp now = r.now();
    const bool had_last = moved_;
    const Timestamp last = last_move_;
    const std::optional<Timestamp> alive = alive_until_;
    const std::optional<Timestamp> proved = proved_alive_at_;
    moved_ = true;
    last_move_ = now;
    alive_until_.reset();
    proved_alive_at_.reset();
    if (!had_last || m.teleport_response || ctx.may_be_riding() || !alive || !proved) return engine::Verdict::pass;
    const double silence = millis_between(last, now);
    const double alive_after = millis_between(last, *alive);
    const double after_answer = millis_between(*proved, now);
    if (silence <= static_cast<double>(s.params.max_silence_ms) ||
        after_answer <= static_cast<double>(s.params.move_after_answer_ms)) {
      return engine::Verdict::pass;
    }
    return r.flag_timing(kInfo, s.limits, vl_, "silence", 1,
                  "no movement for " + std::to_string(static_cast<long long>(silence)) +
                      " ms while answering packets sent " + std::to_string(static_cast<long long>(alive_after)) +
                      " ms after the last one, and none for " +
                      std::to_string(static_cast<long long>(after_answer)) + " ms after that answer",
                  "{\"silence_ms\":" + std::to_string(silence) + ",\"alive_ms\":" + std::to_string(alive_after) +
                      ",\"after_answer_ms\":" + std::to_string(after_answer) + "}");
  }

  engine::Verdict on(const engine::TransactionAckEvent& e, const context::PlayerContext&, const Settings& s,
                     engine::Reporter& r) {
    if (e.result.kind == context::AckKind::unknown) return engine::Verdict::pass;
    const Timestamp sent = e.result.transaction.sent_at;
    if (!alive_until_ || sent > *alive_until_) alive_until_ = sent;
    // The first answer to a transaction sent after the allowed silence: from
    // here on the client is known to be running.
    if (moved_ && !proved_alive_at_ &&
        millis_between(last_move_, sent) > static_cast<double>(s.params.max_silence_ms)) {
      proved_alive_at_ = r.now();
    }
    return engine::Verdict::pass;
  }

 private:
  engine::ViolationLevel vl_;
  bool moved_ = false;
  Timestamp last_move_{};
  std::optional<Timestamp> alive_until_;      // the newest acknowledged transaction's send time
  std::optional<Timestamp> proved_alive_at_;  // when the first one sent after the allowed silence was answered
};

}  // namespace rustguard::checks::timer
