#pragma once
// Speed: horizontal movement beyond the best case of the player's state.
//
// An envelope check, not a prediction: the proxy sees no blocks, so the bound
// is the vanilla step (envelope.hpp) taken with sprinting always allowed, the
// most favourable input (diagonal, magnitude 1), the previous move's distance
// as momentum, every surface whose slipperiness `slippery_surfaces` allows
// (normal ground only when off), the sprint-jump boost on a jump, effects and
// the movement-speed attribute of every state the client may know (lag
// compensation), and whatever knockback may still carry it. Soul sand,
// cobwebs, sneaking and water only slow a player down, so they need nothing.
// A move over the bound by more than `tolerance` adds its excess to a buffer;
// the check flags while the buffer is over `buffer_limit`, and legal moves
// drain it, so single rounding-size outliers never flag.

#include <algorithm>
#include <array>
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

class SpeedCheck {
 public:
  static constexpr engine::CheckInfo kInfo{
      "movement.speed", "Speed", "Horizontal movement faster than the player's state allows",
      engine::CostClass::cheap, {.alert_vl = 10, .decay_per_second = 1, .setback_vl = 1}};
  static constexpr std::array kReads{protocol::PacketKind::set_position_c2s,
                                     protocol::PacketKind::set_position_rotation_c2s};
  struct Params {
    double tolerance = 0.001;       // blocks per move ignored outright
    double buffer_limit = 0.05;     // blocks of accumulated excess before flagging
    double buffer_drain = 0.005;    // blocks drained by every legal move
    bool slippery_surfaces = true;  // allow slime and ice momentum anywhere

    // Every field by its config name (checks.<key>.<name>), for the loader.
    template <class F>
    void visit(F&& f) {
      f("tolerance", tolerance);
      f("buffer_limit", buffer_limit);
      f("buffer_drain", buffer_drain);
      f("slippery_surfaces", slippery_surfaces);
    }
    bool operator==(const Params&) const = default;
  };
  using Settings = engine::CheckSettings<SpeedCheck>;

  engine::Verdict on(const context::MoveSample& m, const context::PlayerContext& ctx, const Settings& s,
                     engine::Reporter& r) {
    if (!m.moved() || m.teleport_response || !m.last_delta_known || ctx.may_be_riding() ||
        ctx.may_be_spectator() || ctx.claims.gliding) {
      return engine::Verdict::pass;
    }
    const double last = m.last_had_position ? std::hypot(m.last_delta.x, m.last_delta.z) : m.horizontal;
    const bool jumped = m.was_on_ground && m.delta.y > 0.1 && !m.input.on_ground;
    const bool flying = ctx.may_be_flying();
    double bound = ctx.max_over_states([&](const context::PhysicsState& st) {
      const double walk = horizontal_bound(st, last, m.was_on_ground_before, m.was_on_ground, jumped,
                                           s.params.slippery_surfaces);
      return flying ? std::max(walk, flying_bound(st, last)) : walk;
    });
    bound += ctx.knockback.horizontal_allowance(ctx.transactions.acked_seq());
    // Skipped sub-threshold ticks hide up to one minimum movement.
    if (!m.last_had_position || last < kMinimumMovement) bound += kMinimumMovement;
    const double excess = m.horizontal - bound;
    if (excess <= s.params.tolerance) {
      buffer_ = std::max(0.0, buffer_ - s.params.buffer_drain);
      return engine::Verdict::pass;
    }
    buffer_ += excess;
    if (buffer_ <= s.params.buffer_limit) return engine::Verdict::pass;
    return r.flag(kInfo, s.limits, vl_, jumped ? "jump" : (m.was_on_ground ? "ground" : "air"), 1,
                  "moved " + std::to_string(m.horizontal) + " > " + std::to_string(bound) + " blocks",
                  "{\"moved\":" + std::to_string(m.horizontal) + ",\"bound\":" + std::to_string(bound) +
                      ",\"buffer\":" + std::to_string(buffer_) + "}");
  }

  double buffer() const noexcept { return buffer_; }
  // The model stage's feature (checks/api/movement_evidence.hpp).
  void add_evidence(engine::MovementEvidence& e, Timestamp) const noexcept { e.speed_buffer = buffer_; }

 private:
  engine::ViolationLevel vl_;
  double buffer_ = 0;
};

}  // namespace rustguard::checks::movement
