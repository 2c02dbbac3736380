#pragma once
// How suspicious a player currently looks, summed over all checks: every flag
// adds its amount, and the score halves every `half_life`. Heavy checks run
// only while the score is at or above the engine's gate.

#include <cmath>

#include "rustguard/time.hpp"

namespace rustguard::engine {

class SuspicionScore {
 public:
  double value(Timestamp now, double half_life_seconds) const noexcept {
    if (score_ <= 0 || half_life_seconds <= 0) return score_;
    const double elapsed = millis_between(updated_, now) / 1000.0;
    if (elapsed <= 0) return score_;
    return score_ * std::exp2(-elapsed / half_life_seconds);
  }

  void add(double amount, Timestamp now, double half_life_seconds) noexcept {
    score_ = value(now, half_life_seconds) + amount;
    if (now > updated_) updated_ = now;
  }

 private:
  double score_ = 0;
  Timestamp updated_{};
};

}  // namespace rustguard::engine
