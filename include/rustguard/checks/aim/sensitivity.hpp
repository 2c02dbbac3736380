#pragma once
// Aim / sensitivity (`aim.sensitivity`): rotations that are not whole
// multiples of any mouse step. A vanilla client turns its view by mouse
// counts times one step that its sensitivity slider s sets:
//   f = s x 0.6 + 0.2;  step = f^3 x 8 x 0.15 degrees
// (1.13+ MouseHandler.turnPlayer then Entity.turn; 1.8 EntityRenderer then
// Entity.setAngles: the same shape, in float), 0.0096 at the slider's
// bottom, 0.15 at 100 %, 0.6144 at the top; the spyglass (1.17+) drops the
// x 8, so scoped turns are multiples of step / 8, which still divides every
// unscoped one. So every yaw and pitch delta between two rotation packets
// is k x step for a whole k, give or take the float rounding of the client
// adding each frame's turn to its float yaw and pitch (half a unit in the
// last place per frame). Aim assists and killauras that set the look
// straight to a target write angles that no single step divides.
//
// The check collects `samples` deltas (pitch always; yaw while |yaw| is
// small enough that float32 still resolves it: the yaw is unbounded, and
// far from 0 its rounding drowns the step), each with a tolerance of
// `tolerance` plus 8 units in the last place of the larger endpoint. It
// then asks whether some step >= `min_step` divides at least `min_fit` of
// them. Candidate steps are the smallest deltas divided by 1, 2, 3, ... down
// to `min_step` (the true step divides every honest delta, so it is among
// them when the base delta is honest); four bases, so one odd delta among
// the smallest does not hide the step. Only deltas whose tolerance is under
// an eighth of `min_step` are kept (pitch always; yaw below about 128):
// with more, a random angle fits a small step by chance. The window flags
// (`gcd`) only when at least three bases were searched all the way down to
// `min_step` and no candidate of any base fits. A random angle fits a
// candidate step s with chance 2 x tolerance / s (at most 25 % at
// s = min_step, far less at real steps), so a window of 40 set-by-code
// deltas fits no candidate at 60 %, while an honest window fits its step at
// about 100 %.
//
// Not judged: pairs that are not the mouse's (LookTracker, context/
// looks.hpp: server teleports and rotations, respawns, riding), a pitch
// that ends on the ±90 clamp (the clamp cut the turn short), zero deltas.
//
// False positives: the cinematic camera (smooth camera key, and OptiFine's
// zoom, which turns it on) smooths the mouse and breaks the step, as do zoom
// mods that scale the sensitivity; a player who changes the sensitivity in
// the middle of a window mixes two steps (one window, under the alert);
// trackpads and systems that report fractional cursor movement (some macOS
// setups) do not turn by whole counts. The server's Look At packet is not
// decoded. A flag is one window; the alert needs two close together.
// Bots that are not vanilla clients (mineflayer clamps its turn per tick to
// a speed that is not a multiple of its 0.15-degree rounding) break it too.
// Cheats that round their rotations to the player's step pass.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "rustguard/checks/api/check_info.hpp"
#include "rustguard/checks/api/check_settings.hpp"
#include "rustguard/checks/api/looks.hpp"
#include "rustguard/checks/api/reporter.hpp"
#include "rustguard/checks/api/verdict.hpp"
#include "rustguard/checks/api/violation_level.hpp"
#include "rustguard/context/player_context.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"

namespace rustguard::checks::aim {

class SensitivityCheck {
 public:
  static constexpr engine::CheckInfo kInfo{
      "aim.sensitivity", "Aim (sensitivity)", "Rotations that are not whole multiples of any mouse step",
      engine::CostClass::cheap, {.alert_vl = 2, .decay_per_second = 0.01}};
  static constexpr std::array kReads{protocol::PacketKind::set_position_rotation_c2s,
                                     protocol::PacketKind::set_rotation_c2s};
  static constexpr std::size_t kMaxSamples = 128;
  // Candidate steps per base: the base delta divided by 1 .. this.
  static constexpr std::uint32_t kMaxMultiple = 512;
  static constexpr std::size_t kBases = 4;
  struct Params {
    std::uint32_t samples = 40;  // deltas per window (at most 128)
    double min_step = 0.001;     // degrees: the smallest step a vanilla client turns by (slider 0, scoped: 0.0012)
    double tolerance = 1e-5;     // degrees, plus 8 units in the last place of the larger endpoint
    double min_fit = 0.6;        // the share of deltas one step must divide

    // Every field by its config name (checks.<key>.<name>), for the loader.
    template <class F>
    void visit(F&& f) {
      f("samples", samples);
      f("min_step", min_step);
      f("tolerance", tolerance);
      f("min_fit", min_fit);
    }
    bool operator==(const Params&) const = default;
  };
  using Settings = engine::CheckSettings<SensitivityCheck>;

  engine::Verdict on(const context::MoveSample&, const context::PlayerContext& ctx, const Settings& s,
                     engine::Reporter& r) {
    const auto& turn = ctx.looks.turn();
    if (!turn || !turn->comparable) return engine::Verdict::pass;
    if (std::abs(turn->to.pitch) < 90.0f) add(turn->pitch_delta(), turn->from.pitch, turn->to.pitch, s);
    add(turn->yaw_delta(), turn->from.yaw, turn->to.yaw, s);
    const std::size_t window = std::clamp<std::size_t>(s.params.samples, 8, kMaxSamples);
    if (count_ < window) return engine::Verdict::pass;
    const Window v = judge(s);
    count_ = 0;
    if (!v.inconsistent) return engine::Verdict::pass;
    return r.flag(kInfo, s.limits, vl_, "gcd", 1,
                  "no mouse step divides the last " + std::to_string(window) + " rotation deltas (best step " +
                      std::to_string(v.best_step) + " fits " + std::to_string(v.best_fits) + " of " +
                      std::to_string(v.best_judged) + ")",
                  "{\"samples\":" + std::to_string(window) + ",\"best_step\":" + std::to_string(v.best_step) +
                      ",\"best_fits\":" + std::to_string(v.best_fits) + ",\"best_judged\":" +
                      std::to_string(v.best_judged) + ",\"bases\":" + std::to_string(v.complete_bases) + "}");
  }

 private:
  struct Sample {
    double delta = 0;  // |delta|, degrees
    double tol = 0;    // how far from a whole multiple float rounding may put it
  };
  struct Window {
    bool inconsistent = false;
    double best_step = 0;
    std::size_t best_fits = 0;
    std::size_t best_judged = 0;
    std::size_t complete_bases = 0;
  };

  // One unit in the last place of a float of magnitude `x`.
  static double ulp(float x) noexcept {
    const float a = std::abs(x);
    return static_cast<double>(std::nextafter(a, std::numeric_limits<float>::infinity()) - a);
  }

  void add(double delta, float from, float to, const Settings& s) {
    if (!std::isfinite(delta) || delta == 0) return;
    const double tol = s.params.tolerance + 8 * ulp(std::max(std::abs(from), std::abs(to)));
    // A delta whose rounding is not small against the smallest step fits
    // any step by chance: it says nothing (a yaw far from 0).
    if (2 * tol > 0.25 * s.params.min_step) return;
    const std::size_t window = std::clamp<std::size_t>(s.params.samples, 8, kMaxSamples);
    if (count_ >= window) return;
    if (samples_.size() < window) samples_.resize(window);
    samples_[count_++] = {std::abs(delta), tol};
  }

  Window judge(const Settings& s) const noexcept {
    // The bases: the smallest deltas at least one smallest step long.
    std::array<std::size_t, kBases> bases{};
    std::size_t nbases = 0;
    for (std::size_t i = 0; i < count_; ++i) {
      if (samples_[i].delta < s.params.min_step) continue;
      if (nbases < kBases) {
        bases[nbases++] = i;
      } else {
        std::size_t worst = 0;
        for (std::size_t b = 1; b < kBases; ++b) {
          if (samples_[bases[b]].delta > samples_[bases[worst]].delta) worst = b;
        }
        if (samples_[i].delta < samples_[bases[worst]].delta) bases[worst] = i;
      }
    }
    Window v;
    double best_share = -1;
    for (std::size_t b = 0; b < nbases; ++b) {
      const double base = samples_[bases[b]].delta;
      std::uint32_t n = 1;
      for (; n <= kMaxMultiple; ++n) {
        const double step = base / n;
        if (step < s.params.min_step) break;
        const std::size_t judged = count_;
        std::size_t fits = 0;
        for (std::size_t i = 0; i < count_; ++i) {
          const Sample& x = samples_[i];
          const double off = std::abs(x.delta - std::round(x.delta / step) * step);
          fits += off <= x.tol ? 1U : 0U;
        }
        const double share = static_cast<double>(fits) / static_cast<double>(judged);
        if (share >= s.params.min_fit) return Window{};
        if (share > best_share) {
          best_share = share;
          v.best_step = step;
          v.best_fits = fits;
          v.best_judged = judged;
        }
      }
      if (n > kMaxMultiple && base / kMaxMultiple >= s.params.min_step) continue;  // not searched to the bottom
      ++v.complete_bases;
    }
    v.inconsistent = v.complete_bases >= 3;
    return v;
  }

  engine::ViolationLevel vl_;
  // Sized by the first rotation, not before: most players of a big lobby
  // never turn while connected, and a window is 16 bytes a sample (640 at
  // the default 40, 2 KiB at most).
  std::vector<Sample> samples_;
  std::size_t count_ = 0;
};

}  // namespace rustguard::checks::aim
