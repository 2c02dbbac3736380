#pragma once
// BadPackets / fly ability: the client says it started flying (serverbound
// Player Abilities) although no state it may know lets it fly.

#include <array>

#include "rustguard/checks/api/check_info.hpp"
#include "rustguard/checks/api/check_settings.hpp"
#include "rustguard/checks/api/reporter.hpp"
#include "rustguard/checks/api/verdict.hpp"
#include "rustguard/checks/api/violation_level.hpp"
#include "rustguard/context/player_context.hpp"
#include "rustguard/protocol/packets/play/player_abilities_c2s.hpp"

namespace rustguard::checks::badpackets {

class FlyAbilityCheck {
 public:
  static constexpr engine::CheckInfo kInfo{
      "badpackets.fly_ability", "BadPackets (fly ability)", "Starting to fly without the ability to fly",
      engine::CostClass::cheap, {.alert_vl = 1, .decay_per_second = 0.05, .cancel_vl = 1}};
  static constexpr std::array kReads{protocol::PacketKind::player_abilities_c2s};
  struct Params {
    bool operator==(const Params&) const = default;
  };
  using Settings = engine::CheckSettings<FlyAbilityCheck>;

  engine::Verdict on(const protocol::packets::PlayerAbilitiesC2s& p, const context::PlayerContext& ctx,
                     const Settings& s, engine::Reporter& r) {
    if (!p.flying) return engine::Verdict::pass;
    const bool may_fly = ctx.any_state([](const context::PhysicsState& st) {
      return st.abilities.may_fly || st.abilities.flying || st.game_mode == context::GameMode::creative ||
             st.game_mode == context::GameMode::spectator;
    });
    if (may_fly) return engine::Verdict::pass;
    return r.flag(kInfo, s.limits, vl_, "no_ability", 1, "started flying without may-fly");
  }

 private:
  engine::ViolationLevel vl_;
};

}  // namespace rustguard::checks::badpackets
