#pragma once
// Negative timer (`timer.negative`), blink: too few movement ticks. Vanilla sends a movement
// packet at least every 20 ticks (1 s) and mineflayer at least once a second,
// so a longer silence is either a lag spike (then the client also stops
// answering transactions: everything queues behind the same TCP stream) or a
// client holding its movement back while it keeps processing the server's
// packets (blink, fake lag). The check tells them apart by the transactions:
// when movement resumes after more than `max_silence_ms`, and during the
// silence the client acknowledged a transaction sent more than
// `max_silence_ms` after its last movement, it was alive and silent: flag.

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

    // Every field by its config name (checks.<key>.<name>), for the loader.
    template <class F>
    void visit(F&& f) {
      f("max_silence_ms", max_silence_ms);
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
    moved_ = true;
    last_move_ = now;
    alive_until_.reset();
    if (!had_last || m.teleport_response || ctx.may_be_riding() || !alive) return engine::Verdict::pass;
    const double silence = millis_between(last, now);
    const double alive_after = millis_between(last, *alive);
    const auto limit = static_cast<double>(s.params.max_silence_ms);
    if (silence <= limit || alive_after <= limit) return engine::Verdict::pass;
    return r.flag_timing(kInfo, s.limits, vl_, "silence", 1,
                  "no movement for " + std::to_string(static_cast<long long>(silence)) +
                      " ms while answering packets sent " + std::to_string(static_cast<long long>(alive_after)) +
                      " ms after the last one",
                  "{\"silence_ms\":" + std::to_string(silence) + ",\"alive_ms\":" + std::to_string(alive_after) + "}");
  }

  engine::Verdict on(const engine::TransactionAckEvent& e, const context::PlayerContext&, const Settings&,
                     engine::Reporter&) {
    if (e.result.kind == context::AckKind::unknown) return engine::Verdict::pass;
    if (!alive_until_ || e.result.transaction.sent_at > *alive_until_) alive_until_ = e.result.transaction.sent_at;
    return engine::Verdict::pass;
  }

 private:
  engine::ViolationLevel vl_;
  bool moved_ = false;
  Timestamp last_move_{};
  std::optional<Timestamp> alive_until_;
};

}  // namespace rustguard::checks::timer
