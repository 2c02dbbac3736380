#pragma once
// KillAura / post (`killaura.post`): attacks sent after the tick's movement
// packet. A vanilla client handles clicks early in its tick and sends its
// movement packet later, from the player's own tick (checks/api/
// client_ticks.hpp), so its attacks come before the movement packet of their
// tick. Killauras that rotate in the movement packet and attack afterwards
// ("post" mode, so the server sees the new look first) send it after.
//
// `tick_end`: with Client Tick End (1.21.2+) the tick is explicit, and an
// attack after a movement packet of the same tick is post. Judged from the
// order of packets only. Answers to server teleports are not the tick's
// movement packet (the client sends them between ticks).
//
// `arrival`: without Client Tick End the tick boundary is not on the wire,
// so the check reads the arrival pattern of the movement packets M1 and M2
// around the attack A. A post attack is sent right after M1 and a whole tick
// before M2 (A - M1 <= `post_ms`, M2 - A >= `min_gap_ms`), with M1 and M2 one
// tick apart (M2 - M1 <= `max_tick_ms`: a player standing still on 1.9+ sends
// no movement packet for up to 20 ticks, and then any attack is long after
// M1 and long before M2). A vanilla attack arrives just before M2. Jitter and
// clients that attack at any moment (bots on their own timers) sometimes
// look post, so the check flags only when at least `min_post` of the last
// `window` attacks judged looked post; these flags depend on arrival times
// and go through Reporter::flag_timing. Ticks that arrive bunched (M2 - M1 <
// `min_gap_ms`: a client, or the path to it, catching up late ticks) tell a
// post attack from a vanilla one no more: they are not judged, rather than
// judged "not post" (a post aura on a loaded host took over 5 s to reach the
// alert that way).

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
#include "rustguard/checks/api/reporter.hpp"
#include "rustguard/checks/api/verdict.hpp"
#include "rustguard/checks/api/violation_level.hpp"
#include "rustguard/context/player_context.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/packets/play/client_tick_end_c2s.hpp"
#include "rustguard/time.hpp"

namespace rustguard::checks::killaura {

class PostCheck {
 public:
  static constexpr engine::CheckInfo kInfo{
      "killaura.post", "KillAura (post)", "Attacks sent after the tick's movement packet",
      engine::CostClass::cheap, {.alert_vl = 2.5, .decay_per_second = 0.1}};
  static constexpr std::array kReads{
      protocol::PacketKind::interact_c2s,     protocol::PacketKind::attack_c2s,
      protocol::PacketKind::client_tick_end_c2s, protocol::PacketKind::set_position_c2s,
      protocol::PacketKind::set_position_rotation_c2s, protocol::PacketKind::set_rotation_c2s,
      protocol::PacketKind::set_movement_flags_c2s};
  static constexpr std::size_t kMaxWindow = 32;
  struct Params {
    double post_ms = 10;         // arrival: an attack this soon after a movement packet is post...
    double min_gap_ms = 30;      // ...when the next one comes at least this much later...
    double max_tick_ms = 80;     // ...and the two movement packets are at most this far apart
    std::uint32_t window = 10;   // attacks judged by arrival (at most 32)
    std::uint32_t min_post = 8;  // of which this many post flag

    // Every field by its config name (checks.<key>.<name>), for the loader.
    template <class F>
    void visit(F&& f) {
      f("post_ms", post_ms);
      f("min_gap_ms", min_gap_ms);
      f("max_tick_ms", max_tick_ms);
      f("window", window);
      f("min_post", min_post);
    }
    bool operator==(const Params&) const = default;
  };
  using Settings = engine::CheckSettings<PostCheck>;

  engine::Verdict on(const engine::AttackEvent&, const context::PlayerContext& ctx, const Settings& s,
                     engine::Reporter& r) {
    return attack(ctx, s, r);
  }
  engine::Verdict on(const protocol::packets::ClientTickEndC2s&, const context::PlayerContext&, const Settings&,
                     engine::Reporter&) {
    moved_this_tick_ = false;
    attack_at_.reset();
    return engine::Verdict::pass;
  }
  engine::Verdict on(const context::MoveSample& m, const context::PlayerContext& ctx, const Settings& s,
                     engine::Reporter& r) {
    if (m.teleport_response) return engine::Verdict::pass;
    if (engine::ClientTicks::explicit_ticks(ctx)) {
      moved_this_tick_ = true;
      return engine::Verdict::pass;
    }
    const Timestamp now = r.now();
    const std::optional<Timestamp> m1 = last_move_, a = attack_at_;
    last_move_ = now;
    attack_at_.reset();
    if (!m1 || !a || ctx.may_be_riding()) return engine::Verdict::pass;
    const double after_m1 = millis_between(*m1, *a), before_m2 = millis_between(*a, now),
                 span = millis_between(*m1, now);
    if (span < s.params.min_gap_ms) return engine::Verdict::pass;  // bunched ticks: no arrival pattern
    const bool post = after_m1 <= s.params.post_ms && before_m2 >= s.params.min_gap_ms && span <= s.params.max_tick_ms;
    return judge(post, after_m1, before_m2, s, r);
  }

 private:
  engine::Verdict attack(const context::PlayerContext& ctx, const Settings& s, engine::Reporter& r) {
    if (engine::ClientTicks::explicit_ticks(ctx)) {
      if (!moved_this_tick_ || ctx.may_be_riding()) return engine::Verdict::pass;
      return r.flag(kInfo, s.limits, vl_, "tick_end", 1, "attack after the movement packet of its tick",
                    "{\"tick_end\":true}");
    }
    // The first attack after a movement packet is the one a post aura sends
    // right after it.
    if (!attack_at_) attack_at_ = r.now();
    return engine::Verdict::pass;
  }

  engine::Verdict judge(bool post, double after_m1, double before_m2, const Settings& s, engine::Reporter& r) {
    const std::size_t window = std::clamp<std::size_t>(s.params.window, 1, kMaxWindow);
    recent_[next_] = post;
    next_ = (next_ + 1) % kMaxWindow;
    if (judged_ < kMaxWindow) ++judged_;
    if (judged_ < window) return engine::Verdict::pass;
    std::size_t posts = 0;
    for (std::size_t i = 1; i <= window; ++i) posts += recent_[(next_ + kMaxWindow - i) % kMaxWindow] ? 1U : 0U;
    if (!post || posts < s.params.min_post) return engine::Verdict::pass;
    judged_ = 0;  // a fresh window before the next flag
    return r.flag_timing(kInfo, s.limits, vl_, "arrival", 1,
                         std::to_string(posts) + " of the last " + std::to_string(window) +
                             " attacks right after a movement packet (last: " +
                             std::to_string(static_cast<long long>(after_m1)) + " ms after it, " +
                             std::to_string(static_cast<long long>(before_m2)) + " ms before the next)",
                         "{\"posts\":" + std::to_string(posts) + ",\"window\":" + std::to_string(window) +
                             ",\"after_ms\":" + std::to_string(after_m1) + ",\"before_next_ms\":" +
                             std::to_string(before_m2) + "}");
  }

  engine::ViolationLevel vl_;
  bool moved_this_tick_ = false;
  std::optional<Timestamp> last_move_;
  std::optional<Timestamp> attack_at_;
  std::array<bool, kMaxWindow> recent_{};
  std::size_t next_ = 0;
  std::size_t judged_ = 0;
};

}  // namespace rustguard::checks::killaura
