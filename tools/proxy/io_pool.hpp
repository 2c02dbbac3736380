#pragma once
// N io_contexts, one thread each. A connection lives on exactly one context for
// its whole life, so its state needs no locks (see docs/architecture.md).
// Each context also carries the measure of how late its loop runs (LoopLag),
// read by the connections on it and by /metrics.

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "../common/log.hpp"
#include "loop_lag.hpp"
#include "uring_loop.hpp"
#include "rustguard/adapters/thread_name.hpp"

namespace rustguard::proxy {

class IoPool {
 public:
  // `uring`: each io thread also sets up a ring for the players in play
  // (uring_loop.hpp); where the kernel refuses it, that thread uses epoll.
  explicit IoPool(std::size_t threads, bool uring = false) : uring_(uring) {
    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
    for (std::size_t i = 0; i < threads; ++i) {
      contexts_.push_back(std::make_unique<asio::io_context>(1));
      guards_.emplace_back(asio::make_work_guard(*contexts_.back()));
      lags_.push_back(std::make_unique<LoopLag>());
      probes_.push_back(std::make_unique<asio::steady_timer>(*contexts_.back()));
    }
  }
  IoPool(const IoPool&) = delete;
  IoPool& operator=(const IoPool&) = delete;
  ~IoPool() { stop(); }

  // The context for the next connection (round robin).
  asio::io_context& next() { return *contexts_[next_index()]; }
  std::size_t next_index() { return next_++ % contexts_.size(); }
  asio::io_context& context(std::size_t i) { return *contexts_[i]; }
  asio::io_context& main() { return *contexts_.front(); }
  std::size_t size() const { return contexts_.size(); }

  // How late context i runs; used only on its own thread, except published().
  LoopLag& lag(std::size_t i) { return *lags_[i]; }
  // The largest lag the probes last measured, for another thread (/metrics).
  std::chrono::microseconds max_published_lag() const {
    std::chrono::microseconds worst{0};
    for (const auto& l : lags_) worst = std::max(worst, l->published());
    return worst;
  }

  // Runs every context; the calling thread runs the first one. Returns when all stopped.
  void run() {
    for (std::size_t i = 0; i < contexts_.size(); ++i) {
      asio::co_spawn(*contexts_[i], probe(i), asio::detached);
    }
    for (std::size_t i = 1; i < contexts_.size(); ++i) {
      threads_.emplace_back([this, ctx = contexts_[i].get(), i] {
        adapters::name_this_thread("rg-io-" + std::to_string(i));
        run_one(*ctx);
      });
    }
    run_one(*contexts_.front());
    for (auto& t : threads_) t.join();
    threads_.clear();
  }
  // Lets each context finish its outstanding work, then return from run():
  // the lag probes (always pending) are cancelled on their own threads.
  void release() {
    released_.store(true);
    guards_.clear();
    for (std::size_t i = 0; i < contexts_.size(); ++i) {
      asio::post(*contexts_[i], [probe = probes_[i].get()] {
        probe->cancel();
        if (UringLoop* loop = this_thread_uring()) loop->stop_when_idle();
      });
    }
  }
  void stop() {
    for (auto& c : contexts_) c->stop();
  }

 private:
  // Runs `ctx` on this thread, with its ring when asked for; the ring is
  // made here because only the thread that made it may submit to it.
  void run_one(asio::io_context& ctx) {
    std::unique_ptr<UringLoop> loop;
    if (uring_) {
      std::string why;
      loop = UringLoop::create(ctx, {}, why);
      if (!loop && !uring_warned_.exchange(true)) {
        tools::log_warn("io_uring unavailable ({}); players are read through epoll", why);
      }
    }
    this_thread_uring() = loop.get();
    ctx.run();
    this_thread_uring() = nullptr;
  }

  asio::awaitable<void> probe(std::size_t i) { co_await run_loop_lag_probe(*probes_[i], *lags_[i], released_); }

  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards_;
  std::vector<std::unique_ptr<LoopLag>> lags_;
  std::vector<std::unique_ptr<asio::steady_timer>> probes_;
  std::vector<std::thread> threads_;
  std::size_t next_ = 0;
  std::atomic<bool> released_{false};
  bool uring_ = false;
  std::atomic<bool> uring_warned_{false};
};

}  // namespace rustguard::proxy
