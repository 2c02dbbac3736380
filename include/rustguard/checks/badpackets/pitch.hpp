#pragma once
// BadPackets / pitch: a look further up or down than straight (|pitch| > 90).
// The vanilla client clamps pitch to ±90 before sending it, so any larger value
// was written by something else.

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

class PitchCheck {
 public:
  static constexpr engine::CheckInfo kInfo{
      "badpackets.pitch", "BadPackets (pitch)", "Rotation with a pitch beyond straight up or down",
      engine::CostClass::cheap, {.alert_vl = 1, .decay_per_second = 0.05, .cancel_vl = 1}};
  static constexpr std::array kReads{protocol::PacketKind::set_position_rotation_c2s,
                                     protocol::PacketKind::set_rotation_c2s};
  struct Params {
    double max_pitch = 90.0;  // degrees

    // Every field by its config name (checks.<key>.<name>), for the loader.
    template <class F>
    void visit(F&& f) {
      f("max_pitch", max_pitch);
    }
    bool operator==(const Params&) const = default;
  };
  using Settings = engine::CheckSettings<PitchCheck>;

  engine::Verdict on(const context::MoveSample& m, const context::PlayerContext&, const Settings& s,
                     engine::Reporter& r) {
    if (!m.input.has_rotation || !std::isfinite(m.input.pitch)) return engine::Verdict::pass;
    const double pitch = m.input.pitch;
    if (std::abs(pitch) <= s.params.max_pitch) return engine::Verdict::pass;
    return r.flag(kInfo, s.limits, vl_, "pitch", 1, "pitch " + std::to_string(pitch),
                  "{\"pitch\":" + std::to_string(pitch) + "}");
  }

 private:
  engine::ViolationLevel vl_;
};

}  // namespace rustguard::checks::badpackets
