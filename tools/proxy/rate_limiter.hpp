#pragma once
// New connections per client IP: a token bucket per address. Time is an
// argument (microseconds on any monotonic clock), so tests drive it exactly.
// Used by the accept loop only, which runs on one thread: no locks.

#include <cstddef>
#include <cstdint>
#include <unordered_map>

#include "rustguard/net/ip_address.hpp"

namespace rustguard::proxy {

class PerIpRateLimiter {
 public:
  // `rate` tokens per second refill each bucket, which holds at most `burst`.
  PerIpRateLimiter(double rate, std::uint32_t burst) { configure(rate, burst); }

  void configure(double rate, std::uint32_t burst) noexcept {
    rate_ = rate;
    burst_ = static_cast<std::int64_t>(burst) * kUnit;
  }

  // Takes a token for a new connection from `ip` at `now_us`; false = refuse it.
  bool allow(const net::IpAddress& ip, std::int64_t now_us) {
    if (buckets_.size() >= kPruneAt) prune(now_us);
    auto [it, fresh] = buckets_.try_emplace(key_of(ip), Bucket{burst_, now_us});
    Bucket& b = it->second;
    if (!fresh) refill(b, now_us);
    if (b.tokens < kUnit) return false;
    b.tokens -= kUnit;
    return true;
  }

  std::size_t tracked() const noexcept { return buckets_.size(); }

  // Forgets addresses whose bucket is full again: they are as good as new.
  void prune(std::int64_t now_us) {
    for (auto it = buckets_.begin(); it != buckets_.end();) {
      refill(it->second, now_us);
      it = it->second.tokens >= burst_ ? buckets_.erase(it) : std::next(it);
    }
  }

 private:
  static constexpr std::size_t kPruneAt = 4096;
  // Tokens are counted in millionths, so that a refill of `rate` per second is
  // `rate` millionths per microsecond and whole-token boundaries are exact.
  static constexpr std::int64_t kUnit = 1'000'000;
  struct Bucket {
    std::int64_t tokens;
    std::int64_t last_us;
  };
  struct Key {
    std::uint64_t hi = 0, lo = 0;
    friend bool operator==(const Key&, const Key&) = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const noexcept {
      return static_cast<std::size_t>(k.hi * 0x9E3779B97F4A7C15ull ^ k.lo);
    }
  };
  static Key key_of(const net::IpAddress& address) noexcept {
    const net::IpAddress ip = address.unmapped();
    Key k;
    for (int i = 0; i < 8; ++i) k.hi = k.hi << 8 | ip.bytes[i];
    for (int i = 8; i < 16; ++i) k.lo = k.lo << 8 | ip.bytes[i];
    k.hi ^= static_cast<std::uint64_t>(ip.family) << 56;
    return k;
  }
  void refill(Bucket& b, std::int64_t now_us) const noexcept {
    if (now_us > b.last_us) {
      b.tokens += static_cast<std::int64_t>(static_cast<double>(now_us - b.last_us) * rate_);
      if (b.tokens > burst_) b.tokens = burst_;
      b.last_us = now_us;
    }
  }

  double rate_ = 0;
  std::int64_t burst_ = 0;
  std::unordered_map<Key, Bucket, KeyHash> buckets_;
};

}  // namespace rustguard::proxy
