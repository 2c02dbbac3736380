#pragma once
// BadPackets / transaction: the client must answer the engine's lag-compensation
// transactions, in order, and only those it received. An answer that skips
// earlier ones, an answer to an id never sent, or no answer within the
// timeout means the client is withholding or forging acknowledgements (the
// usual way to keep an old state, such as no knockback, for longer).

#include <array>
#include <string>

#include "rustguard/checks/api/check_info.hpp"
#include "rustguard/checks/api/check_settings.hpp"
#include "rustguard/checks/api/events.hpp"
#include "rustguard/checks/api/reporter.hpp"
#include "rustguard/checks/api/verdict.hpp"
#include "rustguard/checks/api/violation_level.hpp"
#include "rustguard/context/player_context.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"

namespace rustguard::checks::badpackets {

class TransactionCheck {
 public:
  static constexpr engine::CheckInfo kInfo{
      "badpackets.transaction", "BadPackets (transaction)",
      "Lag-compensation transactions answered out of order, forged, or not at all",
      engine::CostClass::cheap, {.alert_vl = 1, .decay_per_second = 0.01, .kick_vl = 10}};
  static constexpr std::array kReads{protocol::PacketKind::pong_c2s, protocol::PacketKind::window_confirmation_c2s};
  struct Params {
    std::int64_t timeout_ms = 60'000;  // unanswered longer: flag with `timeout_vl`
    double timeout_vl = 10;            // with kick_vl 10, a timeout kicks

    // Every field by its config name (checks.<key>.<name>), for the loader.
    template <class F>
    void visit(F&& f) {
      f("timeout_ms", timeout_ms);
      f("timeout_vl", timeout_vl);
    }
    bool operator==(const Params&) const = default;
  };
  using Settings = engine::CheckSettings<TransactionCheck>;

  engine::Verdict on(const engine::TransactionAckEvent& e, const context::PlayerContext&, const Settings& s,
                     engine::Reporter& r) {
    switch (e.result.kind) {
      case context::AckKind::in_order:
      case context::AckKind::evidence:  // a keep-alive or server ping answer (observe mode)
        return engine::Verdict::pass;
      case context::AckKind::out_of_order:
        return r.flag(kInfo, s.limits, vl_, "order", 1,
                      "answered transaction " + std::to_string(e.result.transaction.id) + " skipping " +
                          std::to_string(e.result.skipped));
      case context::AckKind::unknown:
        return r.flag(kInfo, s.limits, vl_, "unknown", 1, "answered a transaction never sent");
    }
    return engine::Verdict::pass;
  }

  engine::Verdict on(const engine::TickEvent& e, const context::PlayerContext& ctx, const Settings& s,
                     engine::Reporter& r) {
    const auto* oldest = ctx.transactions.oldest_pending();
    if (oldest == nullptr || oldest->seq <= flagged_seq_) return engine::Verdict::pass;
    const double waited = millis_between(oldest->sent_at, e.now);
    if (waited < static_cast<double>(s.params.timeout_ms)) return engine::Verdict::pass;
    flagged_seq_ = oldest->seq;
    return r.flag_timing(kInfo, s.limits, vl_, "timeout", s.params.timeout_vl,
                  "transaction unanswered for " + std::to_string(static_cast<long long>(waited)) + " ms");
  }

 private:
  engine::ViolationLevel vl_;
  std::uint64_t flagged_seq_ = 0;
};

}  // namespace rustguard::checks::badpackets
