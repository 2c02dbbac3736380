#pragma once
// The statistics of a window of click intervals: autoclicker.pattern judges
// them, and the model stage (checks/model/combat_features.hpp) feeds them to
// its model.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <span>

namespace rustguard::checks::autoclicker {

// The statistics of one window of intervals (ms).
struct IntervalStats {
  double mean = 0;
  double deviation = 0;  // standard deviation
  double skewness = 0;
  double kurtosis = 0;   // excess kurtosis (0 for a normal distribution)
  std::size_t outliers = 0;
  std::size_t repeats = 0;
};

// Over the first n of xs (n at most kMaxIntervalSamples).
inline constexpr std::size_t kMaxIntervalSamples = 100;
inline IntervalStats interval_stats(std::span<const double> xs, std::size_t n, double outlier_ms) {
  n = std::min({n, xs.size(), kMaxIntervalSamples});
  IntervalStats st;
  if (n == 0) return st;
  double sum = 0;
  for (std::size_t i = 0; i < n; ++i) sum += xs[i];
  st.mean = sum / static_cast<double>(n);
  double m2 = 0, m3 = 0, m4 = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double d = xs[i] - st.mean;
    m2 += d * d;
    m3 += d * d * d;
    m4 += d * d * d * d;
  }
  m2 /= static_cast<double>(n);
  m3 /= static_cast<double>(n);
  m4 /= static_cast<double>(n);
  st.deviation = std::sqrt(m2);
  // A flat window has no spread to normalise by: its shape is "none".
  if (m2 > 1e-9) {
    st.skewness = m3 / (m2 * st.deviation);
    st.kurtosis = m4 / (m2 * m2) - 3;
  }
  std::array<double, kMaxIntervalSamples> sorted{};
  std::copy_n(xs.begin(), n, sorted.begin());
  std::sort(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(n));
  const double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  for (std::size_t i = 0; i < n; ++i) {
    if (std::abs(xs[i] - median) > outlier_ms) ++st.outliers;
    if (i > 0 && std::abs(xs[i] - xs[i - 1]) < 1.0) ++st.repeats;
  }
  return st;
}

}  // namespace rustguard::checks::autoclicker
