#pragma once
// How many packets the checks cancelled in the last second. A cancelled
// packet never reaches the server, so the server's own packet limiter never
// sees a flood of them, and a client that keeps sending packets the checks
// drop (a pitch of 150 on every look) is doing nothing a player does: past
// the limit it is kicked.
//
// Counted in fixed one-second windows, each starting at the first cancel
// after the previous one ended: O(1) and no allocation. A burst split across
// two windows may reach twice the limit within one second unkicked; a
// sustained rate over the limit is kicked within its first full window.

#include <cstdint>

#include "rustguard/time.hpp"

namespace rustguard::engine {

class CancelRateLimit {
 public:
  static constexpr std::int64_t kWindowUs = 1'000'000;

  // One cancelled packet at `now`; false once the window holds more than
  // `per_second` (0: no limit).
  bool add(Timestamp now, std::uint32_t per_second) noexcept {
    if (!started_ || now.micros - window_start_.micros >= kWindowUs) {
      started_ = true;
      window_start_ = now;
      in_window_ = 0;
    }
    ++in_window_;
    return per_second == 0 || in_window_ <= per_second;
  }

  // Cancels in the current window.
  std::uint32_t in_window() const noexcept { return in_window_; }

 private:
  Timestamp window_start_{};
  std::uint32_t in_window_ = 0;
  bool started_ = false;
};

}  // namespace rustguard::engine
