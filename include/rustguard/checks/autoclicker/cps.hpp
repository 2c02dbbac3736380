#pragma once
// AutoClicker / clicks per second (`autoclicker.cps`): more clicks within a
// sliding window of client ticks than `max_cps` allows.
//
// A click is an attack-button click (clicks.hpp: a swing, an attack, or
// both of one tick once). The window is measured in client ticks, not in
// arrival time: a vanilla client handles clicks inside its ticks, and a lag
// spike delivers a backlog of clicks at once, which in arrival time looks
// like a burst of hundreds per second but is still at most so many per tick.
// Ticks come from checks/api/client_ticks.hpp. Where a boundary may stand
// for several ticks (1.9+ without Client Tick End, when the player neither
// moves nor turns), it counts as the whole ticks its arrival gap spans, read
// with kGapJitterMs of slack (at least one): a gap of k ticks that arrives up
// to that much early or late still counts k. Counted as a fraction (gap / 50
// ms), a backlog draining after a stall (each gap a little short) made the
// window span more ticks than it counts (most likely why e2e_model's 15 CPS
// bot behind a jittery relay was once flagged). A backlog that arrives in one burst
// still shortens it, which is why those flags go through
// Reporter::flag_timing.
// After a flag the window starts again, so a player clicking too fast is
// flagged about once per window.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
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

class CpsCheck {
 public:
  static constexpr engine::CheckInfo kInfo{
      "autoclicker.cps", "AutoClicker (clicks per second)", "More attack-button clicks per second than allowed",
      engine::CostClass::cheap, {.alert_vl = 1.5, .decay_per_second = 0.05}};
  static constexpr std::array kReads{
      protocol::PacketKind::interact_c2s,      protocol::PacketKind::attack_c2s,
      protocol::PacketKind::swing_arm_c2s,     protocol::PacketKind::player_action_c2s,
      protocol::PacketKind::use_item_on_c2s,   protocol::PacketKind::use_item_c2s,
      protocol::PacketKind::client_tick_end_c2s, protocol::PacketKind::set_position_c2s,
      protocol::PacketKind::set_position_rotation_c2s, protocol::PacketKind::set_rotation_c2s,
      protocol::PacketKind::set_movement_flags_c2s};
  struct Params {
    std::uint32_t max_cps = 16;       // clicks per second (20 ticks) allowed
    std::uint32_t window_ticks = 20;  // the sliding window, in client ticks

    // Every field by its config name (checks.<key>.<name>), for the loader.
    template <class F>
    void visit(F&& f) {
      f("max_cps", max_cps);
      f("window_ticks", window_ticks);
    }
    bool operator==(const Params&) const = default;
  };
  using Settings = engine::CheckSettings<CpsCheck>;

  // Interact other than an attack (attacks come as AttackEvent): a use click.
  engine::Verdict on(const protocol::packets::InteractC2s&, const context::PlayerContext&, const Settings&,
                     engine::Reporter&) {
    clicks_.on_use();
    return engine::Verdict::pass;
  }
  engine::Verdict on(const engine::AttackEvent&, const context::PlayerContext&, const Settings&,
                     engine::Reporter&) {
    in_tick_ += clicks_.on_attack() ? 1U : 0U;
    return engine::Verdict::pass;
  }
  engine::Verdict on(const protocol::packets::SwingArmC2s&, const context::PlayerContext&, const Settings&,
                     engine::Reporter&) {
    in_tick_ += clicks_.on_swing() ? 1U : 0U;
    return engine::Verdict::pass;
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
  engine::Verdict on(const protocol::packets::ClientTickEndC2s&, const context::PlayerContext& ctx, const Settings& s,
                     engine::Reporter& r) {
    return end_tick(ctx, s, r);
  }
  engine::Verdict on(const context::MoveSample& m, const context::PlayerContext& ctx, const Settings& s,
                     engine::Reporter& r) {
    if (!engine::ClientTicks::ends_tick(ctx, m)) return engine::Verdict::pass;
    return end_tick(ctx, s, r);
  }

 private:
  struct Entry {
    double tick = 0;  // the client clock at the end of the tick
    std::uint32_t clicks = 0;
  };
  // Ticks with clicks in the window. When full the oldest is dropped, which
  // only undercounts. Allocated by the first click: an idle player (most of
  // a big lobby) holds none.
  static constexpr std::size_t kEntries = 64;
  // Arrival jitter, either way, under which a gap of k ticks still counts k
  // (a gap of 50k - 20 to 50k + 29 ms counts k).
  static constexpr double kGapJitterMs = 20;

  engine::Verdict end_tick(const context::PlayerContext& ctx, const Settings& s, engine::Reporter& r) {
    const bool explicit_ticks = engine::ClientTicks::explicit_ticks(ctx);
    const Timestamp now = r.now();
    double step = 1;
    if (!explicit_ticks && last_boundary_) {
      step = std::max(1.0, std::floor((millis_between(*last_boundary_, now) + kGapJitterMs) / 50.0));
    }
    last_boundary_ = now;
    clock_ += step;
    const std::uint32_t clicks = in_tick_;
    in_tick_ = 0;
    clicks_.end_tick();
    if (clicks > 0) push({clock_, clicks});
    const double window = static_cast<double>(std::max<std::uint32_t>(1, s.params.window_ticks));
    // The clock only grows, so ticks leave the window in the order they
    // entered: the expired ones are at the head. This runs at every tick of
    // every player; walking the whole ring there showed in the proxy's
    // profile, dropping the head touches one entry.
    while (size_ > 0 && !(entries_[head_].tick > clock_ - window)) pop_oldest();
    const std::uint64_t total = clicks_in_window_;
    const double limit = static_cast<double>(s.params.max_cps) * window / 20.0;
    if (static_cast<double>(total) <= limit) return engine::Verdict::pass;
    size_ = 0;
    clicks_in_window_ = 0;
    const double cps = static_cast<double>(total) * 20.0 / window;
    std::string detail = std::to_string(total) + " clicks in " + std::to_string(s.params.window_ticks) +
                         " ticks (" + std::to_string(static_cast<long long>(cps + 0.5)) + " CPS, limit " +
                         std::to_string(s.params.max_cps) + ")";
    std::string json = "{\"clicks\":" + std::to_string(total) + ",\"ticks\":" + std::to_string(s.params.window_ticks) +
                       ",\"cps\":" + std::to_string(cps) + ",\"tick_end\":" +
                       (explicit_ticks ? "true" : "false") + "}";
    if (explicit_ticks) return r.flag(kInfo, s.limits, vl_, "cps", 1, std::move(detail), std::move(json));
    return r.flag_timing(kInfo, s.limits, vl_, "cps", 1, std::move(detail), std::move(json));
  }

  void push(Entry e) {
    if (entries_.empty()) entries_.resize(kEntries);
    if (size_ == kEntries) pop_oldest();
    entries_[(head_ + size_) % kEntries] = e;
    ++size_;
    clicks_in_window_ += e.clicks;
  }
  void pop_oldest() {
    clicks_in_window_ -= entries_[head_].clicks;
    head_ = (head_ + 1) % kEntries;
    --size_;
  }

  engine::ViolationLevel vl_;
  ClickCounter clicks_;
  std::uint32_t in_tick_ = 0;
  double clock_ = 0;
  std::optional<Timestamp> last_boundary_;
  std::vector<Entry> entries_;  // empty or kEntries, a ring from head_
  std::size_t head_ = 0;
  std::size_t size_ = 0;
  std::uint64_t clicks_in_window_ = 0;  // the sum of the ring's clicks
};

}  // namespace rustguard::checks::autoclicker
