#pragma once
// Place / cursor (`place.cursor`): a block click whose hit point no block
// shape can have (block_click.hpp, "Shapes"). Packet clients that build Use
// Item On themselves (scaffolds, "fast place") fill the cursor with
// whatever is handy: the block's centre on any face, zeros, or absolute
// coordinates.
//
// Two rules, each holding for every block of the game:
//   range  a cursor component outside [-0.25, 1.25] (or not a number);
//   face   the hit point on the wrong side for its face: an up, south or
//          east face at 0 or below on its axis, a down, north or west face
//          at 1 or above. Up to 1.10 the client truncates the cursor to
//          sixteenths, so a face at less than 1/16 (a pressed pressure
//          plate's top) is sent as 0: only the down, north and west faces
//          are judged there.
// Not judged: 1.8's "use in the air" form, and 1.8 clicks whose held item
// carried NBT (the cursor follows the NBT, which is not parsed).

#include <array>
#include <cmath>
#include <string>

#include "rustguard/checks/api/check_info.hpp"
#include "rustguard/checks/api/check_settings.hpp"
#include "rustguard/checks/api/reporter.hpp"
#include "rustguard/checks/api/verdict.hpp"
#include "rustguard/checks/api/violation_level.hpp"
#include "rustguard/checks/place/block_click.hpp"
#include "rustguard/context/player_context.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/packets/play/use_item_on_c2s.hpp"

namespace rustguard::checks::place {

class CursorCheck {
 public:
  static constexpr engine::CheckInfo kInfo{"place.cursor", "Place (cursor)",
                                           "A block click whose hit point no block shape can have",
                                           engine::CostClass::cheap, {.alert_vl = 1, .decay_per_second = 0.05}};
  static constexpr std::array kReads{protocol::PacketKind::use_item_on_c2s};
  struct Params {
    double tolerance = 1e-4;  // blocks, on every bound (float rounding)

    // Every field by its config name (checks.<key>.<name>), for the loader.
    template <class F>
    void visit(F&& f) {
      f("tolerance", tolerance);
    }
    bool operator==(const Params&) const = default;
  };
  using Settings = engine::CheckSettings<CursorCheck>;

  engine::Verdict on(const protocol::packets::UseItemOnC2s& p, const context::PlayerContext& ctx, const Settings& s,
                     engine::Reporter& r) {
    if (!p.targets_block || !p.cursor_known) return engine::Verdict::pass;
    const double tol = s.params.tolerance;
    const double low = -kShapeOverhang - tol;
    const double high = 1 + kShapeOverhang + tol;
    for (int axis = 0; axis < 3; ++axis) {
      const double c = component(p.cursor, axis);
      if (!(c >= low && c <= high)) return flag(p, "range", "outside [-0.25, 1.25]", s, r);
    }
    const double c = component(p.cursor, face_axis(p.face));
    if (face_positive(p.face)) {
      if (!cursor_in_sixteenths(ctx.protocol) && c <= tol) return flag(p, "face", "at or below 0 on its axis", s, r);
    } else if (c >= 1 - tol) {
      return flag(p, "face", "at or above 1 on its axis", s, r);
    }
    return engine::Verdict::pass;
  }

 private:
  engine::Verdict flag(const protocol::packets::UseItemOnC2s& p, const char* type, const char* why, const Settings& s,
                       engine::Reporter& r) {
    const std::string cursor = "(" + std::to_string(p.cursor.x) + ", " + std::to_string(p.cursor.y) + ", " +
                               std::to_string(p.cursor.z) + ")";
    return r.flag(kInfo, s.limits, vl_, type, 1, "clicked " + describe(p) + " at " + cursor + ": " + why,
                  "{\"x\":" + json_number(p.cursor.x) + ",\"y\":" + json_number(p.cursor.y) +
                      ",\"z\":" + json_number(p.cursor.z) + ",\"face\":\"" + face_name(p.face) + "\"}");
  }

  engine::ViolationLevel vl_;
};

}  // namespace rustguard::checks::place
