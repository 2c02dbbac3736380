#pragma once
// SIGINT / SIGTERM: every open connection is asked to end (it tells its
// player why and flushes for up to connections.shutdown_flush_ms), the io
// threads then run out of work and IoPool::run() returns. If a connection
// cannot finish within the grace period, the pool is stopped anyway.
//
//   Shutdown shutdown(pool);                       // one registry per io context
//   ... spawn connections with shutdown.registry(i) ...
//   on the signal (main context): close the acceptors, shutdown.begin(grace);
//   pool.run();  shutdown.finished();

#include <asio/post.hpp>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "../common/log.hpp"
#include "io_pool.hpp"
#include "registry.hpp"
#include "rustguard/adapters/thread_name.hpp"

namespace rustguard::proxy {

class Shutdown {
 public:
  explicit Shutdown(IoPool& pool) : pool_(pool) {
    for (std::size_t i = 0; i < pool.size(); ++i) registries_.push_back(std::make_unique<ConnectionRegistry>());
  }
  Shutdown(const Shutdown&) = delete;
  Shutdown& operator=(const Shutdown&) = delete;
  ~Shutdown() { finished(); }

  // The connections of io context `i` (touched only by its thread).
  ConnectionRegistry& registry(std::size_t i) { return *registries_[i]; }
  bool started() const noexcept { return started_; }

  // Asks every connection to end and lets the pool run out of work; stops it
  // after `grace` if that has not happened by then. Once; on the main context.
  void begin(std::chrono::milliseconds grace) {
    if (started_) return;
    started_ = true;
    for (std::size_t i = 0; i < pool_.size(); ++i) {
      asio::post(pool_.context(i), [registry = registries_[i].get()] { registry->shutdown_all(); });
    }
    pool_.release();
    hard_stop_ = std::thread([this, grace] {
      adapters::name_this_thread("rg-hard-stop");
      std::unique_lock lock(mutex_);
      if (!cv_.wait_for(lock, grace, [&] { return finished_; })) {
        tools::log_warn("connections still open after {} ms; stopping anyway", grace.count());
        pool_.stop();
      }
    });
  }

  // IoPool::run() returned: the last resort is not needed any more.
  void finished() {
    {
      std::lock_guard lock(mutex_);
      finished_ = true;
    }
    cv_.notify_all();
    if (hard_stop_.joinable()) hard_stop_.join();
  }

 private:
  IoPool& pool_;
  std::vector<std::unique_ptr<ConnectionRegistry>> registries_;
  bool started_ = false;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool finished_ = false;
  std::thread hard_stop_;
};

}  // namespace rustguard::proxy
