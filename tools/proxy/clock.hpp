#pragma once
// The proxy's one clock: steady_clock anchored once to system_clock, so
// timestamps handed to the core are microseconds since the Unix epoch (good
// for violation records) yet never jump when the wall clock is adjusted.

#include <chrono>
#include <cstdint>

namespace rustguard::proxy {

class Clock {
 public:
  Clock()
      : steady_anchor_(std::chrono::steady_clock::now()),
        epoch_anchor_us_(std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count()) {}

  std::int64_t now_us() const noexcept { return to_us(std::chrono::steady_clock::now()); }
  std::int64_t to_us(std::chrono::steady_clock::time_point t) const noexcept {
    return epoch_anchor_us_ + std::chrono::duration_cast<std::chrono::microseconds>(t - steady_anchor_).count();
  }
  // The steady instant of a core timestamp (a deadline the core asked for).
  std::chrono::steady_clock::time_point to_steady(std::int64_t us) const noexcept {
    return steady_anchor_ + std::chrono::microseconds(us - epoch_anchor_us_);
  }

 private:
  std::chrono::steady_clock::time_point steady_anchor_;
  std::int64_t epoch_anchor_us_;
};

}  // namespace rustguard::proxy
