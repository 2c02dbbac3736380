#pragma once
// Combat / reach (`combat.reach`): an attack on an entity that no eye the
// player may have had comes within the interaction range of, in any box the
// target may have shown (checks/combat/attack_geometry.hpp has the model:
// eye heights, margins, the range by version and game mode).
//
// The distance is from the eye to the nearest point of the target's possible
// boxes, whatever the look: a vanilla client's hit point along its look is
// never nearer than that, so a flag needs no look and is judged the moment
// the attack arrives. Beyond the range plus `leeway` the hit is impossible,
// which is what lets the default cancel it (cancel_vl 1: every flag drops its
// attack, so the backend never sees the hit). How far a look's hit point
// lies is combat.hitbox's business: this check is the coarse, certain one.
//
// No verdict (pass) when the target is not tracked or of unknown size (an
// entity spawned before tracking started, over the tracker's cap, already
// removed), before the player reported a position, and while it rides.

#include <array>
#include <cmath>
#include <cstdint>
#include <string>

#include "rustguard/checks/api/check_info.hpp"
#include "rustguard/checks/api/check_settings.hpp"
#include "rustguard/checks/api/events.hpp"
#include "rustguard/checks/api/reporter.hpp"
#include "rustguard/checks/api/verdict.hpp"
#include "rustguard/checks/api/violation_level.hpp"
#include "rustguard/checks/combat/attack_geometry.hpp"
#include "rustguard/context/player_context.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/packets/play/client_tick_end_c2s.hpp"

namespace rustguard::checks::combat {

class ReachCheck {
 public:
  static constexpr engine::CheckInfo kInfo{"combat.reach", "Reach", "Attacks on entities beyond the interaction range",
                                           engine::CostClass::cheap,
                                           {.alert_vl = 3, .decay_per_second = 0.1, .cancel_vl = 1}};
  static constexpr std::array kReads{
      protocol::PacketKind::interact_c2s,        protocol::PacketKind::attack_c2s,
      protocol::PacketKind::client_tick_end_c2s, protocol::PacketKind::set_position_c2s,
      protocol::PacketKind::set_position_rotation_c2s, protocol::PacketKind::set_rotation_c2s,
      protocol::PacketKind::set_movement_flags_c2s};
  struct Params {
    // Blocks beyond the range (and every margin) before an attack flags.
    double leeway = 0.03;

    // Every field by its config name (checks.<key>.<name>), for the loader.
    template <class F>
    void visit(F&& f) {
      f("leeway", leeway);
    }
    bool operator==(const Params&) const = default;
  };
  using Settings = engine::CheckSettings<ReachCheck>;

  engine::Verdict on(const engine::AttackEvent& a, const context::PlayerContext& ctx, const Settings& s,
                     engine::Reporter& r) {
    return attack(a.target, ctx, s, r);
  }
  engine::Verdict on(const protocol::packets::ClientTickEndC2s&, const context::PlayerContext&, const Settings&,
                     engine::Reporter&) {
    reported_.on_tick_end();
    return engine::Verdict::pass;
  }
  engine::Verdict on(const context::MoveSample& m, const context::PlayerContext& ctx, const Settings&,
                     engine::Reporter&) {
    reported_.on_move(m, ctx.protocol);
    return engine::Verdict::pass;
  }

 private:
  engine::Verdict attack(std::int32_t target, const context::PlayerContext& ctx, const Settings& s,
                         engine::Reporter& r) {
    if (ctx.respawns != respawns_) {
      respawns_ = ctx.respawns;
      reported_.reset();
    }
    // On the stack, not a member: an idle player then carries no scene
    // (360 bytes of boxes) between attacks.
    AttackScene scene;
    if (scene_of(target, ctx, reported_.exact(ctx.protocol), 0.0, scene) != Unjudged::none) {
      return engine::Verdict::pass;
    }
    const double distance = nearest_distance(scene);
    if (!(distance > scene.range + s.params.leeway)) return engine::Verdict::pass;
    std::string detail = "entity " + std::to_string(target) + " at " + three_decimals(distance) + " blocks, range " +
                         three_decimals(scene.range) + " (margin " + three_decimals(scene.margin) + ")";
    std::string json = "{\"entity\":" + std::to_string(target) + ",\"distance\":" + std::to_string(distance) +
                       ",\"range\":" + std::to_string(scene.range) + ",\"margin\":" + std::to_string(scene.margin) +
                       ",\"boxes\":" + std::to_string(scene.box_count) + "}";
    return r.flag(kInfo, s.limits, vl_, "distance", 1, std::move(detail), std::move(json));
  }

  engine::ViolationLevel vl_;
  ReportedPosition reported_;
  std::uint32_t respawns_ = 0;
};

}  // namespace rustguard::checks::combat
