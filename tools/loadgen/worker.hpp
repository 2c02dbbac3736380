#pragma once
// One io thread of the load generator and what its connections share: the
// io_context, zlib state, counters and the tick wheel.
//
// zlib state is per thread, not per connection. Each compressed Minecraft
// frame is a complete zlib stream (Inflater/Deflater reset between frames), so
// one of each per thread serves every connection on it; per connection, a
// deflater would cost about 256 KiB of tables and windows, which at 10,000
// simulated players (and as many backend connections) is more memory than the
// machine should spend on the load generator.
//
// The tick wheel calls every registered connection once per 50 ms game tick,
// spread over ten 5 ms phases so that ten thousand players do not all write in
// the same instant, with one timer per thread instead of one per connection.
// Ticks a late thread missed are run late (catch-up), as the game does.

#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "loadgen/latency.hpp"
#include "loadgen/stats.hpp"
#include "rustguard/protocol/compression.hpp"

namespace rustguard::loadgen {

inline constexpr auto use_nothrow = asio::experimental::as_tuple(asio::use_awaitable);
inline constexpr std::chrono::milliseconds kTick{50};

// The run's phases, shared by every thread (written once by main, read everywhere).
struct RunClock {
  Clock::time_point started{};
  Clock::time_point measure_from{};       // end of the ramp: latency is recorded for sends from here
  std::atomic<bool> stop_sending{false};  // duration over: no new game traffic, in-flight packets drain
  std::atomic<bool> closing{false};       // drain over: connections close without counting a disconnect
};

// Something the tick wheel calls every game tick; false: forget me.
class Tickable {
 public:
  virtual ~Tickable() = default;
  virtual bool on_tick(Clock::time_point now) = 0;
};

class TickWheel {
 public:
  static constexpr int kPhases = 10;
  static constexpr auto kPhaseInterval = kTick / kPhases;
  static constexpr std::int64_t kMaxCatchUpTicks = 10;

  explicit TickWheel(asio::io_context& io) : timer_(io) {}

  void add(std::shared_ptr<Tickable> t) { phases_[next_phase_++ % kPhases].push_back(std::move(t)); }

  // Runs until stop(). A phase that runs late runs the ticks it missed, up to
  // kMaxCatchUpTicks at once, as the vanilla client's timer does (at most 10
  // ticks a frame): movement and answers keep their 20 Hz on average whatever
  // this thread's jitter. Beyond that the missed ticks are dropped (counted),
  // as the game drops them too.
  asio::awaitable<void> run(Stats& stats) {
    std::array<Clock::time_point, kPhases> due{};
    const auto start = Clock::now();
    for (int k = 0; k < kPhases; ++k) due[static_cast<std::size_t>(k)] = start + kPhaseInterval * (k + 1);
    for (std::size_t phase = 0; !stopped_; phase = (phase + 1) % kPhases) {
      timer_.expires_at(due[phase]);
      co_await timer_.async_wait(use_nothrow);
      if (stopped_) break;
      const auto now = Clock::now();
      const auto late = std::max(Clock::duration::zero(), now - due[phase]);
      stats.tick_lateness.add(
          static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(late).count()));
      const auto second = static_cast<std::size_t>(std::chrono::duration_cast<std::chrono::seconds>(now - start).count());
      if (stats.late_ms_by_second.size() <= second) stats.late_ms_by_second.resize(second + 1);
      auto& worst = stats.late_ms_by_second[second];
      worst = std::max(worst, static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::milliseconds>(late).count()));
      auto ticks = static_cast<std::int64_t>(late / kTick) + 1;
      if (ticks > kMaxCatchUpTicks) {
        stats.ticks_skipped += static_cast<std::uint64_t>(ticks - kMaxCatchUpTicks);
        ticks = kMaxCatchUpTicks;
        due[phase] = now + kTick;
      } else {
        due[phase] += kTick * ticks;
      }
      auto& list = phases_[phase];
      for (std::int64_t t = 0; t < ticks; ++t) {
        for (std::size_t i = 0; i < list.size();) {
          if (list[i]->on_tick(now)) {
            ++i;
          } else {
            list[i] = std::move(list.back());
            list.pop_back();
          }
        }
      }
    }
  }
  void stop() {
    stopped_ = true;
    timer_.cancel();
  }

 private:
  asio::steady_timer timer_;
  std::array<std::vector<std::shared_ptr<Tickable>>, kPhases> phases_;
  std::size_t next_phase_ = 0;
  bool stopped_ = false;
};

struct Worker {
  explicit Worker(RunClock& run_clock) : clock(run_clock), wheel(io) {}

  asio::io_context io{1};
  RunClock& clock;
  TickWheel wheel;
  protocol::Deflater deflater{};  // zlib's default level, as the game's server and client use
  protocol::Inflater inflater{};
  std::vector<std::uint8_t> read_buffer = std::vector<std::uint8_t>(64 * 1024);  // every socket's reads
  std::vector<std::uint8_t> inflated;    // scratch for bodies this thread inflates
  std::vector<std::uint8_t> packet;      // scratch for one packet being built
  std::vector<std::uint8_t> compressed;  // scratch for one frame being deflated
  Stats stats;
};

}  // namespace rustguard::loadgen
