#pragma once
// The strikes of a fleet (several proxies writing one PostgreSQL store,
// docs/deployment.md) in this proxy's strike book, so that a cheater who hops
// from instance to instance meets the ladder with all his strikes: at start
// the store's strikes are read once (this instance's earlier runs' and every
// other instance's), then the other instances' again every
// punishments.strike_sync. A strike another instance gives counts here once
// its violation log has committed it (violation_log.flush_interval_ms) and
// the next read has run: a player who reconnects sooner starts without it,
// and the strike is counted at his next login or next strike.
//
// A thread of its own: a read may wait for the database up to its answer
// timeout, which neither an io thread nor the main executor (accepts, RCON,
// the admin endpoint) can afford. While the store does not answer, the book
// keeps the last set it read (a strike never un-happens), and the failure is
// logged once per outage, not at every read.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "rustguard/adapters/postgres_strike_reader.hpp"
#include "rustguard/adapters/strike_book.hpp"
#include "../common/log.hpp"
#include "rustguard/adapters/thread_name.hpp"

namespace rustguard::proxy {

class StrikeSync {
 public:
  StrikeSync(adapters::PostgresStrikeReader reader, adapters::StrikeBook& book, std::chrono::milliseconds interval,
             std::int64_t expiry_ms)
      : reader_(std::move(reader)), book_(book), interval_(interval), expiry_ms_(expiry_ms) {}
  StrikeSync(const StrikeSync&) = delete;
  StrikeSync& operator=(const StrikeSync&) = delete;
  ~StrikeSync() { stop(); }

  // The first read, on the caller's thread before any player logs in: this
  // instance's own strikes of earlier runs go into the book as its own, the
  // rest as the fleet's. False (and logged) when the store cannot be read;
  // the thread keeps trying.
  bool read_at_start() {
    adapters::StoreStrikes strikes;
    if (const auto s = reader_.read(since_ms(), strikes); !s.ok()) {
      failing_ = true;
      tools::log_error("punishments: cannot read the strikes from the store ({}); the ladders count this run's "
                       "strikes until it answers",
                       s.message);
      return false;
    }
    const std::size_t own = take_own(strikes);
    book_.replace_shared(std::move(strikes.shared));
    tools::log_info("punishments: {} unexpired strike(s) read from the store, {} of this instance; other instances' "
                    "strikes are read every {} ms",
                    strikes.rows, own, interval_.count());
    return true;
  }

  void start() {
    thread_ = std::thread([this] {
      adapters::name_this_thread("rg-strikes");
      run();
    });
  }

  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  // A reload's strike_expiry, for the next read.
  void set_expiry(std::int64_t expiry_ms) noexcept { expiry_ms_.store(expiry_ms, std::memory_order_relaxed); }

 private:
  static std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  std::int64_t since_ms() const { return now_ms() - expiry_ms_.load(std::memory_order_relaxed); }

  // This instance's strikes of earlier runs, once: those given since this
  // run started are in the book already (StrikeBook::add), so a row is
  // taken only if it is older than the start (a clock stepped back across a
  // restart could count one twice or miss one; strikes are minutes apart).
  std::size_t take_own(adapters::StoreStrikes& strikes) {
    if (own_taken_) return 0;
    own_taken_ = true;
    std::size_t own = 0;
    for (auto& [uuid, list] : strikes.own) {
      for (auto& strike : list) {
        if (strike.time_ms >= started_ms_) continue;
        book_.add_loaded(uuid, std::move(strike));
        ++own;
      }
    }
    return own;
  }

  void run() {
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
      lock.unlock();
      read_shared();
      lock.lock();
    }
  }

  void read_shared() {
    adapters::StoreStrikes strikes;
    if (const auto s = reader_.read(since_ms(), strikes); !s.ok()) {
      if (!failing_) {
        tools::log_warn("punishments: cannot read the other instances' strikes ({}); the last ones read still count",
                        s.message);
      }
      failing_ = true;
      return;
    }
    if (failing_) tools::log_info("punishments: the store answers again; {} unexpired strike(s) read", strikes.rows);
    failing_ = false;
    // This instance's rows are in the book already (read at start, or added
    // as given), unless the start's read failed.
    take_own(strikes);
    book_.replace_shared(std::move(strikes.shared));
  }

  adapters::PostgresStrikeReader reader_;
  adapters::StrikeBook& book_;
  const std::chrono::milliseconds interval_;
  std::atomic<std::int64_t> expiry_ms_;
  const std::int64_t started_ms_ = now_ms();
  // The sync thread's (and read_at_start's, before it starts).
  bool failing_ = false;
  bool own_taken_ = false;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace rustguard::proxy
