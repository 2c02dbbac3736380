#pragma once
// Place / face (`place.face`): a click on a face of a block that faces away
// from every eye the player may have had. A vanilla client's ray enters a
// shape through a side it can see: to click a block's up face the eye is
// above that face, to click its west face the eye is west of it. Scaffolds
// that pick the face from the block they want placed, not from where the
// player stands, click faces on the far side.
//
// No world model, so the face's plane is taken where it is least strict:
// an up, south or east face anywhere above the block's lower bound on its
// axis, a down, north or west face anywhere below its upper bound
// (block_click.hpp, "Shapes"). It flags (`side`) only when every eye
// (block_click.hpp: the last reported position, `slack` off, at every eye
// height) lies beyond that bound by more than `tolerance`.
// Not judged: see Unjudged in block_click.hpp, and 1.14+ clicks the client
// marks as made from inside the block (the ray started in its shape).

#include <array>
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

class FaceCheck {
 public:
  static constexpr engine::CheckInfo kInfo{"place.face", "Place (face)",
                                           "A click on a block face that faces away from the player's eye",
                                           engine::CostClass::cheap, {.alert_vl = 2, .decay_per_second = 0.05}};
  static constexpr std::array kReads{protocol::PacketKind::use_item_on_c2s};
  struct Params {
    double tolerance = 0.05;  // blocks beyond the face's bound before a click counts

    // Every field by its config name (checks.<key>.<name>), for the loader.
    template <class F>
    void visit(F&& f) {
      f("tolerance", tolerance);
    }
    bool operator==(const Params&) const = default;
  };
  using Settings = engine::CheckSettings<FaceCheck>;

  engine::Verdict on(const protocol::packets::UseItemOnC2s& p, const context::PlayerContext& ctx, const Settings& s,
                     engine::Reporter& r) {
    EyeSpan eye;
    if (p.inside_block || eye_span(p, ctx, eye) != Unjudged::none) return engine::Verdict::pass;
    const int axis = face_axis(p.face);
    const double margin = eye.slack + s.params.tolerance;
    const double lower = axis == 0 ? p.position.x : axis == 1 ? p.position.y : p.position.z;
    // The eye's extent on the face's axis.
    const double eye_low = axis == 1 ? eye.low : component(eye.feet, axis);
    const double eye_high = axis == 1 ? eye.high : component(eye.feet, axis);
    double beyond = 0;  // how far every eye lies past the face's bound
    if (face_positive(p.face)) {
      beyond = lower - eye_high;
    } else {
      beyond = eye_low - (lower + 1);
    }
    if (!(beyond > margin)) return engine::Verdict::pass;  // NaN (no position to speak of) passes too
    return r.flag(kInfo, s.limits, vl_, "side", 1,
                  "clicked " + describe(p) + " from " + three_decimals(beyond) +
                      " blocks beyond its side (eye x " + three_decimals(eye.feet.x) + ", y " +
                      three_decimals(eye.low) + "-" + three_decimals(eye.high) + ", z " +
                      three_decimals(eye.feet.z) + ")",
                  "{\"beyond\":" + std::to_string(beyond) + ",\"face\":\"" + face_name(p.face) + "\"}");
  }

 private:
  engine::ViolationLevel vl_;
};

}  // namespace rustguard::checks::place
