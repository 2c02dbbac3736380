#pragma once
// How fast a client may send frames: a token bucket refilled at `per_second`
// tokens a second, holding up to per_second x `window_s` (so a client
// catching up after a lag spike may burst), one token per frame. Every
// serverbound frame counts, empty ones and ones nobody inspects too: the
// point is the cost of reading them, and packets the checks drop never reach
// the server's own limiter.
//
// Integer arithmetic in millionths of a token (a token per second refills
// one millionth per microsecond), so the same frame times always give the
// same answer, live or replayed.

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "rustguard/time.hpp"

namespace rustguard::engine {

class PacketRateLimiter {
 public:
  static constexpr std::int64_t kUnitsPerToken = 1'000'000;
  // Keeps capacity x kUnitsPerToken far inside int64 whatever the config says.
  static constexpr double kMaxTokens = 1e12;

  // One frame at `now`; false when the bucket is empty (the frame is over
  // the limit). per_second 0: no limit.
  bool take(Timestamp now, std::uint32_t per_second, double window_s) noexcept {
    count_frame(now);
    if (per_second == 0) return true;
    const std::int64_t capacity = capacity_units(per_second, window_s);
    if (!started_) {
      started_ = true;
      units_ = capacity;
      refilled_at_ = now;
    } else if (now > refilled_at_) {
      const std::int64_t elapsed_us = now.micros - refilled_at_.micros;
      // Compared before multiplying: a long silence refills the bucket, never overflows it.
      const std::int64_t to_full_us = (capacity - std::min(units_, capacity)) / per_second + 1;
      units_ = elapsed_us >= to_full_us ? capacity : std::min(capacity, units_ + elapsed_us * per_second);
      refilled_at_ = now;
    }
    if (units_ < kUnitsPerToken) return false;
    units_ -= kUnitsPerToken;
    return true;
  }

  // Frames per second as the client sends them: the fuller of the current
  // and the previous one-second window (for the kick reason).
  std::uint32_t recent_rate() const noexcept { return std::max(in_window_, in_previous_window_); }

 private:
  static std::int64_t capacity_units(std::uint32_t per_second, double window_s) noexcept {
    const double tokens = std::clamp(std::floor(static_cast<double>(per_second) * window_s), 1.0, kMaxTokens);
    return static_cast<std::int64_t>(tokens) * kUnitsPerToken;
  }

  void count_frame(Timestamp now) noexcept {
    if (!counting_) {
      counting_ = true;
      window_start_ = now;
    } else if (now.micros - window_start_.micros >= 1'000'000) {
      const bool adjacent = now.micros - window_start_.micros < 2'000'000;
      in_previous_window_ = adjacent ? in_window_ : 0;
      in_window_ = 0;
      window_start_ = now;
    }
    ++in_window_;
  }

  std::int64_t units_ = 0;
  Timestamp refilled_at_{};
  bool started_ = false;
  Timestamp window_start_{};
  std::uint32_t in_window_ = 0;
  std::uint32_t in_previous_window_ = 0;
  bool counting_ = false;
};

}  // namespace rustguard::engine
