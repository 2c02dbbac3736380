#pragma once
// BadPackets / held item: a hotbar slot outside 0..8, or the slot the client
// already holds. Vanilla sends Set Held Item only when the selection changes.
// Limit: the server can move the selection itself (clientbound Set Held Item,
// which RustGuard does not decode yet), so one repeat right after such a move
// is legitimate; the default alert threshold tolerates it.

#include <array>
#include <string>

#include "rustguard/checks/api/check_info.hpp"
#include "rustguard/checks/api/check_settings.hpp"
#include "rustguard/checks/api/reporter.hpp"
#include "rustguard/checks/api/verdict.hpp"
#include "rustguard/checks/api/violation_level.hpp"
#include "rustguard/context/player_context.hpp"
#include "rustguard/protocol/packets/play/set_held_item_c2s.hpp"

namespace rustguard::checks::badpackets {

class HeldItemCheck {
 public:
  static constexpr engine::CheckInfo kInfo{
      "badpackets.held_item", "BadPackets (held item)", "Hotbar slot out of range or selected twice",
      engine::CostClass::cheap, {.alert_vl = 2, .decay_per_second = 0.02, .cancel_vl = 0}};
  static constexpr std::array kReads{protocol::PacketKind::set_held_item_c2s};
  struct Params {
    bool operator==(const Params&) const = default;
  };
  using Settings = engine::CheckSettings<HeldItemCheck>;

  engine::Verdict on(const protocol::packets::SetHeldItemC2s& p, const context::PlayerContext& ctx,
                     const Settings& s, engine::Reporter& r) {
    if (!p.slot_in_hotbar()) {
      return r.flag(kInfo, s.limits, vl_, "range", 1, "slot " + std::to_string(p.slot));
    }
    if (p.slot == ctx.claims.held_slot) {
      return r.flag(kInfo, s.limits, vl_, "repeat", 1, "slot " + std::to_string(p.slot) + " again");
    }
    return engine::Verdict::pass;
  }

 private:
  engine::ViolationLevel vl_;
};

}  // namespace rustguard::checks::badpackets
