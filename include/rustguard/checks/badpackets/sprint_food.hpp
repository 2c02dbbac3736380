#pragma once
// BadPackets / sprint food: starting to sprint with food at or below 6, which
// vanilla forbids unless the player may fly. Judged against every food level
// the client may know (lag compensation), so eating just before sprinting is fine.

#include <array>
#include <string>

#include "rustguard/checks/api/check_info.hpp"
#include "rustguard/checks/api/check_settings.hpp"
#include "rustguard/checks/api/reporter.hpp"
#include "rustguard/checks/api/verdict.hpp"
#include "rustguard/checks/api/violation_level.hpp"
#include "rustguard/context/player_context.hpp"
#include "rustguard/protocol/packets/play/player_command_c2s.hpp"

namespace rustguard::checks::badpackets {

class SprintFoodCheck {
 public:
  static constexpr engine::CheckInfo kInfo{
      "badpackets.sprint_food", "BadPackets (sprint food)", "Starting to sprint while too hungry to sprint",
      engine::CostClass::cheap, {.alert_vl = 3, .decay_per_second = 0.05}};
  static constexpr std::array kReads{protocol::PacketKind::player_command_c2s};
  struct Params {
    std::int32_t min_food = 7;  // sprinting needs food above 6

    // Every field by its config name (checks.<key>.<name>), for the loader.
    template <class F>
    void visit(F&& f) {
      f("min_food", min_food);
    }
    bool operator==(const Params&) const = default;
  };
  using Settings = engine::CheckSettings<SprintFoodCheck>;

  engine::Verdict on(const protocol::packets::PlayerCommandC2s& p, const context::PlayerContext& ctx,
                     const Settings& s, engine::Reporter& r) {
    if (p.action != protocol::packets::PlayerCommandAction::start_sprinting) return engine::Verdict::pass;
    const std::int32_t min_food = s.params.min_food;
    const bool allowed = ctx.any_state([min_food](const context::PhysicsState& st) {
      return st.food >= min_food || st.abilities.may_fly;
    });
    if (allowed) return engine::Verdict::pass;
    return r.flag(kInfo, s.limits, vl_, "hunger", 1,
                  "sprint with food " + std::to_string(ctx.physics.confirmed().food));
  }

 private:
  engine::ViolationLevel vl_;
};

}  // namespace rustguard::checks::badpackets
