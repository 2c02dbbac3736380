#pragma once
// NoFall (`movement.nofall`), ground spoofing: claiming to stand on the ground where the motion says
// the player cannot be. Without a world model the proxy cannot look for the
// block underneath, but the vanilla client only reports on-ground after a
// downward move was stopped by a collision, so:
//  - "fall": an on-ground move that continues the free fall of the previous
//    move exactly (no collision shortened it), while falling noticeably;
//  - "rise": an on-ground move that rises more than a step;
//  - "height": an on-ground position whose feet are at no block top. Every
//    collision box top in the game is a multiple of 1/64 block (most of 1/16;
//    lily pads 3/32), and vanilla snaps feet exactly onto it, so a fractional
//    height off that grid is mid-air. `height_buffer` such moves in a row flag
//    (a boat bobbing on water is the known legitimate exception).
// Flying, gliding, riding and spectators are exempt.

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

namespace rustguard::checks::movement {

class NoFallCheck {
 public:
  static constexpr engine::CheckInfo kInfo{
      "movement.nofall", "NoFall", "On-ground claimed where the motion cannot be on the ground",
      engine::CostClass::cheap, {.alert_vl = 5, .decay_per_second = 0.5}};
  static constexpr std::array kReads{protocol::PacketKind::set_position_c2s,
                                     protocol::PacketKind::set_position_rotation_c2s};
  struct Params {
    double min_fall = 0.1;        // blocks/tick: slower falls are not judged by the "fall" rule
    double match = 1e-6;          // |dy - free fall| below this means "no collision"
    double grid = 64;             // block tops lie on multiples of 1/grid
    std::uint32_t height_buffer = 3;

    // Every field by its config name (checks.<key>.<name>), for the loader.
    template <class F>
    void visit(F&& f) {
      f("min_fall", min_fall);
      f("match", match);
      f("grid", grid);
      f("height_buffer", height_buffer);
    }
    bool operator==(const Params&) const = default;
  };
  using Settings = engine::CheckSettings<NoFallCheck>;

  engine::Verdict on(const context::MoveSample& m, const context::PlayerContext& ctx, const Settings& s,
                     engine::Reporter& r) {
    if (!m.input.on_ground || !m.moved() || m.teleport_response ||
        ctx.may_be_riding() || ctx.may_be_spectator() || ctx.may_be_flying() || ctx.claims.gliding) {
      off_grid_ = 0;
      return engine::Verdict::pass;
    }
    const double dy = m.delta.y;
    const double last_dy = m.last_delta.y;
    if (m.last_had_position && m.last_delta_known && dy < -s.params.min_fall) {
      const bool free_fall = ctx.any_state([&](const context::PhysicsState& st) {
        return std::abs(dy - free_fall_dy(st, last_dy, false)) < s.params.match ||
               std::abs(dy - free_fall_dy(st, last_dy, true)) < s.params.match;
      });
      if (free_fall) {
        return r.flag(kInfo, s.limits, vl_, "fall", 1, "on ground while falling " + std::to_string(dy),
                      "{\"dy\":" + std::to_string(dy) + ",\"last_dy\":" + std::to_string(last_dy) + "}");
      }
    }
    const double step = ctx.max_over_states([](const context::PhysicsState& st) { return st.attributes.step_height; }) +
                        ctx.knockback.upward_allowance(ctx.transactions.acked_seq());
    if (dy > step + 0.001) {
      return r.flag(kInfo, s.limits, vl_, "rise", 1, "on ground while rising " + std::to_string(dy));
    }
    const double y = m.input.position.y * s.params.grid;
    if (std::abs(y - std::round(y)) > 1e-3) {
      if (++off_grid_ >= s.params.height_buffer) {
        return r.flag(kInfo, s.limits, vl_, "height", 1,
                      "on ground at y " + std::to_string(m.input.position.y) + ", no block top");
      }
    } else {
      off_grid_ = 0;
    }
    return engine::Verdict::pass;
  }

  // The model stage's feature (checks/api/movement_evidence.hpp).
  void add_evidence(engine::MovementEvidence& e, Timestamp) const noexcept { e.nofall_off_grid = off_grid_; }

 private:
  static double free_fall_dy(const context::PhysicsState& st, double last_dy, bool slow) noexcept {
    return free_fall(st, last_dy, slow);
  }
  engine::ViolationLevel vl_;
  std::uint32_t off_grid_ = 0;
};

}  // namespace rustguard::checks::movement
