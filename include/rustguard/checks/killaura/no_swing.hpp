#pragma once
// KillAura / no swing (`killaura.no_swing`): an attack with no arm swing in
// the same client tick. Every vanilla attack comes with a swing of the main
// hand in the same tick: a 1.8 client swings before it attacks, 1.9+ after
// (startAttack sends the attack, then the swing). Killauras that skip the
// swing ("no swing", or swings sent only client-side) send attacks alone.
//
// The order inside a tick differs by version, so the check counts attacks
// and swings over the whole tick and judges at its end (checks/api/
// client_ticks.hpp): more attacks than swings is an attack without a swing.
// Judged from the order of packets only, never from their arrival times, so
// lag cannot cause a flag (TCP keeps the order).

#include <array>
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
#include "rustguard/protocol/packets/play/swing_arm_c2s.hpp"

namespace rustguard::checks::killaura {

class NoSwingCheck {
 public:
  static constexpr engine::CheckInfo kInfo{
      "killaura.no_swing", "KillAura (no swing)", "An attack without an arm swing in the same client tick",
      engine::CostClass::cheap, {.alert_vl = 3, .decay_per_second = 0.1}};
  static constexpr std::array kReads{
      protocol::PacketKind::interact_c2s,          protocol::PacketKind::attack_c2s,
      protocol::PacketKind::swing_arm_c2s,         protocol::PacketKind::client_tick_end_c2s,
      protocol::PacketKind::set_position_c2s,      protocol::PacketKind::set_position_rotation_c2s,
      protocol::PacketKind::set_rotation_c2s,      protocol::PacketKind::set_movement_flags_c2s};
  struct Params {
    bool operator==(const Params&) const = default;
  };
  using Settings = engine::CheckSettings<NoSwingCheck>;

  engine::Verdict on(const engine::AttackEvent&, const context::PlayerContext&, const Settings&,
                     engine::Reporter&) {
    ++attacks_;
    return engine::Verdict::pass;
  }
  engine::Verdict on(const protocol::packets::SwingArmC2s&, const context::PlayerContext&, const Settings&,
                     engine::Reporter&) {
    // Any hand: a swing is evidence of a click (an off-hand swing with a
    // main-hand attack is not vanilla, but not what this check is about).
    ++swings_;
    return engine::Verdict::pass;
  }
  engine::Verdict on(const protocol::packets::ClientTickEndC2s&, const context::PlayerContext& ctx, const Settings& s,
                     engine::Reporter& r) {
    return end_tick(ctx, s, r);
  }
  engine::Verdict on(const context::MoveSample& m, const context::PlayerContext& ctx, const Settings& s,
                     engine::Reporter& r) {
    if (!engine::ClientTicks::ends_tick(ctx, m)) return engine::Verdict::pass;
    return end_tick(ctx, s, r);
  }

 private:
  engine::Verdict end_tick(const context::PlayerContext& ctx, const Settings& s, engine::Reporter& r) {
    const bool explicit_ticks = engine::ClientTicks::explicit_ticks(ctx);
    const std::uint32_t attacks = attacks_, swings = swings_;
    attacks_ = swings_ = 0;
    if (attacks <= swings) return engine::Verdict::pass;
    const std::uint32_t missing = attacks - swings;
    return r.flag(kInfo, s.limits, vl_, "tick", static_cast<double>(missing),
                  std::to_string(attacks) + " attack(s) and " + std::to_string(swings) + " swing(s) in one tick" +
                      (explicit_ticks ? " (tick end)" : " (movement)"),
                  "{\"attacks\":" + std::to_string(attacks) + ",\"swings\":" + std::to_string(swings) +
                      ",\"tick_end\":" + (explicit_ticks ? "true" : "false") + "}");
  }

  engine::ViolationLevel vl_;
  std::uint32_t attacks_ = 0;
  std::uint32_t swings_ = 0;
};

}  // namespace rustguard::checks::killaura
