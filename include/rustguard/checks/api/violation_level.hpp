#pragma once
// A check's violation level for one player: it rises by the amount of each flag
// and falls linearly with time (decay per second), never below zero. Decay is
// applied lazily from timestamps, so an idle player costs nothing.

#include <algorithm>

#include "rustguard/time.hpp"

namespace rustguard::engine {

class ViolationLevel {
 public:
  double value(Timestamp now, double decay_per_second) const noexcept {
    const double elapsed = std::max(0.0, millis_between(updated_, now)) / 1000.0;
    return std::max(0.0, vl_ - elapsed * decay_per_second);
  }

  // Returns the level after adding `amount`.
  double add(double amount, Timestamp now, double decay_per_second) noexcept {
    vl_ = value(now, decay_per_second) + amount;
    updated_ = std::max(updated_, now);
    return vl_;
  }

  void reset() noexcept { vl_ = 0; }

 private:
  double vl_ = 0;
  Timestamp updated_{};
};

}  // namespace rustguard::engine
