#pragma once
// Aim / impossible (`aim.impossible`): a yaw that changed by more in one
// rotation packet than a mouse can turn it. The vanilla client turns by
// counts x step, the step at most 0.6144 degrees at the slider's top
// (sensitivity 1.0: (1.0 x 0.6 + 0.2)^3 x 8 x 0.15), so `max_yaw_delta`
// (2,880 degrees, eight full turns) in one tick is 4,688 counts in 50 ms:
// a 1,600 DPI mouse swept at 1.5 m/s at the highest sensitivity. Clients
// that write angles straight into the packet (spin bots, "derp" and
// anti-aim modules, crash exploits with yaws like 1e9) do far more.
//
// What this is not: a pitch beyond +-90 is badpackets.pitch, a non-finite
// angle badpackets.invalid_position; a yaw that jumps by whole turns while
// the view barely moved is aim.yaw_wrap. Only comparable pairs are judged
// (LookTracker, context/looks.hpp): a server teleport or rotation may set
// any yaw. Order only, no timing.
//
// False positives: a player who raised the sensitivity beyond the slider in
// options.txt, or uses a mouse at tens of thousands of DPI, turns more per
// count; raise `max_yaw_delta` where such setups are welcome. A 1.9+ client
// that stands still sends no packet while it does not turn, but any turn is
// sent in the tick it happens, so a pair is never several ticks of turning.

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

class ImpossibleCheck {
 public:
  static constexpr engine::CheckInfo kInfo{
      "aim.impossible", "Aim (impossible)", "A yaw change in one packet beyond what a mouse turns in a tick",
      engine::CostClass::cheap, {.alert_vl = 1.5, .decay_per_second = 0.05}};
  static constexpr std::array kReads{protocol::PacketKind::set_position_rotation_c2s,
                                     protocol::PacketKind::set_rotation_c2s};
  struct Params {
    // The most yaw (degrees) one rotation packet may add.
    double max_yaw_delta = 2880;

    // Every field by its config name (checks.<key>.<name>), for the loader.
    template <class F>
    void visit(F&& f) {
      f("max_yaw_delta", max_yaw_delta);
    }
    bool operator==(const Params&) const = default;
  };
  using Settings = engine::CheckSettings<ImpossibleCheck>;

  engine::Verdict on(const context::MoveSample&, const context::PlayerContext& ctx, const Settings& s,
                     engine::Reporter& r) {
    const auto& turn = ctx.looks.turn();
    if (!turn || !turn->comparable) return engine::Verdict::pass;
    const double delta = turn->yaw_delta();
    if (!std::isfinite(delta)) return engine::Verdict::pass;  // badpackets.invalid_position's
    if (std::abs(delta) <= s.params.max_yaw_delta) return engine::Verdict::pass;
    return r.flag(kInfo, s.limits, vl_, "yaw", 1,
                  "yaw " + std::to_string(turn->from.yaw) + " -> " + std::to_string(turn->to.yaw) + " in one packet (" +
                      std::to_string(delta) + " degrees, limit " + std::to_string(s.params.max_yaw_delta) + ")",
                  "{\"from\":" + std::to_string(turn->from.yaw) + ",\"to\":" + std::to_string(turn->to.yaw) +
                      ",\"delta\":" + std::to_string(delta) + "}");
  }

 private:
  engine::ViolationLevel vl_;
};

}  // namespace rustguard::checks::aim
