#pragma once
// BadPackets / duplicate toggle: start sprinting while already sprinting, stop
// while not sprinting, and the same for sneaking (Player Command before
// 1.21.6). Vanilla only sends these on a change of state. Respawns and
// reconfigurations reset what the client claimed.

#include <array>
#include <string_view>

#include "rustguard/checks/api/check_info.hpp"
#include "rustguard/checks/api/check_settings.hpp"
#include "rustguard/checks/api/reporter.hpp"
#include "rustguard/checks/api/verdict.hpp"
#include "rustguard/checks/api/violation_level.hpp"
#include "rustguard/context/player_context.hpp"
#include "rustguard/protocol/packets/play/player_command_c2s.hpp"

namespace rustguard::checks::badpackets {

class DuplicateToggleCheck {
 public:
  static constexpr engine::CheckInfo kInfo{
      "badpackets.duplicate_toggle", "BadPackets (duplicate toggle)", "Sprint or sneak toggled to the state it already has",
      engine::CostClass::cheap, {.alert_vl = 3, .decay_per_second = 0.05}};
  static constexpr std::array kReads{protocol::PacketKind::player_command_c2s};
  struct Params {
    bool operator==(const Params&) const = default;
  };
  using Settings = engine::CheckSettings<DuplicateToggleCheck>;

  engine::Verdict on(const protocol::packets::PlayerCommandC2s& p, const context::PlayerContext& ctx,
                     const Settings& s, engine::Reporter& r) {
    using A = protocol::packets::PlayerCommandAction;
    std::string_view type;
    switch (p.action) {
      case A::start_sprinting: if (ctx.claims.sprinting) type = "sprint_start"; break;
      case A::stop_sprinting: if (!ctx.claims.sprinting) type = "sprint_stop"; break;
      case A::start_sneaking: if (ctx.claims.sneaking) type = "sneak_start"; break;
      case A::stop_sneaking: if (!ctx.claims.sneaking) type = "sneak_stop"; break;
      default: break;
    }
    if (type.empty()) return engine::Verdict::pass;
    return r.flag(kInfo, s.limits, vl_, type, 1, std::string(type) + " twice");
  }

 private:
  engine::ViolationLevel vl_;
};

}  // namespace rustguard::checks::badpackets
