#pragma once
// One-way latency, measured inside one process: the sending side of a player
// (the simulated client, or the backend's connection to it) pushes the
// steady-clock time of each measured packet into a FIFO, and the receiving
// side pops it when the packet arrives. TCP keeps order and an honest player's
// packets are never dropped by a proxy, so the n-th arrival is the n-th send;
// an arrival with nothing queued is a mismatch (something was dropped,
// duplicated or invented on the way), which is counted, never guessed around.
//
// Latencies go into a log-linear histogram (HDR-style: 64 sub-buckets per
// power of two, so any value is reported within 1/64 of itself), one per
// thread and direction, merged at the end: constant memory whatever the load.

#include <algorithm>
#include <array>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>

namespace rustguard::loadgen {

using Clock = std::chrono::steady_clock;

class LatencyHistogram {
 public:
  static constexpr int kSubBucketBits = 7;  // values below 128 us are exact
  static constexpr std::uint64_t kSubBuckets = 1ULL << kSubBucketBits;
  static constexpr int kMaxExponent = 40;  // up to ~2^47 us: far beyond any run
  static constexpr std::size_t kBuckets = kSubBuckets + (kMaxExponent * (kSubBuckets / 2));

  void add(std::uint64_t micros) noexcept {
    ++counts_[index_of(micros)];
    ++total_;
    max_ = std::max(max_, micros);
    sum_ += micros;
  }

  void merge(const LatencyHistogram& other) noexcept {
    for (std::size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
    total_ += other.total_;
    max_ = std::max(max_, other.max_);
    sum_ += other.sum_;
  }

  std::uint64_t count() const noexcept { return total_; }
  std::uint64_t max() const noexcept { return max_; }
  double mean() const noexcept { return total_ == 0 ? 0 : static_cast<double>(sum_) / static_cast<double>(total_); }

  // Every bucket that holds a value, lowest first, as (upper edge, count):
  // what a script needs to pool several runs' histograms (load_bench.mjs
  // --segments) and read the pooled quantiles as quantile() reads these.
  template <typename Visit>
  void for_each_bucket(Visit&& visit) const {
    for (std::size_t i = 0; i < kBuckets; ++i) {
      if (counts_[i] != 0) visit(upper_edge(i), counts_[i]);
    }
  }

  // The value at quantile q (0..1): the upper edge of the bucket holding it,
  // capped at the exact maximum.
  std::uint64_t quantile(double q) const noexcept {
    if (total_ == 0) return 0;
    const auto rank = static_cast<std::uint64_t>(std::max(1.0, std::ceil(q * static_cast<double>(total_))));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < kBuckets; ++i) {
      seen += counts_[i];
      if (seen >= rank) return std::min(upper_edge(i), max_);
    }
    return max_;
  }

 private:
  static std::size_t index_of(std::uint64_t v) noexcept {
    if (v < kSubBuckets) return static_cast<std::size_t>(v);
    int exponent = std::bit_width(v) - kSubBucketBits;  // >= 1
    if (exponent > kMaxExponent) {
      exponent = kMaxExponent;
      v = (kSubBuckets << exponent) - 1;
    }
    return static_cast<std::size_t>(static_cast<std::uint64_t>(exponent) * (kSubBuckets / 2) + (v >> exponent));
  }
  static std::uint64_t upper_edge(std::size_t index) noexcept {
    if (index < kSubBuckets) return index;
    const std::uint64_t exponent = (index - kSubBuckets) / (kSubBuckets / 2) + 1;
    const std::uint64_t mantissa = index - exponent * (kSubBuckets / 2);
    return ((mantissa + 1) << exponent) - 1;
  }

  std::array<std::uint64_t, kBuckets> counts_{};
  std::uint64_t total_ = 0;
  std::uint64_t max_ = 0;
  std::uint64_t sum_ = 0;
};

// Send times of one direction of one player, in flight. Pushed by one thread
// and popped by another (the player and its backend connection may run on
// different io threads), hence the mutex; it is never contended for long.
class SendTimes {
 public:
  void push(Clock::time_point t) {
    std::lock_guard lock(mutex_);
    queue_.push_back(t);
  }
  // The oldest send time, or nothing when no packet is in flight (a mismatch).
  std::optional<Clock::time_point> pop() {
    std::lock_guard lock(mutex_);
    if (queue_.empty()) return std::nullopt;
    const auto t = queue_.front();
    queue_.pop_front();
    return t;
  }
  std::size_t in_flight() {
    std::lock_guard lock(mutex_);
    return queue_.size();
  }

 private:
  std::mutex mutex_;
  std::deque<Clock::time_point> queue_;
};

// Both directions of one player.
struct PlayerLatency {
  SendTimes serverbound;  // movement packets, client -> backend
  SendTimes clientbound;  // entity moves, backend -> client
};

}  // namespace rustguard::loadgen
