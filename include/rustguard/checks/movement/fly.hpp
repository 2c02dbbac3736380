#pragma once
// Fly: vertical motion gravity does not allow.
//
// Leaving the ground, a move may rise at most the jump velocity (jump
// strength, jump boost), a step (step height, when it lands on the ground
// again) or a bounce (the speed it fell at before landing: slime, beds).
// In the air each move may be at most the previous one minus gravity, times
// drag (slow falling lowers gravity while falling; levitation pulls upwards),
// plus any knockback still upward. Landing moves (on ground claimed) may be
// shorter than that: collision stops them. Rising, hovering, or falling slower
// than allowed all exceed this bound; `buffer_limit` consecutive offending
// moves flag. Climbing (ladders, vines: up to 0.2 up, down to -0.15) is
// allowed while the client reports a horizontal collision (1.21.2+), or
// always for older clients, which do not report it. A separate hover rule
// flags `hover_ticks` airborne moves in a row that neither rise nor fall yet
// travel sideways, which climbing cannot do.
// Limits: no world model, so water, lava, bubble columns, cobwebs, powder
// snow, honey and scaffolding look like flying; players in them are flagged
// only if they stay out of bounds for the buffer. Creative flight, gliding,
// riding and spectators are exempt.

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

#include "rustguard/checks/api/check_info.hpp"
#include "rustguard/checks/api/check_settings.hpp"
#include "rustguard/checks/api/movement_evidence.hpp"
#include "rustguard/checks/api/reporter.hpp"
#include "rustguard/checks/api/verdict.hpp"
#include "rustguard/checks/api/violation_level.hpp"
#include "rustguard/checks/movement/envelope.hpp"
#include "rustguard/context/player_context.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/packet_registry.hpp"

namespace rustguard::checks::movement {

class FlyCheck {
 public:
  static constexpr engine::CheckInfo kInfo{
      "movement.fly", "Fly", "Vertical motion gravity does not allow (rising, hovering, slow falling)",
      engine::CostClass::cheap, {.alert_vl = 10, .decay_per_second = 1, .setback_vl = 1}};
  static constexpr std::array kReads{protocol::PacketKind::set_position_c2s,
                                     protocol::PacketKind::set_position_rotation_c2s};
  struct Params {
    double tolerance = 0.001;       // blocks
    std::uint32_t buffer_limit = 2; // offending moves in a row before flagging
    double climb_up = 0.2;          // blocks/tick climbing a ladder
    double climb_down = -0.15;      // slowest descent on a ladder
    std::uint32_t hover_ticks = 20; // airborne level moves before the hover rule flags
    double hover_min_horizontal = 0.1;

    // Every field by its config name (checks.<key>.<name>), for the loader.
    template <class F>
    void visit(F&& f) {
      f("tolerance", tolerance);
      f("buffer_limit", buffer_limit);
      f("climb_up", climb_up);
      f("climb_down", climb_down);
      f("hover_ticks", hover_ticks);
      f("hover_min_horizontal", hover_min_horizontal);
    }
    bool operator==(const Params&) const = default;
  };
  using Settings = engine::CheckSettings<FlyCheck>;

  engine::Verdict on(const context::MoveSample& m, const context::PlayerContext& ctx, const Settings& s,
                     engine::Reporter& r) {
    // Back from our setback: the next offending move flags at once.
    if (m.setback_response) return engine::Verdict::pass;
    if (!m.moved() || m.teleport_response || !m.last_delta_known || ctx.may_be_riding() ||
        ctx.may_be_spectator() || ctx.may_be_flying() || ctx.claims.gliding) {
      reset();
      return engine::Verdict::pass;
    }
    const double dy = m.delta.y;
    const double knock_up = ctx.knockback.upward_allowance(ctx.transactions.acked_seq());
    const bool may_climb = ctx.protocol < protocol::v::v1_21_2 || m.input.horizontal_collision;
    const bool climbing = may_climb && dy <= s.params.climb_up + s.params.tolerance &&
                          dy >= s.params.climb_down - s.params.tolerance;
    double bound = 0;
    const char* type = "air";
    if (m.was_on_ground) {
      type = "jump";
      const double last_dy = m.last_had_position ? m.last_delta.y : 0;
      bound = ctx.max_over_states([&](const context::PhysicsState& st) {
        double b = jump_velocity(st);
        if (m.input.on_ground) b = std::max(b, st.attributes.step_height);
        if (const int lev = st.effects.level(MovementEffect::levitation); lev > 0) b = std::max(b, 0.05 * lev);
        return b;
      });
      bound = std::max(bound, -std::min(0.0, last_dy));  // a bounce returns the fall speed
    } else if (m.last_had_position) {
      bound = ctx.max_over_states([&](const context::PhysicsState& st) { return airborne_upper(st, m.last_delta.y); });
      if (m.input.on_ground && dy <= 0) bound = std::max(bound, 0.0);  // landing: collision shortens the fall
    } else {
      return engine::Verdict::pass;  // no previous vertical speed to continue from
    }
    bound += knock_up;
    engine::Verdict verdict = engine::Verdict::pass;
    if (dy > bound + s.params.tolerance && !climbing) {
      if (++offending_ >= s.params.buffer_limit) {
        verdict = r.flag(kInfo, s.limits, vl_, type, 1,
                         "dy " + std::to_string(dy) + " > " + std::to_string(bound),
                         "{\"dy\":" + std::to_string(dy) + ",\"bound\":" + std::to_string(bound) + "}");
      }
    } else {
      offending_ = 0;
    }
    // Hover: level airborne moves that travel sideways.
    if (!m.input.on_ground && !m.was_on_ground && std::abs(dy) < 0.005 && m.horizontal >= s.params.hover_min_horizontal) {
      if (++hovering_ >= s.params.hover_ticks) {
        hovering_ = 0;
        verdict = engine::worst(verdict, r.flag(kInfo, s.limits, vl_, "hover", 1,
                                                std::to_string(s.params.hover_ticks) + " level moves in the air"));
      }
    } else {
      hovering_ = 0;
    }
    return verdict;
  }

  // The model stage's feature (checks/api/movement_evidence.hpp).
  void add_evidence(engine::MovementEvidence& e, Timestamp) const noexcept { e.fly_offending = offending_; }

 private:
  void reset() noexcept {
    offending_ = 0;
    hovering_ = 0;
  }
  engine::ViolationLevel vl_;
  std::uint32_t offending_ = 0;
  std::uint32_t hovering_ = 0;
};

}  // namespace rustguard::checks::movement
