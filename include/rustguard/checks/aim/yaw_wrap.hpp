#pragma once
// Aim / yaw wrap (`aim.yaw_wrap`): a yaw that jumps by a whole number of
// turns. A vanilla client's yaw is continuous and unbounded: the mouse adds
// to it and nothing wraps it (1.8 through 26.1; only a server teleport may
// wrap it, by % 360, and teleports are not judged here). A client that keeps
// its yaw in [-180, 180) — a killaura or aim assist writing the angle to its
// target, atan2 straight into the packet — jumps by about ±360 whenever its
// look crosses the seam behind it.
//
// Flagged: two comparable rotation packets (LookTracker, context/
// looks.hpp: no server rotation, respawn or riding between) whose yaw
// differs by at least one whole turn give or take `max_turn_deg`, i.e. the
// view turned at most that far while the number says it spun a full turn
// or more. A human turns 330 degrees in one tick (6,600 degrees a second)
// only in the wildest flick, and lands back within 30 degrees of where it
// started even more rarely; each jump is one VL, so a few honest flicks in
// a session stay under the alert. Order only, no timing.

#include <array>
#include <cmath>
#include <string>

#include "rustguard/checks/api/check_info.hpp"
#include "rustguard/checks/api/check_settings.hpp"
#include "rustguard/checks/api/looks.hpp"
#include "rustguard/checks/api/reporter.hpp"
#include "rustguard/checks/api/verdict.hpp"
#include "rustguard/checks/api/violation_level.hpp"
#include "rustguard/context/player_context.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"

namespace rustguard::checks::aim {

class YawWrapCheck {
 public:
  static constexpr engine::CheckInfo kInfo{
      "aim.yaw_wrap", "Aim (yaw wrap)", "A yaw that jumps by whole turns: a client that wraps its yaw",
      engine::CostClass::cheap, {.alert_vl = 2, .decay_per_second = 0.02}};
  static constexpr std::array kReads{protocol::PacketKind::set_position_rotation_c2s,
                                     protocol::PacketKind::set_rotation_c2s};
  struct Params {
    // The view turned at most this far (degrees) while the yaw jumped by whole turns.
    double max_turn_deg = 30;

    // Every field by its config name (checks.<key>.<name>), for the loader.
    template <class F>
    void visit(F&& f) {
      f("max_turn_deg", max_turn_deg);
    }
    bool operator==(const Params&) const = default;
  };
  using Settings = engine::CheckSettings<YawWrapCheck>;

  engine::Verdict on(const context::MoveSample&, const context::PlayerContext& ctx, const Settings& s,
                     engine::Reporter& r) {
    const auto& turn = ctx.looks.turn();
    if (!turn || !turn->comparable) return engine::Verdict::pass;
    const double delta = turn->yaw_delta();
    if (!std::isfinite(delta)) return engine::Verdict::pass;  // badpackets.invalid_position's
    const double turns = std::round(delta / 360.0);
    const double real = delta - turns * 360.0;  // the view's own turn, -180..180
    if (turns == 0 || std::abs(real) > s.params.max_turn_deg) return engine::Verdict::pass;
    return r.flag(kInfo, s.limits, vl_, "wrap", 1,
                  "yaw " + std::to_string(turn->from.yaw) + " -> " + std::to_string(turn->to.yaw) + " (" +
                      std::to_string(static_cast<long long>(turns)) + " turn(s) and " + std::to_string(real) +
                      " degrees)",
                  "{\"from\":" + std::to_string(turn->from.yaw) + ",\"to\":" + std::to_string(turn->to.yaw) +
                      ",\"turns\":" + std::to_string(turns) + ",\"real_turn\":" + std::to_string(real) + "}");
  }

 private:
  engine::ViolationLevel vl_;
};

}  // namespace rustguard::checks::aim
