#pragma once
// KillAura / multi target (`killaura.multi_target`): attacks on several
// distinct entities within one client tick. A vanilla client attacks what is
// under its crosshair, which is picked once per tick, so every attack of a
// tick (several clicks may fall into one) hits the same entity; a killaura
// that hits everything around it ("multi" or "switch" with no delay) does not.
//
// Ticks come from checks/api/client_ticks.hpp. When every tick ends with a
// boundary (Client Tick End, or a 1.8 client's movement packet every tick)
// the check judges the order of packets only and flags the attack that
// brings the second distinct target. When a boundary may stand for several
// ticks (1.9+ without Client Tick End: a player standing still sends no
// movement packet), two targets between two boundaries may be two ticks
// apart, so the second attack must also arrive within `same_tick_ms` of the
// tick's first attack; such flags depend on arrival times and go through
// Reporter::flag_timing.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "rustguard/checks/api/check_info.hpp"
#include "rustguard/checks/api/check_settings.hpp"
#include "rustguard/checks/api/events.hpp"
#include "rustguard/checks/api/client_ticks.hpp"
#include "rustguard/checks/api/reporter.hpp"
#include "rustguard/checks/api/verdict.hpp"
#include "rustguard/checks/api/violation_level.hpp"
#include "rustguard/context/player_context.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/packets/play/client_tick_end_c2s.hpp"
#include "rustguard/time.hpp"

namespace rustguard::checks::killaura {

class MultiTargetCheck {
 public:
  static constexpr engine::CheckInfo kInfo{
      "killaura.multi_target", "KillAura (multi target)", "Attacks on several entities within one client tick",
      engine::CostClass::cheap, {.alert_vl = 2, .decay_per_second = 0.05}};
  static constexpr std::array kReads{
      protocol::PacketKind::interact_c2s,     protocol::PacketKind::attack_c2s,
      protocol::PacketKind::client_tick_end_c2s, protocol::PacketKind::set_position_c2s,
      protocol::PacketKind::set_position_rotation_c2s, protocol::PacketKind::set_rotation_c2s,
      protocol::PacketKind::set_movement_flags_c2s};
  struct Params {
    // Without exact ticks: the most time between two attacks of one tick.
    std::int64_t same_tick_ms = 20;

    // Every field by its config name (checks.<key>.<name>), for the loader.
    template <class F>
    void visit(F&& f) {
      f("same_tick_ms", same_tick_ms);
    }
    bool operator==(const Params&) const = default;
  };
  using Settings = engine::CheckSettings<MultiTargetCheck>;

  engine::Verdict on(const engine::AttackEvent& a, const context::PlayerContext& ctx, const Settings& s,
                     engine::Reporter& r) {
    return attack(a.target, ctx, s, r);
  }
  engine::Verdict on(const protocol::packets::ClientTickEndC2s&, const context::PlayerContext&, const Settings&,
                     engine::Reporter&) {
    count_ = 0;
    return engine::Verdict::pass;
  }
  engine::Verdict on(const context::MoveSample& m, const context::PlayerContext& ctx, const Settings&,
                     engine::Reporter&) {
    if (engine::ClientTicks::ends_tick(ctx, m)) count_ = 0;
    return engine::Verdict::pass;
  }

 private:
  // Distinct targets remembered per tick; more only repeats the flag.
  static constexpr std::size_t kTargets = 8;

  engine::Verdict attack(std::int32_t entity, const context::PlayerContext& ctx, const Settings& s,
                         engine::Reporter& r) {
    const Timestamp now = r.now();
    const bool exact = engine::ClientTicks::every_tick(ctx);
    if (count_ == 0) first_at_ = now;
    for (std::size_t i = 0; i < count_; ++i) {
      if (targets_[i] == entity) return engine::Verdict::pass;
    }
    if (count_ < kTargets) targets_[count_++] = entity;
    if (count_ < 2) return engine::Verdict::pass;
    const double apart = millis_between(first_at_, now);
    if (!exact && apart > static_cast<double>(s.params.same_tick_ms)) {
      // Too far apart to be one tick for sure: this attack starts the tick over.
      targets_[0] = entity;
      count_ = 1;
      first_at_ = now;
      return engine::Verdict::pass;
    }
    std::string detail = std::to_string(count_) + " distinct targets in one tick (entity " +
                         std::to_string(targets_[0]) + ", then " + std::to_string(entity) + ")" +
                         (exact ? "" : ", " + std::to_string(static_cast<long long>(apart)) + " ms apart");
    std::string json = "{\"targets\":" + std::to_string(count_) + ",\"entity\":" + std::to_string(entity) +
                       ",\"first\":" + std::to_string(targets_[0]) + ",\"apart_ms\":" + std::to_string(apart) +
                       ",\"exact_ticks\":" + (exact ? "true" : "false") + "}";
    if (exact) return r.flag(kInfo, s.limits, vl_, "tick", 1, std::move(detail), std::move(json));
    return r.flag_timing(kInfo, s.limits, vl_, "tick", 1, std::move(detail), std::move(json));
  }

  engine::ViolationLevel vl_;
  std::array<std::int32_t, kTargets> targets_{};
  std::size_t count_ = 0;
  Timestamp first_at_{};
};

}  // namespace rustguard::checks::killaura
