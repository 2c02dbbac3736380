#pragma once
// Aim / snap (`aim.snap`): an attack in the tick in which the look jumped
// onto its target from far off it, after a calm tick. Aim bots and
// killauras that turn only when they hit ("silent" or snapping rotations)
// send the player's own look, then, in the tick of the attack, a look
// straight at the target. A hand turns the view onto a target more than a
// few tens of degrees away in a flick of 2-4 ticks whose middle ticks turn
// the most, so the tick before such a flick ends is not calm, or its look is
// already near the target; a player that turns onto a new target and
// waits a tick before clicking has that look before the attack.
//
// The looks (checks/api/client_ticks.hpp has where ticks end): A and B are
// the looks at the end of the two ticks before the attack's, C the look of
// the attack's tick, which the client picked its target with and sends in
// that tick's movement packet after the attack (the last look when the tick
// sent none: it did not turn). An attack flags (`snap`) when
//   - the tick before was calm: A to B turned at most `calm_deg`;
//   - B was more than `min_off_deg` off every box the target may occupy
//     (TrackedEntities::any_box, lag-compensated, grown by 0.1 and the
//     version's position margin, as killaura.behind takes them; taken at
//     the attack) from every eye height at the player's position at the
//     attack (the angle is a lower bound, checks/api/looks.hpp), so no
//     pick with it could have hit;
//   - and a ray along C from one of those eyes enters one of those boxes
//     (context/ray_box.hpp, at any length: reach is combat.reach's).
// Each snap adds 1; the alert needs several within the decay (a hand that
// happens to end a fast flick and click in one tick does it now and then,
// an aim bot on every target switch).
//
// Not judged: an entity the tracker does not know, a player with no
// position yet or who may be riding, a look a server teleport or rotation
// may have set since A (LookTracker: not comparable, or pending), and the
// first ticks after login or respawn. Only the first attack of a tick is
// judged (a second target in the same tick is killaura.multi_target's).
// From 1.9 on, a client that neither moves nor turns sends no movement
// packet, so before 1.21.2 (no Client Tick End) a "tick" may span several;
// a look that did not change in the attack's tick is not sent, so C is then
// the next look sent, and B was the look the client attacked with: an
// attack with a look that far off is not a vanilla one either way.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "rustguard/checks/api/check_info.hpp"
#include "rustguard/checks/api/check_settings.hpp"
#include "rustguard/checks/api/events.hpp"
#include "rustguard/checks/api/client_ticks.hpp"
#include "rustguard/checks/api/looks.hpp"
#include "rustguard/checks/api/reporter.hpp"
#include "rustguard/checks/api/verdict.hpp"
#include "rustguard/checks/api/violation_level.hpp"
#include "rustguard/context/entity_box.hpp"
#include "rustguard/context/player_context.hpp"
#include "rustguard/context/ray_box.hpp"
#include "rustguard/context/tracked_entities.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/packets/play/client_tick_end_c2s.hpp"
#include "rustguard/protocol/packets/play/login_play_s2c.hpp"
#include "rustguard/protocol/packets/play/player_rotation_s2c.hpp"
#include "rustguard/protocol/packets/play/respawn_s2c.hpp"
#include "rustguard/protocol/packets/play/sync_player_position_s2c.hpp"

namespace rustguard::checks::aim {

class SnapCheck {
 public:
  static constexpr engine::CheckInfo kInfo{
      "aim.snap", "Aim (snap)", "An attack in the tick the look jumped onto its target from far off it",
      engine::CostClass::cheap, {.alert_vl = 3, .decay_per_second = 0.05}};
  static constexpr std::array kReads{
      protocol::PacketKind::interact_c2s,          protocol::PacketKind::attack_c2s,
      protocol::PacketKind::client_tick_end_c2s,   protocol::PacketKind::set_position_c2s,
      protocol::PacketKind::set_position_rotation_c2s, protocol::PacketKind::set_rotation_c2s,
      protocol::PacketKind::set_movement_flags_c2s};
  static constexpr std::array kReadsClientbound{
      protocol::PacketKind::sync_player_position_s2c, protocol::PacketKind::player_rotation_s2c,
      protocol::PacketKind::login_play_s2c, protocol::PacketKind::respawn_s2c};
  struct Params {
    // The look before the attack's tick must be further than this (degrees)
    // off every possible box of the target.
    double min_off_deg = 35;
    // The tick before that may have turned at most this (degrees).
    double calm_deg = 10;

    // Every field by its config name (checks.<key>.<name>), for the loader.
    template <class F>
    void visit(F&& f) {
      f("min_off_deg", min_off_deg);
      f("calm_deg", calm_deg);
    }
    bool operator==(const Params&) const = default;
  };
  using Settings = engine::CheckSettings<SnapCheck>;

  engine::Verdict on(const engine::AttackEvent& a, const context::PlayerContext& ctx, const Settings& s,
                     engine::Reporter&) {
    attack(a.target, ctx, s);
    return engine::Verdict::pass;
  }
  engine::Verdict on(const protocol::packets::ClientTickEndC2s&, const context::PlayerContext& ctx, const Settings& s,
                     engine::Reporter& r) {
    return end_tick(ctx, s, r);
  }
  engine::Verdict on(const context::MoveSample& m, const context::PlayerContext& ctx, const Settings& s,
                     engine::Reporter& r) {
    const auto& turn = ctx.looks.turn();
    if (turn && !turn->comparable) forget();  // the server or a vehicle turned it, not the mouse
    if (!engine::ClientTicks::ends_tick(ctx, m)) return engine::Verdict::pass;
    return end_tick(ctx, s, r);
  }
  // A server rotation: the looks before it say nothing about the mouse after it.
  engine::Verdict on(const protocol::packets::SyncPlayerPositionS2c&, const context::PlayerContext&, const Settings&,
                     engine::Reporter&) {
    forget();
    return engine::Verdict::pass;
  }
  engine::Verdict on(const protocol::packets::PlayerRotationS2c&, const context::PlayerContext&, const Settings&,
                     engine::Reporter&) {
    forget();
    return engine::Verdict::pass;
  }
  engine::Verdict on(const protocol::packets::LoginPlayS2c&, const context::PlayerContext&, const Settings&,
                     engine::Reporter&) {
    forget();
    return engine::Verdict::pass;
  }
  engine::Verdict on(const protocol::packets::RespawnS2c&, const context::PlayerContext&, const Settings&,
                     engine::Reporter&) {
    forget();
    return engine::Verdict::pass;
  }

 private:
  // Every box the tracker may hold for one entity: confirmed, trail, steps.
  static constexpr std::size_t kMaxBoxes = context::TrackedEntities::kMaxSteps + 2;
  struct Pending {
    std::int32_t target = 0;
    protocol::Vec3 feet;  // the player's position at the attack: where its eye picked from
    std::array<context::Aabb, kMaxBoxes> boxes{};
    std::size_t box_count = 0;
    double off_before = 0;  // the least angle between B and any box
    double calm_turn = 0;   // A to B
  };

  // The looks before the attack's tick say nothing about the mouse now.
  void forget() noexcept {
    ticks_seen_ = 0;
    pending_ = false;
  }

  // The least angle (degrees) between `look` and any box of `p` from any eye
  // height; 0 when an eye lies within a box's bounding sphere.
  static double least_angle(const Pending& p, const engine::Look& look, const engine::EyeHeights& eyes) noexcept {
    const protocol::Vec3 dir = engine::look_vector(look);
    double least = std::numeric_limits<double>::infinity();
    for (int e = 0; e < eyes.count; ++e) {
      const protocol::Vec3 eye{p.feet.x, p.feet.y + eyes.values[e], p.feet.z};
      for (std::size_t i = 0; i < p.box_count; ++i) least = std::min(least, engine::min_angle_to_box(eye, dir, p.boxes[i]));
    }
    return least;
  }

  // Whether a ray along `look` from any eye height enters any box of `p`.
  static bool hits(const Pending& p, const engine::Look& look, const engine::EyeHeights& eyes) noexcept {
    const protocol::Vec3 dir = engine::look_vector(look);
    for (int e = 0; e < eyes.count; ++e) {
      const context::Ray ray{{p.feet.x, p.feet.y + eyes.values[e], p.feet.z}, dir};
      for (std::size_t i = 0; i < p.box_count; ++i) {
        if (context::ray_entry(ray, p.boxes[i])) return true;
      }
    }
    return false;
  }

  static std::string degrees(double x) {
    std::array<char, 32> text{};
    const int n = std::snprintf(text.data(), text.size(), "%.1f", x);
    return std::string(text.data(), n > 0 ? std::min<std::size_t>(static_cast<std::size_t>(n), text.size() - 1) : 0);
  }

  void attack(std::int32_t target, const context::PlayerContext& ctx, const Settings& s) {
    if (pending_ || ticks_seen_ < 2 || ctx.looks.server_rotation_pending()) return;
    if (!ctx.movement.position_known || ctx.vehicle_id >= 0 || ctx.may_be_riding()) return;
    const double calm_turn = engine::turn_angle(before_, last_);
    if (calm_turn > s.params.calm_deg) return;
    const auto info = ctx.entities.info(target);
    if (!info || !info->dimensions.known) return;  // not tracked, or of unknown size: no evidence
    // Sized by the first judged attack: players who never fight hold none.
    if (pending_data_.empty()) pending_data_.resize(1);
    Pending& p = pending_data_[0];
    p.target = target;
    p.feet = ctx.movement.position;
    p.box_count = 0;
    const double grow = 0.1 + context::position_margin(ctx.protocol);
    ctx.entities.any_box(target, ctx.transactions.acked_seq(), [&](const context::Aabb& b) {
      p.boxes[p.box_count++] = b.expanded(grow);
      return p.box_count == kMaxBoxes;
    });
    if (p.box_count == 0) return;
    const double off = least_angle(p, last_, engine::eye_heights(ctx.protocol));
    if (off <= s.params.min_off_deg) return;
    p.off_before = off;
    p.calm_turn = calm_turn;
    pending_ = true;
  }

  engine::Verdict end_tick(const context::PlayerContext& ctx, const Settings& s, engine::Reporter& r) {
    const auto look = ctx.looks.current();
    if (!look || ctx.looks.server_rotation_pending() || ctx.may_be_riding()) {
      forget();
      return engine::Verdict::pass;
    }
    engine::Verdict verdict = engine::Verdict::pass;
    if (pending_) {
      pending_ = false;
      const Pending& p = pending_data_[0];
      if (hits(p, *look, engine::eye_heights(ctx.protocol))) {
        const double turned = engine::turn_angle(last_, *look);
        verdict = r.flag(kInfo, s.limits, vl_, "snap", 1,
                         "attacked entity " + std::to_string(p.target) + " in the tick its look turned " +
                             degrees(turned) + " degrees onto it, from at least " + degrees(p.off_before) +
                             " off (limit " + degrees(s.params.min_off_deg) + "), after a tick that turned " +
                             degrees(p.calm_turn),
                         "{\"entity\":" + std::to_string(p.target) + ",\"turn\":" + std::to_string(turned) +
                             ",\"off_before\":" + std::to_string(p.off_before) +
                             ",\"calm_turn\":" + std::to_string(p.calm_turn) +
                             ",\"yaw\":" + std::to_string(look->yaw) + ",\"pitch\":" + std::to_string(look->pitch) +
                             "}");
      }
    }
    before_ = last_;
    last_ = *look;
    if (ticks_seen_ < 2) ++ticks_seen_;
    return verdict;
  }

  engine::ViolationLevel vl_;
  engine::Look before_{};  // A: the look at the end of the tick before last
  engine::Look last_{};    // B: the look at the end of the last tick
  int ticks_seen_ = 0;     // tick ends since the looks were last forgotten (0..2)
  bool pending_ = false;   // an attack of this tick waits for the tick's look
  std::vector<Pending> pending_data_;  // empty, or the attack of this tick
};

}  // namespace rustguard::checks::aim
