#pragma once
// Place / look (`place.look`): a block click that no look of its tick points
// at. A vanilla client clicks the block its crosshair ray enters
// (block_click.hpp); scaffolds that place under the player while it looks
// ahead, and "fast place" clients that click blocks around them, click
// blocks the look is nowhere near.
//
// Which look: the client picks the block with the look of the tick it
// clicks in and sends that look in the movement packet that ends the tick,
// after the click (checks/api/client_ticks.hpp); a 1.9+ client sends no
// rotation when the look did not change, so the last look sent before the
// click counts too. The click is judged at the tick's end with both: it
// flags (`miss`) only when, for both looks, no ray from any eye the player
// may have had (the position before the click and the one that ends its
// tick, every pose and scale) enters the clicked block's cell grown by the
// shapes' overhang (a quarter block), the unreported movement and
// `tolerance`. At any length: the distance is place.reach's. Order only, no
// timing.
//
// Not judged: see Unjudged in block_click.hpp, a look a server teleport or
// rotation may have changed (the context's LookTracker, context/looks.hpp),
// a player with no look yet (after a login or respawn too). The server's
// Look At packet is not decoded.

#include <array>
#include <cstddef>
#include <optional>
#include <string>

#include "rustguard/checks/api/check_info.hpp"
#include "rustguard/checks/api/check_settings.hpp"
#include "rustguard/checks/api/client_ticks.hpp"
#include "rustguard/checks/api/looks.hpp"
#include "rustguard/checks/api/possible_eyes.hpp"
#include "rustguard/checks/api/reporter.hpp"
#include "rustguard/checks/api/verdict.hpp"
#include "rustguard/checks/api/violation_level.hpp"
#include "rustguard/checks/place/block_click.hpp"
#include "rustguard/context/entity_box.hpp"
#include "rustguard/context/player_context.hpp"
#include "rustguard/context/ray_box.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/packets/play/client_tick_end_c2s.hpp"
#include "rustguard/protocol/packets/play/login_play_s2c.hpp"
#include "rustguard/protocol/packets/play/respawn_s2c.hpp"
#include "rustguard/protocol/packets/play/use_item_on_c2s.hpp"

namespace rustguard::checks::place {

class LookCheck {
 public:
  static constexpr engine::CheckInfo kInfo{"place.look", "Place (look)",
                                           "A block click that no look of its tick points at",
                                           engine::CostClass::cheap, {.alert_vl = 3, .decay_per_second = 0.05}};
  static constexpr std::array kReads{
      protocol::PacketKind::use_item_on_c2s,       protocol::PacketKind::client_tick_end_c2s,
      protocol::PacketKind::set_position_c2s,      protocol::PacketKind::set_position_rotation_c2s,
      protocol::PacketKind::set_rotation_c2s,      protocol::PacketKind::set_movement_flags_c2s};
  static constexpr std::array kReadsClientbound{protocol::PacketKind::login_play_s2c,
                                                protocol::PacketKind::respawn_s2c};
  struct Params {
    double tolerance = 0.1;  // blocks the cell grows by beyond the shapes' overhang and the unreported movement

    // Every field by its config name (checks.<key>.<name>), for the loader.
    template <class F>
    void visit(F&& f) {
      f("tolerance", tolerance);
    }
    bool operator==(const Params&) const = default;
  };
  using Settings = engine::CheckSettings<LookCheck>;

  engine::Verdict on(const protocol::packets::UseItemOnC2s& p, const context::PlayerContext& ctx, const Settings& s,
                     engine::Reporter&) {
    EyeSpan eye;
    const auto look = ctx.looks.current();
    if (!look || ctx.looks.server_rotation_pending() || eye_span(p, ctx, eye) != Unjudged::none) {
      return engine::Verdict::pass;
    }
    if (count_ >= kPending) return engine::Verdict::pass;
    if (sees(*look, eye.feet, grown_cell(p.position, ctx, s), ctx)) return engine::Verdict::pass;
    pending_[count_++] = {p.position, p.face, eye.feet};
    return engine::Verdict::pass;
  }
  engine::Verdict on(const protocol::packets::ClientTickEndC2s&, const context::PlayerContext& ctx, const Settings& s,
                     engine::Reporter& r) {
    return end_tick(ctx, std::nullopt, s, r);
  }
  engine::Verdict on(const context::MoveSample& m, const context::PlayerContext& ctx, const Settings& s,
                     engine::Reporter& r) {
    if (!engine::ClientTicks::ends_tick(ctx, m)) return engine::Verdict::pass;
    return end_tick(ctx, m.input.has_position ? std::optional<protocol::Vec3>(m.input.position) : std::nullopt, s, r);
  }
  // A new player (login, respawn): the old one's clicks are not judged with its looks.
  engine::Verdict on(const protocol::packets::LoginPlayS2c&, const context::PlayerContext&, const Settings&,
                     engine::Reporter&) {
    count_ = 0;
    return engine::Verdict::pass;
  }
  engine::Verdict on(const protocol::packets::RespawnS2c&, const context::PlayerContext&, const Settings&,
                     engine::Reporter&) {
    count_ = 0;
    return engine::Verdict::pass;
  }

 private:
  // Clicks of one tick the look before them missed. A vanilla click sends
  // at most two (the main hand, then the off hand when the main hand did
  // nothing); more only repeat the judgement. Two, not more: each costs
  // every connection 40 bytes, and the idle lobby of 9,900 players has to
  // stay under 150 MB (docs/benchmarks.md).
  static constexpr std::size_t kPending = 2;
  // Kept small (the cell is grown again at the tick's end).
  struct Pending {
    protocol::BlockPos block;
    BlockFace face = BlockFace::up;
    protocol::Vec3 from;  // the player's position at the click
  };

  // The block's cell grown by the shapes' overhang, the unreported movement and the tolerance.
  static context::Aabb grown_cell(const protocol::BlockPos& block, const context::PlayerContext& ctx,
                                  const Settings& s) noexcept {
    return cell(block, kShapeOverhang + engine::unreported_movement(ctx.protocol) + s.params.tolerance);
  }

  // Whether a ray along `look` from any eye at `feet` enters `target`.
  static bool sees(const engine::Look& look, const protocol::Vec3& feet, const context::Aabb& target,
                   const context::PlayerContext& ctx) {
    const protocol::Vec3 dir = engine::look_vector(look);
    const engine::PossibleEyes eyes = engine::possible_eyes(ctx);
    for (std::size_t e = 0; e < eyes.count; ++e) {
      const context::Ray ray{{feet.x, feet.y + eyes.heights[e], feet.z}, dir};
      if (context::ray_entry(ray, target)) return true;
    }
    return false;
  }

  engine::Verdict end_tick(const context::PlayerContext& ctx, const std::optional<protocol::Vec3>& moved_to,
                           const Settings& s, engine::Reporter& r) {
    const std::size_t n = count_;
    count_ = 0;
    const auto look = ctx.looks.current();
    if (n == 0 || !look || ctx.looks.server_rotation_pending() || ctx.may_be_riding()) return engine::Verdict::pass;
    engine::Verdict verdict = engine::Verdict::pass;
    for (std::size_t i = 0; i < n; ++i) {
      const Pending& p = pending_[i];
      const context::Aabb target = grown_cell(p.block, ctx, s);
      // The tick's own look, from where the player was and where it went.
      if (sees(*look, p.from, target, ctx) || (moved_to && sees(*look, *moved_to, target, ctx))) continue;
      verdict = engine::worst(
          verdict, r.flag(kInfo, s.limits, vl_, "miss", 1,
                          "clicked " + describe(p.block, p.face) + " with no look of the tick on it (yaw " +
                              three_decimals(look->yaw) + ", pitch " + three_decimals(look->pitch) + ")",
                          "{\"yaw\":" + json_number(look->yaw) + ",\"pitch\":" + json_number(look->pitch) +
                              ",\"face\":\"" + face_name(p.face) + "\"}"));
    }
    return verdict;
  }

  engine::ViolationLevel vl_;
  std::array<Pending, kPending> pending_{};
  std::size_t count_ = 0;
};

}  // namespace rustguard::checks::place
