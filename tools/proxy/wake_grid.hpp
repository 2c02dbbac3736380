#pragma once
// The io threads' wake-up grid: timers that need no finer timing (the
// connections' watchdogs, the loop-lag probe) are due on multiples of
// kWakeGrid since the steady clock's epoch, so those due within the same
// 20 ms of a thread fire in one wake-up (docs/benchmarks.md, "Watchdogs on
// a grid").

#include <chrono>

namespace rustguard::proxy {

inline constexpr std::chrono::milliseconds kWakeGrid{20};

// The first multiple of `grid` (since the clock's epoch) at or after `t`;
// `t` itself when rounding up would overflow.
template <typename TimePoint, typename Rep, typename Period>
TimePoint at_or_after_on_grid(TimePoint t, std::chrono::duration<Rep, Period> step) noexcept {
  const auto grid = std::chrono::duration_cast<typename TimePoint::duration>(step);
  if (t > TimePoint::max() - grid) return t;
  const auto into_slot = t.time_since_epoch() % grid;
  return into_slot == TimePoint::duration::zero() ? t : t + (grid - into_slot);
}

}  // namespace rustguard::proxy
