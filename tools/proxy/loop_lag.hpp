#pragma once
// How late one io thread's event loop is running: the proxy's own queueing
// delay. A player's bytes wait in the kernel while the loop is busy with
// others, so under overload they are read late and in bursts; this is what
// the core is told (PlayerSession::host_late) so that the timing checks do
// not take the proxy's lateness for the player's, and what admission reads
// to refuse new logins before the players online degrade.
//
// Measured with a probe: a timer armed every `interval` on the loop; it fires
// late by exactly as long as the loop was busy. Between two firings, the
// time since the probe was due counts too, so a read right after a stall
// (handled before the probe's own late firing) already sees it.
//
// LoopLag is the estimate (time in, figures out, no I/O; unit-tested);
// run_loop_lag_probe is the timer that feeds it. Both live on the loop's
// own thread; only the published figure for /metrics is atomic.

#include <asio/awaitable.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>

#include "wake_grid.hpp"

namespace rustguard::proxy {

class LoopLag {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  using Duration = std::chrono::microseconds;

  // How often the probe is due, and how long a measured lag is remembered
  // (long enough to cover the burst of reads that follows a stall).
  explicit LoopLag(Duration interval = kWakeGrid,
                   Duration memory = std::chrono::milliseconds(1000))
      : interval_(interval), memory_(memory) {}

  Duration interval() const noexcept { return interval_; }

  // The probe was due at `due` and ran at `ran`; returns when it is due next.
  TimePoint on_probe(TimePoint due, TimePoint ran) noexcept {
    const Duration lag = std::max(Duration::zero(), std::chrono::duration_cast<Duration>(ran - due));
    if (lag >= recent_ || ran - recent_at_ >= memory_) {
      recent_ = lag;
      recent_at_ = ran;
    }
    published_.store(lag_at(ran).count(), std::memory_order_relaxed);
    // Due next at the first multiple of the interval (since the clock's
    // epoch) after `ran`: with the default interval that is the watchdogs'
    // grid (wake_grid.hpp), so the probe wakes the loop together with them
    // instead of on its own.
    next_due_ = at_or_after_on_grid(ran + TimePoint::duration{1}, interval_);
    armed_ = true;
    return next_due_;
  }

  // The lag a read at `now` may carry: the largest lag measured within the
  // memory, or how overdue the probe is now, whichever is larger.
  Duration lag_at(TimePoint now) const noexcept {
    Duration lag = now - recent_at_ < memory_ ? recent_ : Duration::zero();
    if (armed_ && now > next_due_) lag = std::max(lag, std::chrono::duration_cast<Duration>(now - next_due_));
    return lag;
  }

  // The figure of the last probe, for another thread (GET /metrics).
  Duration published() const noexcept { return Duration{published_.load(std::memory_order_relaxed)}; }

 private:
  Duration interval_;
  Duration memory_;
  Duration recent_{};
  TimePoint recent_at_{};
  TimePoint next_due_{};
  bool armed_ = false;
  std::atomic<std::int64_t> published_{0};
};

// The probe: runs on the loop whose lag it measures until `stop` is set (and
// the timer cancelled, to end the wait in progress). The flag is needed as
// well as the cancel: a cancel that runs after the timer fired but before
// the probe resumed finds no wait to cancel, and the probe would re-arm
// forever, keeping its io_context from running out of work at shutdown.
inline asio::awaitable<void> run_loop_lag_probe(asio::steady_timer& timer, LoopLag& lag,
                                                const std::atomic<bool>& stop) {
  auto due = std::chrono::steady_clock::now() + lag.interval();
  while (!stop.load()) {
    timer.expires_at(due);
    auto [ec] = co_await timer.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    if (ec || stop.load()) co_return;
    due = lag.on_probe(due, std::chrono::steady_clock::now());
  }
}

}  // namespace rustguard::proxy
