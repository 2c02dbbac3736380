#pragma once
// N io_contexts, one thread each. A connection lives on exactly one context for
// its whole life, so its state needs no locks (see docs/architecture.md).

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>

#include <algorithm>
#include <cstddef>
#include <memory>
#include <thread>
#include <vector>

namespace rustguard::proxy {

class IoPool {
 public:
  explicit IoPool(std::size_t threads) {
    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
    for (std::size_t i = 0; i < threads; ++i) {
      contexts_.push_back(std::make_unique<asio::io_context>(1));
      guards_.emplace_back(asio::make_work_guard(*contexts_.back()));
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

  // Runs every context; the calling thread runs the first one. Returns when all stopped.
  void run() {
    for (std::size_t i = 1; i < contexts_.size(); ++i) threads_.emplace_back([ctx = contexts_[i].get()] { ctx->run(); });
    contexts_.front()->run();
    for (auto& t : threads_) t.join();
    threads_.clear();
  }
  // Lets each context finish its outstanding work, then return from run().
  void release() { guards_.clear(); }
  void stop() {
    for (auto& c : contexts_) c->stop();
  }

 private:
  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards_;
  std::vector<std::thread> threads_;
  std::size_t next_ = 0;
};

}  // namespace rustguard::proxy
