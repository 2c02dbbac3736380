#pragma once
// What the movement checks hold short of a flag: the evidence they are
// building up before their next violation. The model stage reads it as
// features when it judges a window (checks/model/combat.hpp): a fighter whose
// Speed buffer never drains or whose client clock runs ahead is more likely
// to be cheating at combat too, even when no movement check has flagged yet.
//
// A check that builds such evidence declares
//   void add_evidence(MovementEvidence&, Timestamp now) const noexcept;
// and the engine's check chain collects it only when asked (a model window,
// at most once every few attacks), so it costs nothing per packet.

#include "rustguard/time.hpp"

namespace rustguard::engine {

struct MovementEvidence {
  double speed_buffer = 0;      // movement.speed: excess distance banked, blocks
  double fly_offending = 0;     // movement.fly: consecutive moves above the vertical bound
  double nofall_off_grid = 0;   // movement.nofall: consecutive ground claims off the block grid
  double timer_ahead_ms = 0;    // timer.balance: how far the client's clock runs ahead (0 when behind)
  friend constexpr bool operator==(const MovementEvidence&, const MovementEvidence&) = default;
};

// Where a reporter reads the evidence from: a plain function and its
// object, so the reporter stays free of the engine's types.
struct MovementEvidenceSource {
  MovementEvidence (*read)(const void* self, Timestamp now) noexcept = nullptr;
  const void* self = nullptr;
  MovementEvidence operator()(Timestamp now) const noexcept { return read != nullptr ? read(self, now) : MovementEvidence{}; }
};

}  // namespace rustguard::engine
