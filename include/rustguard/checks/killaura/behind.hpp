#pragma once
// KillAura / behind (`killaura.behind`): an attack on an entity that lies
// behind the player. A vanilla client attacks what its crosshair ray hits,
// so some point of the target's box lies straight along its look; killauras
// that hit everything around the player hit entities behind it.
//
// Which look: the client picks its target with the look of the frame before
// the tick that sends the attack, and sends that tick's look in the
// movement packet after the attack (checks/api/client_ticks.hpp). So the
// attack is judged with both the last look sent before it and the look that
// ends its tick: it flags (`angle`) only when, for both looks, every box the
// target may occupy (TrackedEntities::any_box, lag-compensated, grown by 0.1
// and the version's position margin) lies more than `min_angle_deg` (100)
// off the look, from every eye the player may have had (the position before
// and after the tick; standing, sneaking, swimming eye heights). The angle
// to a box is a lower bound (its centre's angle minus the angular radius of
// the sphere around it), so the flag never overstates it. Order only, no
// timing.
//
// Not judged: an entity the tracker does not know (no evidence either way),
// a player whose position or look is not known yet, a look a server
// teleport or rotation may have changed (LookTracker, context/
// looks.hpp), a player that may be riding (the vehicle turns it).
// What it cannot see: the server's Look At packet (not decoded), metadata
// that makes a box larger than its type's (a checked flag stays far from
// that: 100 degrees is well behind, not at the edge of view).

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "rustguard/checks/api/check_info.hpp"
#include "rustguard/checks/api/check_settings.hpp"
#include "rustguard/checks/api/events.hpp"
#include "rustguard/checks/api/client_ticks.hpp"
#include "rustguard/checks/api/looks.hpp"
#include "rustguard/checks/api/reporter.hpp"
#include "rustguard/checks/api/verdict.hpp"
#include "rustguard/checks/api/violation_level.hpp"
#include "rustguard/context/player_context.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/packets/play/client_tick_end_c2s.hpp"
#include "rustguard/protocol/packets/play/login_play_s2c.hpp"
#include "rustguard/protocol/packets/play/respawn_s2c.hpp"

namespace rustguard::checks::killaura {

class BehindCheck {
 public:
  static constexpr engine::CheckInfo kInfo{
      "killaura.behind", "KillAura (behind)", "An attack on an entity behind the player's look",
      engine::CostClass::cheap, {.alert_vl = 2, .decay_per_second = 0.05}};
  static constexpr std::array kReads{
      protocol::PacketKind::interact_c2s,          protocol::PacketKind::attack_c2s,
      protocol::PacketKind::client_tick_end_c2s,   protocol::PacketKind::set_position_c2s,
      protocol::PacketKind::set_position_rotation_c2s, protocol::PacketKind::set_rotation_c2s,
      protocol::PacketKind::set_movement_flags_c2s};
  static constexpr std::array kReadsClientbound{protocol::PacketKind::login_play_s2c,
                                                protocol::PacketKind::respawn_s2c};
  struct Params {
    // Every possible box further off both looks than this (degrees) flags.
    double min_angle_deg = 100;

    // Every field by its config name (checks.<key>.<name>), for the loader.
    template <class F>
    void visit(F&& f) {
      f("min_angle_deg", min_angle_deg);
    }
    bool operator==(const Params&) const = default;
  };
  using Settings = engine::CheckSettings<BehindCheck>;

  engine::Verdict on(const engine::AttackEvent& a, const context::PlayerContext& ctx, const Settings& s,
                     engine::Reporter&) {
    attack(a.target, ctx, s);
    return engine::Verdict::pass;
  }
  engine::Verdict on(const protocol::packets::ClientTickEndC2s&, const context::PlayerContext& ctx, const Settings& s,
                     engine::Reporter& r) {
    return end_tick(ctx, std::nullopt, s, r);
  }
  engine::Verdict on(const context::MoveSample& m, const context::PlayerContext& ctx, const Settings& s,
                     engine::Reporter& r) {
    const auto& turn = ctx.looks.turn();
    if (turn && !turn->comparable) count_ = 0;  // the server or a vehicle turned it: the tick's look says nothing
    if (!engine::ClientTicks::ends_tick(ctx, m)) return engine::Verdict::pass;
    return end_tick(ctx, m.input.has_position ? std::optional<protocol::Vec3>(m.input.position) : std::nullopt, s, r);
  }
  engine::Verdict on(const protocol::packets::LoginPlayS2c&, const context::PlayerContext&, const Settings&,
                     engine::Reporter&) {
    count_ = 0;
    return engine::Verdict::pass;
  }
  engine::Verdict on(const protocol::packets::RespawnS2c&, const context::PlayerContext&, const Settings&,
                     engine::Reporter&) {
    count_ = 0;
    return engine::Verdict::pass;
  }

 private:
  // Attacks of one tick remembered; more only repeat the judgement.
  static constexpr std::size_t kPending = 4;
  struct Pending {
    std::int32_t entity = 0;
    double angle_before = 0;  // the least angle off the look sent before the attack
    protocol::Vec3 from;      // the player's position at the attack
  };

  // The least angle between `look` and any possible box of `entity` from any
  // eye at `feet`; nullopt when the entity is not tracked.
  static std::optional<double> least_angle(std::int32_t entity, const engine::Look& look, const protocol::Vec3& feet,
                                           const context::PlayerContext& ctx) {
    const protocol::Vec3 dir = engine::look_vector(look);
    const engine::EyeHeights eyes = engine::eye_heights(ctx.protocol);
    const double grow = 0.1 + context::position_margin(ctx.protocol);
    std::optional<double> least;
    ctx.entities.any_box(entity, ctx.transactions.acked_seq(), [&](const context::Aabb& box) {
      for (int i = 0; i < eyes.count; ++i) {
        const protocol::Vec3 eye{feet.x, feet.y + eyes.values[i], feet.z};
        const double a = engine::min_angle_to_box(eye, dir, box.expanded(grow));
        if (!least || a < *least) least = a;
      }
      return *least == 0;
    });
    return least;
  }

  void attack(std::int32_t entity, const context::PlayerContext& ctx, const Settings& s) {
    const auto look = ctx.looks.current();
    if (!look || ctx.looks.server_rotation_pending() || !ctx.movement.position_known || ctx.may_be_riding()) return;
    const auto angle = least_angle(entity, *look, ctx.movement.position, ctx);
    if (!angle || *angle <= s.params.min_angle_deg || count_ >= kPending) return;
    pending_[count_++] = {entity, *angle, ctx.movement.position};
  }

  engine::Verdict end_tick(const context::PlayerContext& ctx, const std::optional<protocol::Vec3>& moved_to,
                           const Settings& s, engine::Reporter& r) {
    const std::size_t n = count_;
    count_ = 0;
    const auto look = ctx.looks.current();
    if (n == 0 || !look || ctx.looks.server_rotation_pending() || ctx.may_be_riding()) return engine::Verdict::pass;
    engine::Verdict verdict = engine::Verdict::pass;
    for (std::size_t i = 0; i < n; ++i) {
      const Pending& p = pending_[i];
      // The tick's own look, from where the player was and where it went.
      auto after = least_angle(p.entity, *look, p.from, ctx);
      if (moved_to) {
        const auto there = least_angle(p.entity, *look, *moved_to, ctx);
        if (there && (!after || *there < *after)) after = there;
      }
      if (!after || *after <= s.params.min_angle_deg) continue;
      const double least = std::min(p.angle_before, *after);
      verdict = engine::worst(
          verdict, r.flag(kInfo, s.limits, vl_, "angle", 1,
                          "attacked entity " + std::to_string(p.entity) + " at least " +
                              std::to_string(static_cast<long long>(least)) + " degrees off the look (limit " +
                              std::to_string(static_cast<long long>(s.params.min_angle_deg)) + ")",
                          "{\"entity\":" + std::to_string(p.entity) + ",\"angle_before\":" +
                              std::to_string(p.angle_before) + ",\"angle_after\":" + std::to_string(*after) + "}"));
    }
    return verdict;
  }

  engine::ViolationLevel vl_;
  std::array<Pending, kPending> pending_{};
  std::size_t count_ = 0;
};

}  // namespace rustguard::checks::killaura
