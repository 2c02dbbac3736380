#pragma once
// AutoClicker / pattern (`autoclicker.pattern`): a flat machine schedule of
// clicks. A human clicking 8-12 times a second varies each interval by tens
// of milliseconds; an autoclicker or a bot on a timer (14 CPS = every
// 71 ms) barely at all. The check collects `samples` intervals between clicks
// (clicks.hpp) and, for each full window, computes the mean, the standard
// deviation, skewness, excess kurtosis, outliers (more than `outlier_ms` from
// the median) and repeats (consecutive intervals within 1 ms), and flags
// (`flat`) a window whose clicks are fast enough to matter (mean at most
// 1000 / `min_cps` ms) and whose deviation is under `max_deviation_ms`. All
// the statistics go into the violation's numbers for review; only the
// deviation decides, as the others vary too much between honest players.
//
// Intervals are measured in arrival time, not client ticks: a bot that sends
// its clicks on its own timer shows its schedule only to the millisecond,
// and network delay can only add spread to a flat schedule, never take it
// away, so lag causes misses, not flags. Two exceptions are handled: a
// backlog delivered at once gives intervals of almost nothing (intervals
// under `min_interval_ms` are left out; the long one next to them adds
// spread), and pauses (over `max_interval_ms`) are not clicking and are left
// out. The proxy's own lateness holds flags (Reporter::flag_timing).
//
// What it cannot see: a vanilla client handles clicks once per tick, so an
// autoclicker running inside a real client is quantised to 50 ms steps
// (14 CPS becomes a mix of 50 and 100 ms intervals, whose spread looks
// human); only schedules whose intervals are one whole number of ticks
// (10 CPS = 100 ms every time) or that bypass the tick (bots, packet
// clickers) are flat to this check.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "rustguard/checks/api/check_info.hpp"
#include "rustguard/checks/api/check_settings.hpp"
#include "rustguard/checks/api/events.hpp"
#include "rustguard/checks/api/client_ticks.hpp"
#include "rustguard/checks/api/reporter.hpp"
#include "rustguard/checks/api/verdict.hpp"
#include "rustguard/checks/api/violation_level.hpp"
#include "rustguard/checks/autoclicker/clicks.hpp"
#include "rustguard/checks/autoclicker/interval_stats.hpp"
#include "rustguard/context/player_context.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/packets/play/client_tick_end_c2s.hpp"
#include "rustguard/protocol/packets/play/interact_c2s.hpp"
#include "rustguard/protocol/packets/play/player_action_c2s.hpp"
#include "rustguard/protocol/packets/play/swing_arm_c2s.hpp"
#include "rustguard/protocol/packets/play/use_item_c2s.hpp"
#include "rustguard/protocol/packets/play/use_item_on_c2s.hpp"
#include "rustguard/time.hpp"

namespace rustguard::checks::autoclicker {

class PatternCheck {
 public:
  static constexpr engine::CheckInfo kInfo{
      "autoclicker.pattern", "AutoClicker (pattern)", "Click intervals too regular for a human (a machine schedule)",
      engine::CostClass::cheap, {.alert_vl = 1.5, .decay_per_second = 0.05}};
  static constexpr std::array kReads{
      protocol::PacketKind::interact_c2s,      protocol::PacketKind::attack_c2s,
      protocol::PacketKind::swing_arm_c2s,     protocol::PacketKind::player_action_c2s,
      protocol::PacketKind::use_item_on_c2s,   protocol::PacketKind::use_item_c2s,
      protocol::PacketKind::client_tick_end_c2s, protocol::PacketKind::set_position_c2s,
      protocol::PacketKind::set_position_rotation_c2s, protocol::PacketKind::set_rotation_c2s,
      protocol::PacketKind::set_movement_flags_c2s};
  static constexpr std::size_t kMaxSamples = kMaxIntervalSamples;
  struct Params {
    std::uint32_t samples = 20;          // intervals per window (at most 100)
    std::uint32_t min_cps = 7;           // judge only windows at least this fast (mean <= 1000 / min_cps ms)
    double max_deviation_ms = 10;        // flat: standard deviation below this
    double min_interval_ms = 5;          // shorter: a backlog delivered at once, left out
    double max_interval_ms = 250;        // longer: a pause, left out
    double outlier_ms = 20;              // reported: intervals this far from the median

    // Every field by its config name (checks.<key>.<name>), for the loader.
    template <class F>
    void visit(F&& f) {
      f("samples", samples);
      f("min_cps", min_cps);
      f("max_deviation_ms", max_deviation_ms);
      f("min_interval_ms", min_interval_ms);
      f("max_interval_ms", max_interval_ms);
      f("outlier_ms", outlier_ms);
    }
    bool operator==(const Params&) const = default;
  };
  using Settings = engine::CheckSettings<PatternCheck>;

  // Interact other than an attack (attacks come as AttackEvent): a use click.
  engine::Verdict on(const protocol::packets::InteractC2s&, const context::PlayerContext&, const Settings&,
                     engine::Reporter&) {
    clicks_.on_use();
    return engine::Verdict::pass;
  }
  engine::Verdict on(const engine::AttackEvent&, const context::PlayerContext&, const Settings& s,
                     engine::Reporter& r) {
    return clicks_.on_attack() ? click(s, r) : engine::Verdict::pass;
  }
  engine::Verdict on(const protocol::packets::SwingArmC2s&, const context::PlayerContext&, const Settings& s,
                     engine::Reporter& r) {
    return clicks_.on_swing() ? click(s, r) : engine::Verdict::pass;
  }
  engine::Verdict on(const protocol::packets::PlayerActionC2s& p, const context::PlayerContext&, const Settings&,
                     engine::Reporter&) {
    clicks_.on_action(p);
    return engine::Verdict::pass;
  }
  engine::Verdict on(const protocol::packets::UseItemOnC2s&, const context::PlayerContext&, const Settings&,
                     engine::Reporter&) {
    clicks_.on_use();
    return engine::Verdict::pass;
  }
  engine::Verdict on(const protocol::packets::UseItemC2s&, const context::PlayerContext&, const Settings&,
                     engine::Reporter&) {
    clicks_.on_use();
    return engine::Verdict::pass;
  }
  engine::Verdict on(const protocol::packets::ClientTickEndC2s&, const context::PlayerContext&, const Settings&,
                     engine::Reporter&) {
    clicks_.end_tick();
    return engine::Verdict::pass;
  }
  engine::Verdict on(const context::MoveSample& m, const context::PlayerContext& ctx, const Settings&,
                     engine::Reporter&) {
    if (engine::ClientTicks::ends_tick(ctx, m)) clicks_.end_tick();
    return engine::Verdict::pass;
  }

 private:
  engine::Verdict click(const Settings& s, engine::Reporter& r) {
    const Timestamp now = r.now();
    const std::optional<Timestamp> last = last_click_;
    last_click_ = now;
    if (!last) return engine::Verdict::pass;
    const double interval = millis_between(*last, now);
    if (interval < s.params.min_interval_ms || interval > s.params.max_interval_ms) return engine::Verdict::pass;
    const std::size_t window = std::clamp<std::size_t>(s.params.samples, 2, kMaxSamples);
    if (intervals_.capacity() < window) intervals_.reserve(window);
    intervals_.push_back(interval);
    if (intervals_.size() < window) return engine::Verdict::pass;
    const std::size_t n = intervals_.size();
    const IntervalStats st = interval_stats(intervals_, n, s.params.outlier_ms);
    intervals_.clear();
    const double max_mean = 1000.0 / static_cast<double>(std::max<std::uint32_t>(1, s.params.min_cps));
    if (st.mean > max_mean || st.deviation >= s.params.max_deviation_ms) return engine::Verdict::pass;
    return r.flag_timing(
        kInfo, s.limits, vl_, "flat", 1,
        std::to_string(n) + " intervals of " + fixed(st.mean) + " ms (" + fixed(1000.0 / st.mean) +
            " CPS), deviation " + fixed(st.deviation) + " ms",
        "{\"samples\":" + std::to_string(n) + ",\"mean_ms\":" + std::to_string(st.mean) +
            ",\"deviation_ms\":" + std::to_string(st.deviation) + ",\"skewness\":" + std::to_string(st.skewness) +
            ",\"kurtosis\":" + std::to_string(st.kurtosis) + ",\"outliers\":" + std::to_string(st.outliers) +
            ",\"repeats\":" + std::to_string(st.repeats) + "}");
  }

  static std::string fixed(double v) {
    const long long tenths = std::llround(v * 10);
    return std::to_string(tenths / 10) + "." + std::to_string(std::llabs(tenths % 10));
  }

  engine::ViolationLevel vl_;
  ClickCounter clicks_;
  std::optional<Timestamp> last_click_;
  // Reserved by the first click, not before: an idle player holds none.
  std::vector<double> intervals_;
};

}  // namespace rustguard::checks::autoclicker
