#pragma once
// BadPackets / invalid position (`badpackets.invalid_position`): coordinates
// or angles that are not finite, or a position beyond the world border's hard
// limit (|x| or |z| > 3·10^7, |y| > 2·10^7). Vanilla servers disconnect for
// these ("Invalid move packet"); the proxy stops them before they reach a
// server that might not.

#include <array>
#include <cmath>
#include <string>

#include "rustguard/checks/api/check_info.hpp"
#include "rustguard/checks/api/check_settings.hpp"
#include "rustguard/checks/api/reporter.hpp"
#include "rustguard/checks/api/verdict.hpp"
#include "rustguard/checks/api/violation_level.hpp"
#include "rustguard/context/player_context.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"

namespace rustguard::checks::badpackets {

class InvalidPositionCheck {
 public:
  static constexpr engine::CheckInfo kInfo{
      "badpackets.invalid_position", "BadPackets (invalid position)", "Non-finite or out-of-world coordinates or angles",
      engine::CostClass::cheap, {.alert_vl = 1, .decay_per_second = 0.05, .cancel_vl = 1, .kick_vl = 1}};
  static constexpr std::array kReads{protocol::PacketKind::set_position_c2s,
                                     protocol::PacketKind::set_position_rotation_c2s,
                                     protocol::PacketKind::set_rotation_c2s};
  struct Params {
    double max_horizontal = 3.0e7;  // blocks, |x| and |z|
    double max_vertical = 2.0e7;    // blocks, |y|

    // Every field by its config name (checks.<key>.<name>), for the loader.
    template <class F>
    void visit(F&& f) {
      f("max_horizontal", max_horizontal);
      f("max_vertical", max_vertical);
    }
    bool operator==(const Params&) const = default;
  };
  using Settings = engine::CheckSettings<InvalidPositionCheck>;

  engine::Verdict on(const context::MoveSample& m, const context::PlayerContext&, const Settings& s,
                     engine::Reporter& r) {
    const auto& in = m.input;
    if (in.has_rotation && !(std::isfinite(in.yaw) && std::isfinite(in.pitch))) {
      return r.flag(kInfo, s.limits, vl_, "rotation", 1, "non-finite rotation");
    }
    if (!in.has_position) return engine::Verdict::pass;
    const auto& p = in.position;
    if (!(std::isfinite(p.x) && std::isfinite(p.y) && std::isfinite(p.z))) {
      return r.flag(kInfo, s.limits, vl_, "non_finite", 1, "non-finite position");
    }
    if (std::abs(p.x) > s.params.max_horizontal || std::abs(p.z) > s.params.max_horizontal ||
        std::abs(p.y) > s.params.max_vertical) {
      return r.flag(kInfo, s.limits, vl_, "out_of_world", 1,
                    "position " + std::to_string(p.x) + " " + std::to_string(p.y) + " " + std::to_string(p.z),
                    "{\"x\":" + std::to_string(p.x) + ",\"y\":" + std::to_string(p.y) +
                        ",\"z\":" + std::to_string(p.z) + "}");
    }
    return engine::Verdict::pass;
  }

 private:
  engine::ViolationLevel vl_;
};

}  // namespace rustguard::checks::badpackets
