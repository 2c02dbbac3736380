#pragma once
// BadPackets / self attack: the player attacks or uses its own entity, which
// the vanilla client cannot target.

#include <array>
#include <string>

#include "rustguard/checks/api/check_info.hpp"
#include "rustguard/checks/api/check_settings.hpp"
#include "rustguard/checks/api/events.hpp"
#include "rustguard/checks/api/reporter.hpp"
#include "rustguard/checks/api/verdict.hpp"
#include "rustguard/checks/api/violation_level.hpp"
#include "rustguard/context/player_context.hpp"
#include "rustguard/protocol/packets/play/interact_c2s.hpp"

namespace rustguard::checks::badpackets {

class SelfAttackCheck {
 public:
  static constexpr engine::CheckInfo kInfo{
      "badpackets.self_attack", "BadPackets (self attack)", "Attacking or interacting with oneself",
      engine::CostClass::cheap, {.alert_vl = 1, .decay_per_second = 0.05, .cancel_vl = 1}};
  static constexpr std::array kReads{protocol::PacketKind::interact_c2s, protocol::PacketKind::attack_c2s};
  struct Params {
    bool operator==(const Params&) const = default;
  };
  using Settings = engine::CheckSettings<SelfAttackCheck>;

  engine::Verdict on(const protocol::packets::InteractC2s& p, const context::PlayerContext& ctx,
                     const Settings& s, engine::Reporter& r) {
    return target(p.entity_id, ctx, s, r);
  }
  engine::Verdict on(const engine::AttackEvent& a, const context::PlayerContext& ctx, const Settings& s,
                     engine::Reporter& r) {
    return target(a.target, ctx, s, r);
  }

 private:
  engine::Verdict target(std::int32_t entity, const context::PlayerContext& ctx, const Settings& s,
                         engine::Reporter& r) {
    if (ctx.entity_id < 0 || entity != ctx.entity_id) return engine::Verdict::pass;
    return r.flag(kInfo, s.limits, vl_, "self", 1, "targeted own entity " + std::to_string(entity));
  }
  engine::ViolationLevel vl_;
};

}  // namespace rustguard::checks::badpackets
