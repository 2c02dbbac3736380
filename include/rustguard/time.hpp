#pragma once
// Time as the core sees it: a number handed in by the caller, never read from a
// clock. The live proxy feeds epoch microseconds from a steady clock (start
// wall time + steady elapsed); replay feeds capture timestamps. Only
// differences matter to the checks, except Violation::time_ms, which is the
// epoch value in milliseconds.

#include <chrono>
#include <compare>
#include <cstdint>

namespace rustguard {

using Micros = std::chrono::microseconds;

struct Timestamp {
  std::int64_t micros = 0;

  static constexpr Timestamp from_millis(std::int64_t ms) noexcept { return Timestamp{ms * 1000}; }
  constexpr std::int64_t to_millis() const noexcept { return micros / 1000; }

  friend constexpr auto operator<=>(Timestamp, Timestamp) noexcept = default;
  friend constexpr bool operator==(Timestamp, Timestamp) noexcept = default;

  friend constexpr Micros operator-(Timestamp a, Timestamp b) noexcept { return Micros{a.micros - b.micros}; }
  friend constexpr Timestamp operator+(Timestamp t, Micros d) noexcept { return Timestamp{t.micros + d.count()}; }
  friend constexpr Timestamp operator-(Timestamp t, Micros d) noexcept { return Timestamp{t.micros - d.count()}; }
  constexpr Timestamp& operator+=(Micros d) noexcept {
    micros += d.count();
    return *this;
  }
};

// Milliseconds between two timestamps as a double, for arithmetic in checks.
constexpr double millis_between(Timestamp earlier, Timestamp later) noexcept {
  return static_cast<double>(later.micros - earlier.micros) / 1000.0;
}

constexpr Micros millis(std::int64_t ms) noexcept { return Micros{ms * 1000}; }

}  // namespace rustguard
