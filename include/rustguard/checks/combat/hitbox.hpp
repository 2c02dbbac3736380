#pragma once
// Combat / hitbox (`combat.hitbox`): an attack on an entity within reach that
// no look the client may have used points at: no ray from any eye height
// along any allowed look enters any box the target may have shown within the
// interaction range (checks/combat/attack_geometry.hpp has the model). Type
// `miss`: every ray misses every box, at any length (a killaura hitting
// what it does not face); `range`: some ray hits, but only beyond the range
// (a reach cheat whose nearest point is within range but whose look is not).
// Targets out of reach from every eye are combat.reach's, not flagged here.
//
// The look. The client picks its target with the look of the tick it attacks
// in, which it sends in that tick's movement packet, after the attack; a
// 1.9+ client that did not turn sends no look, so the last one stands. So an
// attack is judged when the look is known: at the next movement packet (its
// look if it carries one), or at Client Tick End when the tick sent none.
// The looks tried are the last one reported before the attack, the next one,
// and the two mixes of their yaw and pitch (a look split across packets).
// An attack the last look already hits passes at once.
//
// Consequence: the verdict comes one packet after the attack has gone to the
// server, so this check cannot cancel the attack it flags, and never drops
// the movement packet it judges at (a cancel from its limits is ignored
// there; a kick is not). combat.reach is the one that cancels.
//
// No verdict for unknown targets, before a position, while riding (as
// combat.reach). At most kPending distinct targets wait for their look; more in
// one tick are not judged (several attacks on distinct targets in one tick are
// killaura.multi_target's).

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

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

class HitboxCheck {
 public:
  static constexpr engine::CheckInfo kInfo{"combat.hitbox", "Hitbox",
                                           "Attacks on entities the player's look does not point at",
                                           engine::CostClass::cheap, {.alert_vl = 3, .decay_per_second = 0.1}};
  static constexpr std::array kReads{
      protocol::PacketKind::interact_c2s,        protocol::PacketKind::attack_c2s,
      protocol::PacketKind::client_tick_end_c2s, protocol::PacketKind::set_position_c2s,
      protocol::PacketKind::set_position_rotation_c2s, protocol::PacketKind::set_rotation_c2s,
      protocol::PacketKind::set_movement_flags_c2s};
  struct Params {
    // Blocks every box grows by, and the range too, for the rounding between
    // the client's look and the one it sends (float angles, the game's sine
    // table) before an attack flags.
    double leeway = 0.03;

    // Every field by its config name (checks.<key>.<name>), for the loader.
    template <class F>
    void visit(F&& f) {
      f("leeway", leeway);
    }
    bool operator==(const Params&) const = default;
  };
  using Settings = engine::CheckSettings<HitboxCheck>;

  engine::Verdict on(const engine::AttackEvent& a, const context::PlayerContext& ctx, const Settings& s,
                     engine::Reporter&) {
    attack(a.target, ctx, s);
    return engine::Verdict::pass;
  }
  engine::Verdict on(const protocol::packets::ClientTickEndC2s&, const context::PlayerContext&, const Settings& s,
                     engine::Reporter& r) {
    reported_.on_tick_end();
    // No movement packet since the attack: the look did not change.
    if (pending_count_ == 0) return engine::Verdict::pass;
    return judge_pending(pending_[0].yaw, pending_[0].pitch, s, r);
  }
  engine::Verdict on(const context::MoveSample& m, const context::PlayerContext& ctx, const Settings& s,
                     engine::Reporter& r) {
    reported_.on_move(m, ctx.protocol);
    // A teleport's answer is sent between ticks, with the server's look.
    if (pending_count_ == 0 || m.teleport_response) return engine::Verdict::pass;
    const bool turned = m.input.has_rotation;
    return judge_pending(turned ? m.input.yaw : ctx.movement.yaw, turned ? m.input.pitch : ctx.movement.pitch, s, r);
  }

 private:
  // Attacks waiting for their look: distinct targets, since a second attack
  // on the same target in one tick is judged as the first (a vanilla client
  // clicking twice in a tick).
  static constexpr std::size_t kPending = 2;

  void attack(std::int32_t target, const context::PlayerContext& ctx, const Settings& s) {
    if (ctx.respawns != respawns_) {
      respawns_ = ctx.respawns;
      reported_.reset();
      pending_count_ = 0;
    }
    for (std::size_t i = 0; i < pending_count_; ++i) {
      if (pending_[i].target == target) return;
    }
    if (pending_count_ == kPending) return;
    if (pending_.empty()) pending_.resize(kPending);
    AttackScene& scene = pending_[pending_count_];
    if (scene_of(target, ctx, reported_.exact(ctx.protocol), s.params.leeway, scene) != Unjudged::none) return;
    // Out of reach from every eye: combat.reach judges it. The scene's
    // boxes are grown by the leeway already, so beyond the range from them
    // is beyond range + leeway from the true boxes (reach's own line with
    // the same leeway); adding the leeway again here judged attacks that
    // reach flags (up to ~0.07 beyond) a second time.
    if (nearest_distance(scene) > scene.range) return;
    // The last look already hits: nothing to wait for.
    if (nearest_hit(scene, scene.yaw, scene.pitch) <= scene.range + s.params.leeway) return;
    ++pending_count_;
  }

  // Judges every waiting attack with the look of its tick (`yaw`, `pitch`),
  // at a movement packet or tick end, which no flag here may drop: the
  // verdict is never a cancel.
  engine::Verdict judge_pending(float yaw, float pitch, const Settings& s, engine::Reporter& r) {
    engine::Verdict verdict = engine::Verdict::pass;
    for (std::size_t i = 0; i < pending_count_; ++i) {
      verdict = engine::worst(verdict, judge(pending_[i], yaw, pitch, s, r));
    }
    pending_count_ = 0;
    if (verdict == engine::Verdict::cancel) verdict = engine::Verdict::pass;
    return verdict;
  }

  engine::Verdict judge(const AttackScene& scene, float yaw, float pitch, const Settings& s, engine::Reporter& r) {
    const double reach = scene.range + s.params.leeway;
    double nearest = std::numeric_limits<double>::infinity();
    for (const auto& [ly, lp] : {std::array{scene.yaw, scene.pitch}, std::array{yaw, pitch},
                                 std::array{scene.yaw, pitch}, std::array{yaw, scene.pitch}}) {
      nearest = std::min(nearest, nearest_hit(scene, ly, lp));
      if (nearest <= reach) return engine::Verdict::pass;
    }
    const bool missed = std::isinf(nearest);
    std::string detail = "entity " + std::to_string(scene.target) +
                         (missed ? " not under any look" : " under the look only at " + three_decimals(nearest) + " blocks") +
                         ", range " + three_decimals(scene.range) + " (look " + three_decimals(scene.yaw) + "/" + three_decimals(scene.pitch) +
                         " then " + three_decimals(yaw) + "/" + three_decimals(pitch) + ")";
    std::string json = "{\"entity\":" + std::to_string(scene.target) +
                       ",\"hit_distance\":" + (missed ? std::string("null") : std::to_string(nearest)) +
                       ",\"range\":" + std::to_string(scene.range) + ",\"margin\":" + std::to_string(scene.margin) +
                       ",\"yaw\":" + std::to_string(scene.yaw) + ",\"pitch\":" + std::to_string(scene.pitch) +
                       ",\"next_yaw\":" + std::to_string(yaw) + ",\"next_pitch\":" + std::to_string(pitch) + "}";
    return r.flag(kInfo, s.limits, vl_, missed ? "miss" : "range", 1, std::move(detail), std::move(json));
  }

  engine::ViolationLevel vl_;
  ReportedPosition reported_;
  std::uint32_t respawns_ = 0;
  // Sized by the first attack, not before: players who never fight hold none.
  std::vector<AttackScene> pending_;  // empty or kPending
  std::size_t pending_count_ = 0;
};

}  // namespace rustguard::checks::combat
