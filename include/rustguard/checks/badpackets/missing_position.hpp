#pragma once
// BadPackets / missing position: from 1.21.2 the client marks every tick with
// Client Tick End, and vanilla sends a movement packet at least every 20 ticks
// (the position reminder), so more tick ends than that without any movement
// packet means movement is being withheld. Clients that send no Tick End
// (mineflayer, older versions) are never judged by this check; Timer and
// NegativeTimer cover them.

#include <array>
#include <cstdint>
#include <string>

#include "rustguard/checks/api/check_info.hpp"
#include "rustguard/checks/api/check_settings.hpp"
#include "rustguard/checks/api/reporter.hpp"
#include "rustguard/checks/api/verdict.hpp"
#include "rustguard/checks/api/violation_level.hpp"
#include "rustguard/context/player_context.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/packets/play/client_tick_end_c2s.hpp"

namespace rustguard::checks::badpackets {

class MissingPositionCheck {
 public:
  static constexpr engine::CheckInfo kInfo{
      "badpackets.missing_position", "BadPackets (missing position)",
      "More client ticks than the position reminder allows without a movement packet",
      engine::CostClass::cheap, {.alert_vl = 2, .decay_per_second = 0.05}};
  static constexpr std::array kReads{
      protocol::PacketKind::client_tick_end_c2s, protocol::PacketKind::set_position_c2s,
      protocol::PacketKind::set_position_rotation_c2s, protocol::PacketKind::set_rotation_c2s,
      protocol::PacketKind::set_movement_flags_c2s};
  struct Params {
    std::uint32_t max_ticks = 21;  // the reminder fires on the 20th tick; one of slack

    // Every field by its config name (checks.<key>.<name>), for the loader.
    template <class F>
    void visit(F&& f) {
      f("max_ticks", max_ticks);
    }
    bool operator==(const Params&) const = default;
  };
  using Settings = engine::CheckSettings<MissingPositionCheck>;

  engine::Verdict on(const context::MoveSample&, const context::PlayerContext&, const Settings&, engine::Reporter&) {
    ticks_ = 0;
    return engine::Verdict::pass;
  }

  engine::Verdict on(const protocol::packets::ClientTickEndC2s&, const context::PlayerContext& ctx, const Settings& s,
                     engine::Reporter& r) {
    // Riding and respawn screens stop the reminder; so does having no position yet.
    if (!ctx.movement.position_known || ctx.may_be_riding()) {
      ticks_ = 0;
      return engine::Verdict::pass;
    }
    if (++ticks_ <= s.params.max_ticks) return engine::Verdict::pass;
    const auto ticks = ticks_;
    ticks_ = 0;
    return r.flag(kInfo, s.limits, vl_, "reminder", 1,
                  std::to_string(ticks) + " ticks without a movement packet");
  }

 private:
  engine::ViolationLevel vl_;
  std::uint32_t ticks_ = 0;
};

}  // namespace rustguard::checks::badpackets
