#pragma once
// Aim / duplicate (`aim.duplicate`): a rotation packet (Set Rotation, Set
// Position and Rotation) whose yaw and pitch are exactly those of the one
// before. A vanilla client sends its look only when it changed since the
// look it last sent: 1.8 (onUpdateWalkingPlayer) and 1.9 through 26.1
// (sendPosition) compare yaw and pitch with the last sent ones and otherwise
// send the position alone, or nothing. Killauras and scaffolds that send
// their own rotation packets every tick (to keep a "silent" look, or to
// restore the real one after a hit) repeat it.
//
// Vanilla repeats it only where LookTracker (context/looks.hpp) says the
// pair is not comparable or `may_repeat`: while riding (the look goes out
// every tick), the answer to a server teleport or rotation and the packet
// after it (the answer bypasses the client's "last sent" look), after a
// dismount. Judged by packet order only.

#include <array>
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

class DuplicateCheck {
 public:
  static constexpr engine::CheckInfo kInfo{
      "aim.duplicate", "Aim (duplicate)", "A rotation packet that repeats the previous look exactly",
      engine::CostClass::cheap, {.alert_vl = 3, .decay_per_second = 0.05}};
  static constexpr std::array kReads{protocol::PacketKind::set_position_rotation_c2s,
                                     protocol::PacketKind::set_rotation_c2s};
  struct Params {
    bool operator==(const Params&) const = default;
  };
  using Settings = engine::CheckSettings<DuplicateCheck>;

  engine::Verdict on(const context::MoveSample& m, const context::PlayerContext& ctx, const Settings& s,
                     engine::Reporter& r) {
    const auto& turn = ctx.looks.turn();
    if (!turn || !turn->comparable || turn->may_repeat || !(turn->to == turn->from)) return engine::Verdict::pass;
    const std::string look = std::to_string(turn->to.yaw) + "/" + std::to_string(turn->to.pitch);
    return r.flag(kInfo, s.limits, vl_, "rotation", 1, "rotation packet repeats the look " + look,
                  "{\"yaw\":" + std::to_string(turn->to.yaw) + ",\"pitch\":" + std::to_string(turn->to.pitch) +
                      ",\"with_position\":" + (m.input.has_position ? "true" : "false") + "}");
  }

 private:
  engine::ViolationLevel vl_;
};

}  // namespace rustguard::checks::aim
