#pragma once
// The model stage's features (checks/model/combat.hpp): what a player's
// fighting looked like over a sliding window, as one fixed vector of
// numbers a trained model reads.
//
// Recording is incremental and cheap: each click, attack and rotation
// packet appends one small record to a ring (no allocation once the rings
// exist, and none at all for a player who never clicks); the statistics
// are computed only when a window is judged. Everything is read from the
// packets and the player's context at the moment they arrive, so a replay
// of the same bytes gives the same vectors, live or offline.
//
// The records:
//   - clicks (autoclicker/clicks.hpp decides what a click is: an attack, or
//     a swing no attack of its tick pairs with): their arrival times;
//   - attacks: the target, how far the eye was from the target's nearest
//     possible box beyond the interaction range (combat/attack_geometry.hpp,
//     margins included), how far the last reported look pointed from the
//     box's centre, whether a swing came in the same client tick, and the
//     rotation packets around it;
//   - rotations: the angle each rotation packet turned by and its pitch step
//     (api/looks.hpp; only pairs the mouse made: server rotations, riding
//     and respawns start over).
// Four features are not recorded here: what the movement checks hold short
// of a flag when the window is judged (api/movement_evidence.hpp), set by
// the check with with_movement_evidence().
// A window is the last `window_s` seconds (at most kMaxClicks / kMaxAttacks /
// kMaxTurns records).
//
// What it cannot see: anything that is not in the packets (a target the
// tracker does not know gives an attack without geometry, counted only in
// the click and target statistics), and blocks between the player and the
// target (no world model).

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <optional>
#include <string_view>
#include <vector>

#include "rustguard/checks/api/client_ticks.hpp"
#include "rustguard/checks/api/looks.hpp"
#include "rustguard/checks/api/movement_evidence.hpp"
#include "rustguard/checks/autoclicker/clicks.hpp"
#include "rustguard/checks/autoclicker/interval_stats.hpp"
#include "rustguard/checks/combat/attack_geometry.hpp"
#include "rustguard/context/player_context.hpp"
#include "rustguard/time.hpp"

namespace rustguard::checks::model {

// The features, in the order of the vector. A model file lists the names it
// was trained on; a file whose names differ from these is refused.
inline constexpr std::array<std::string_view, 26> kCombatFeatureNames{
    "cps",                  // clicks per second over the window
    "click_mean_ms",        // click intervals (ms, 5-250 ms; pauses and backlogs left out)
    "click_std_ms",
    "click_skewness",
    "click_kurtosis",       // excess
    "click_outlier_share",  // intervals > 20 ms from the median
    "click_repeat_share",   // consecutive intervals within 1 ms
    "reach_excess_mean",    // eye to nearest possible box minus the range (blocks; < 0 within reach)
    "reach_excess_max",
    "reach_near_edge_share",  // attacks within 0.1 block of the range or beyond
    "aim_offset_mean",      // degrees between the reported look and the box centre at the attack
    "aim_offset_std",
    "attack_turn_mean",     // degrees turned by the first rotation packet after an attack
    "pre_attack_turn_mean", // ... and by the one before it
    "turn_mean",            // degrees per rotation packet, every packet in the window
    "turn_jerk",            // mean change of turn between packets / (turn_mean + 0.1)
    "gcd_fit_share",        // pitch steps that are whole multiples of the smallest one
    "no_swing_share",       // attacks without an arm swing in their tick
    "target_switch_share",  // attacks on another target than the one before
    "targets_distinct",     // distinct targets attacked in the window
    "hit_share",            // attacks / clicks
    "attacks_per_second",
    // What the movement checks hold short of a flag when the window is
    // judged (checks/api/movement_evidence.hpp), not window statistics.
    "speed_buffer",         // movement.speed's banked excess distance (blocks)
    "fly_offending",        // movement.fly's consecutive moves above the vertical bound
    "nofall_off_grid",      // movement.nofall's consecutive off-grid ground claims
    "timer_ahead_ms",       // timer.balance: the client's clock ahead of the server's reading
};
inline constexpr std::size_t kCombatFeatureCount = kCombatFeatureNames.size();
using CombatFeatureVector = std::array<double, kCombatFeatureCount>;

// Index of a feature by name (for tests and tools); kCombatFeatureCount when unknown.
constexpr std::size_t combat_feature_index(std::string_view name) noexcept {
  for (std::size_t i = 0; i < kCombatFeatureCount; ++i) {
    if (kCombatFeatureNames[i] == name) return i;
  }
  return kCombatFeatureCount;
}

// The movement checks' evidence into its four features.
inline void with_movement_evidence(CombatFeatureVector& x, const engine::MovementEvidence& e) noexcept {
  auto set = [&x](std::string_view name, double v) { x[combat_feature_index(name)] = std::isfinite(v) ? v : 0.0; };
  set("speed_buffer", e.speed_buffer);
  set("fly_offending", e.fly_offending);
  set("nofall_off_grid", e.nofall_off_grid);
  set("timer_ahead_ms", e.timer_ahead_ms);
}

namespace detail {

// A ring of at most N records. It holds nothing until the first push and
// then grows by doubling (from 16) as the window fills, so a player who
// clicks once a second holds a few dozen records, not N.
template <class T, std::size_t N>
class LazyRing {
 public:
  void push(const T& v) {
    if (size_ == items_.size() && items_.size() < N) grow();
    const std::size_t cap = items_.size();
    items_[(head_ + size_) % cap] = v;
    if (size_ < cap) {
      ++size_;
    } else {
      head_ = (head_ + 1) % cap;
      ++dropped_;
    }
  }
  void pop_front() noexcept {
    if (size_ == 0) return;
    head_ = (head_ + 1) % items_.size();
    --size_;
    ++dropped_;
  }
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  const T& operator[](std::size_t i) const noexcept { return items_[(head_ + i) % items_.size()]; }
  T& operator[](std::size_t i) noexcept { return items_[(head_ + i) % items_.size()]; }
  std::size_t capacity() const noexcept { return items_.size(); }
  const T& front() const noexcept { return (*this)[0]; }
  T& back() noexcept { return (*this)[size_ - 1]; }
  // Records ever pushed: a stable sequence number for the i-th one held.
  std::uint64_t seq_of(std::size_t i) const noexcept { return dropped_ + i; }
  std::uint64_t next_seq() const noexcept { return dropped_ + size_; }
  void clear() noexcept {
    dropped_ += size_;
    head_ = size_ = 0;
  }

 private:
  void grow() {
    std::vector<T> bigger(std::min(N, std::max<std::size_t>(16, items_.size() * 2)));
    for (std::size_t i = 0; i < size_; ++i) bigger[i] = (*this)[i];
    items_ = std::move(bigger);
    head_ = 0;
  }

  std::vector<T> items_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
  std::uint64_t dropped_ = 0;
};

struct Mean {
  double sum = 0;
  double sum2 = 0;
  std::size_t n = 0;
  void add(double x) noexcept {
    sum += x;
    sum2 += x * x;
    ++n;
  }
  double mean() const noexcept { return n == 0 ? 0.0 : sum / static_cast<double>(n); }
  double deviation() const noexcept {
    if (n < 2) return 0.0;
    const double m = mean();
    return std::sqrt(std::max(0.0, sum2 / static_cast<double>(n) - m * m));
  }
};

}  // namespace detail

class CombatFeatures {
 public:
  static constexpr std::size_t kMaxClicks = 256;
  static constexpr std::size_t kMaxAttacks = 192;
  static constexpr std::size_t kMaxTurns = 256;
  // What the rings hold at most (a fighter at the caps), and now.
  static constexpr std::size_t max_ring_bytes() noexcept {
    return sizeof(Timestamp) * kMaxClicks + sizeof(AttackRecord) * kMaxAttacks + sizeof(TurnRecord) * kMaxTurns;
  }
  std::size_t ring_bytes() const noexcept {
    return sizeof(Timestamp) * click_times_.capacity() + sizeof(AttackRecord) * attacks_.capacity() +
           sizeof(TurnRecord) * turns_.capacity();
  }

  // --- recording

  // An attack on `target`, judged against the context as it arrives.
  void on_attack(std::int32_t target, const context::PlayerContext& ctx, Timestamp now) {
    start_over_on_respawn(ctx);
    if (clicks_.on_attack()) click(now);
    AttackRecord a;
    a.at = now;
    a.target = target;
    a.turn_seq = turns_.next_seq();
    a.swung = swing_in_tick_;
    combat::AttackScene scene;  // on the stack: nothing kept between attacks
    if (combat::scene_of(target, ctx, reported_.exact(ctx.protocol), 0.0, scene) == combat::Unjudged::none) {
      a.geometry = true;
      a.reach_excess = static_cast<float>(combat::nearest_distance(scene) - scene.range);
      a.aim_offset = static_cast<float>(aim_offset(scene));
    }
    attacks_.push(a);
    ++attacks_in_tick_;
    ++attacks_total_;
  }
  void on_swing(Timestamp now) {
    if (clicks_.on_swing()) click(now);
    swing_in_tick_ = true;
    // 1.9+: the swing follows the attack of its tick.
    for (std::size_t i = attacks_in_tick_; i > 0 && attacks_.size() >= i; --i) {
      attacks_[attacks_.size() - i].swung = true;
    }
  }
  void on_use() noexcept { clicks_.on_use(); }
  void on_action(const protocol::packets::PlayerActionC2s& p) noexcept { clicks_.on_action(p); }
  // Each returns whether the client's tick ended (checks/api/client_ticks.hpp).
  bool on_tick_end() noexcept {
    end_tick();
    return true;
  }
  bool on_move(const context::MoveSample& m, const context::PlayerContext& ctx, Timestamp now) {
    start_over_on_respawn(ctx);
    reported_.on_move(m, ctx.protocol);
    looks_.on_move(m, ctx.teleports.empty(), ctx.transactions.acked_seq(), ctx.may_be_riding());
    if (const auto& t = looks_.turn(); t && attacks_total_ > 0) {
      // Rotations are kept only once the player has fought: an idle or
      // peaceful player holds no ring.
      turns_.push(TurnRecord(now, static_cast<float>(engine::turn_angle(t->from, t->to)),
                             static_cast<float>(std::abs(t->pitch_delta())), t->comparable && !t->may_repeat));
    }
    if (!engine::ClientTicks::ends_tick(ctx, m)) return false;
    end_tick();
    return true;
  }
  void on_server_rotation(const context::PlayerContext& ctx, bool is_teleport) noexcept {
    looks_.server_rotation(ctx.transactions.issued_seq(), is_teleport);
  }

  // --- windows

  std::uint64_t attacks_total() const noexcept { return attacks_total_; }
  // Attacks within the last `window_s` seconds.
  std::size_t attacks_in_window(Timestamp now, double window_s) {
    evict(now, window_s);
    return attacks_.size();
  }

  // The vector over the last `window_s` seconds before `now`.
  CombatFeatureVector compute(Timestamp now, double window_s) {
    evict(now, window_s);
    CombatFeatureVector f{};
    auto set = [&f](std::string_view name, double v) {
      f[combat_feature_index(name)] = std::isfinite(v) ? v : 0.0;
    };
    const double span_s = window_span_s(now, window_s);

    // Clicks.
    std::array<double, autoclicker::kMaxIntervalSamples> intervals{};
    std::size_t n_intervals = 0;
    for (std::size_t i = 1; i < click_times_.size() && n_intervals < intervals.size(); ++i) {
      const double ms = millis_between(click_times_[i - 1], click_times_[i]);
      if (ms < 5 || ms > 250) continue;
      intervals[n_intervals++] = ms;
    }
    const auto st = autoclicker::interval_stats(intervals, n_intervals, 20);
    set("cps", static_cast<double>(click_times_.size()) / span_s);
    set("click_mean_ms", st.mean);
    set("click_std_ms", st.deviation);
    set("click_skewness", st.skewness);
    set("click_kurtosis", st.kurtosis);
    set("click_outlier_share", share(st.outliers, n_intervals));
    set("click_repeat_share", share(st.repeats, n_intervals));

    // Attacks.
    detail::Mean reach, offset, attack_turn, pre_turn;
    double reach_max = -10;
    std::size_t near_edge = 0, no_swing = 0, switches = 0;
    std::array<std::int32_t, 8> targets{};
    std::size_t distinct = 0;
    for (std::size_t i = 0; i < attacks_.size(); ++i) {
      const AttackRecord& a = attacks_[i];
      if (a.geometry) {
        reach.add(a.reach_excess);
        reach_max = std::max(reach_max, static_cast<double>(a.reach_excess));
        if (a.reach_excess > -0.1F) ++near_edge;
        offset.add(a.aim_offset);
      }
      if (!a.swung) ++no_swing;
      if (i > 0 && attacks_[i - 1].target != a.target) ++switches;
      if (distinct < targets.size() &&
          std::find(targets.begin(), targets.begin() + static_cast<std::ptrdiff_t>(distinct), a.target) ==
              targets.begin() + static_cast<std::ptrdiff_t>(distinct)) {
        targets[distinct++] = a.target;
      }
      if (const TurnRecord* after = turn_at(a.turn_seq)) attack_turn.add(after->angle());
      if (a.turn_seq > 0) {
        if (const TurnRecord* before = turn_at(a.turn_seq - 1)) pre_turn.add(before->angle());
      }
    }
    const std::size_t n_attacks = attacks_.size();
    set("reach_excess_mean", reach.n == 0 ? -3.0 : reach.mean());
    set("reach_excess_max", reach.n == 0 ? -3.0 : reach_max);
    set("reach_near_edge_share", share(near_edge, reach.n));
    set("aim_offset_mean", offset.mean());
    set("aim_offset_std", offset.deviation());
    set("attack_turn_mean", attack_turn.mean());
    set("pre_attack_turn_mean", pre_turn.mean());
    set("no_swing_share", share(no_swing, n_attacks));
    set("target_switch_share", share(switches, n_attacks > 1 ? n_attacks - 1 : 0));
    set("targets_distinct", static_cast<double>(distinct));
    set("hit_share", share(n_attacks, click_times_.size()));
    set("attacks_per_second", static_cast<double>(n_attacks) / span_s);

    // Rotations.
    detail::Mean turn, jerk;
    std::array<double, kMaxTurns> steps{};
    std::size_t n_steps = 0;
    for (std::size_t i = 0; i < turns_.size(); ++i) {
      const TurnRecord& t = turns_[i];
      if (!t.comparable()) continue;
      turn.add(t.angle());
      if (i > 0 && turns_[i - 1].comparable()) jerk.add(std::abs(t.angle() - turns_[i - 1].angle()));
      if (t.pitch_step > 1e-4F) steps[n_steps++] = t.pitch_step;
    }
    set("turn_mean", turn.mean());
    set("turn_jerk", jerk.mean() / (turn.mean() + 0.1));
    set("gcd_fit_share", gcd_fit_share(steps, n_steps));
    return f;
  }

  void reset() noexcept {
    clicks_ = {};
    click_times_.clear();
    attacks_.clear();
    turns_.clear();
    looks_.reset();
    reported_.reset();
    swing_in_tick_ = false;
    attacks_in_tick_ = 0;
  }

 private:
  struct AttackRecord {
    Timestamp at{};
    std::uint64_t turn_seq = 0;  // the first rotation packet after the attack
    std::int32_t target = 0;
    float reach_excess = 0;
    float aim_offset = 0;
    bool geometry = false;
    bool swung = false;
  };
  // One rotation in 16 bytes, not 24: a fighter who looks about (a
  // rotation on most ticks) holds kMaxTurns of them, 4 KiB. Whether the turn
  // is comparable is the sign bit of the stored angle, which as an angle
  // between two looks is never negative (0..180 degrees, or NaN).
  struct TurnRecord {
    Timestamp at{};
    float signed_angle = -0.0F;
    float pitch_step = 0;

    TurnRecord() = default;
    TurnRecord(Timestamp at_, float angle_, float pitch_step_, bool comparable_) noexcept
        : at(at_), signed_angle(std::copysign(angle_, comparable_ ? 1.0F : -1.0F)), pitch_step(pitch_step_) {}
    float angle() const noexcept { return std::abs(signed_angle); }
    bool comparable() const noexcept { return !std::signbit(signed_angle); }
  };
  static_assert(sizeof(TurnRecord) <= 16);

  void click(Timestamp now) { click_times_.push(now); }
  void end_tick() noexcept {
    clicks_.end_tick();
    swing_in_tick_ = false;
    attacks_in_tick_ = 0;
  }
  void start_over_on_respawn(const context::PlayerContext& ctx) noexcept {
    if (ctx.respawns == respawns_) return;
    respawns_ = ctx.respawns;
    looks_.reset();
    reported_.reset();
  }
  void evict(Timestamp now, double window_s) noexcept {
    const Micros window = millis(static_cast<std::int64_t>(window_s * 1000));
    while (!click_times_.empty() && now - click_times_.front() > window) click_times_.pop_front();
    while (!attacks_.empty() && now - attacks_.front().at > window) attacks_.pop_front();
    while (!turns_.empty() && now - turns_.front().at > window) turns_.pop_front();
  }
  // Seconds the window covers: from its oldest record (at most window_s ago).
  double window_span_s(Timestamp now, double window_s) const noexcept {
    Timestamp first = now;
    if (!click_times_.empty()) first = std::min(first, click_times_.front());
    if (!attacks_.empty()) first = std::min(first, attacks_.front().at);
    const double span = millis_between(first, now) / 1000.0;
    return std::clamp(span, 1.0, std::max(1.0, window_s));
  }
  const TurnRecord* turn_at(std::uint64_t seq) const noexcept {
    if (turns_.empty() || seq < turns_.seq_of(0) || seq >= turns_.next_seq()) return nullptr;
    const TurnRecord& t = turns_[static_cast<std::size_t>(seq - turns_.seq_of(0))];
    return t.comparable() ? &t : nullptr;
  }
  static double share(std::size_t part, std::size_t whole) noexcept {
    return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
  }
  // Degrees between the reported look and the direction to the centre of
  // the target's first (confirmed) box, from the eye height (of those the
  // player may have had) that makes it smallest.
  static double aim_offset(const combat::AttackScene& s) noexcept {
    const context::Aabb& b = s.boxes[0];
    const protocol::Vec3 look = combat::look_direction(s.yaw, s.pitch);
    double best = 180;
    for (std::size_t e = 0; e < s.eyes.count; ++e) {
      const protocol::Vec3 to{(b.min.x + b.max.x) / 2 - s.feet.x, (b.min.y + b.max.y) / 2 - (s.feet.y + s.eyes.heights[e]),
                              (b.min.z + b.max.z) / 2 - s.feet.z};
      best = std::min(best, engine::angle_between(look, to));
    }
    return best;
  }
  // The share of pitch steps that are whole multiples (within 3 %) of the
  // smallest: a mouse turns by whole counts of one step, code by any angle.
  static double gcd_fit_share(std::array<double, kMaxTurns>& steps, std::size_t n) noexcept {
    if (n < 4) return 1.0;
    const double base = *std::min_element(steps.begin(), steps.begin() + static_cast<std::ptrdiff_t>(n));
    std::size_t fits = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const double k = steps[i] / base;
      if (std::abs(k - std::round(k)) < 0.03 * std::max(1.0, std::round(k) / 8)) ++fits;
    }
    return static_cast<double>(fits) / static_cast<double>(n);
  }

  autoclicker::ClickCounter clicks_;
  // Its own, not the context's: a heavy check reads a player's packets only
  // while he is suspicious (check_chain.hpp), and its features have always
  // been of the looks it saw itself.
  context::LookTracker looks_;
  combat::ReportedPosition reported_;
  detail::LazyRing<Timestamp, kMaxClicks> click_times_;
  detail::LazyRing<AttackRecord, kMaxAttacks> attacks_;
  detail::LazyRing<TurnRecord, kMaxTurns> turns_;
  std::uint64_t attacks_total_ = 0;
  std::uint32_t respawns_ = 0;
  std::size_t attacks_in_tick_ = 0;
  bool swing_in_tick_ = false;
};

}  // namespace rustguard::checks::model
