#pragma once
// Place / reach (`place.reach`): a block clicked from further than the
// client reaches. A vanilla client only clicks a block whose hit point lies
// within its block interaction range of its eye (block_click.hpp, "The
// range"); "reach" and "far place" cheats click further.
//
// The distance is from the nearest eye the player may have had (the last
// reported position, `slack` off on every axis, any eye height) to the hit
// point the client sent (the cursor; up to 1/16 more on every axis where it
// is sent in sixteenths), or, where the cursor is unknown (1.8 with an item
// carrying NBT), to the nearest point the block's shapes may have. It flags
// (`distance`) when that is over the range of every state the client may
// know plus `tolerance`. A cursor that no shape can have is place.cursor's;
// here it is clamped to where shapes reach, so it moves the point by at
// most the block's own size.
// Not judged: see Unjudged in block_click.hpp.

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

#include "rustguard/checks/api/check_info.hpp"
#include "rustguard/checks/api/check_settings.hpp"
#include "rustguard/checks/api/reporter.hpp"
#include "rustguard/checks/api/verdict.hpp"
#include "rustguard/checks/api/violation_level.hpp"
#include "rustguard/checks/place/block_click.hpp"
#include "rustguard/context/entity_box.hpp"
#include "rustguard/context/player_context.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/packets/play/use_item_on_c2s.hpp"

namespace rustguard::checks::place {

class ReachCheck {
 public:
  static constexpr engine::CheckInfo kInfo{"place.reach", "Place (reach)",
                                           "A block clicked from further than the client reaches",
                                           engine::CostClass::cheap, {.alert_vl = 2, .decay_per_second = 0.05}};
  static constexpr std::array kReads{protocol::PacketKind::use_item_on_c2s};
  struct Params {
    double tolerance = 0.05;  // blocks over the range before a click counts

    // Every field by its config name (checks.<key>.<name>), for the loader.
    template <class F>
    void visit(F&& f) {
      f("tolerance", tolerance);
    }
    bool operator==(const Params&) const = default;
  };
  using Settings = engine::CheckSettings<ReachCheck>;

  engine::Verdict on(const protocol::packets::UseItemOnC2s& p, const context::PlayerContext& ctx, const Settings& s,
                     engine::Reporter& r) {
    EyeSpan eye;
    if (eye_span(p, ctx, eye) != Unjudged::none) return engine::Verdict::pass;
    context::Aabb target = cell(p.position, kShapeOverhang);
    const bool cursor_usable = p.cursor_known && std::isfinite(p.cursor.x) && std::isfinite(p.cursor.y) &&
                               std::isfinite(p.cursor.z);
    if (cursor_usable) {
      // Clamped to where shapes reach: a wilder cursor is place.cursor's flag, not a far click.
      auto shape = [](double c) { return std::clamp(c, -kShapeOverhang, 1 + kShapeOverhang); };
      const protocol::Vec3 hit{p.position.x + shape(p.cursor.x), p.position.y + shape(p.cursor.y),
                               p.position.z + shape(p.cursor.z)};
      const double truncated = cursor_in_sixteenths(ctx.protocol) ? 1.0 / 16.0 : 0.0;
      target = {{hit.x - truncated, hit.y - truncated, hit.z - truncated},
                {hit.x + truncated, hit.y + truncated, hit.z + truncated}};
    }
    target = target.expanded(eye.slack);
    const double distance = nearest_distance(eye, target);
    const double range = block_reach(ctx);
    if (!(distance > range + s.params.tolerance)) return engine::Verdict::pass;  // NaN passes too
    return r.flag(kInfo, s.limits, vl_, "distance", 1,
                  "clicked " + describe(p) + " " + three_decimals(distance) + " blocks from the eye (range " +
                      three_decimals(range) + ")",
                  "{\"distance\":" + std::to_string(distance) + ",\"range\":" + std::to_string(range) + "}");
  }

 private:
  engine::ViolationLevel vl_;
};

}  // namespace rustguard::checks::place
