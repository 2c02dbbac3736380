#pragma once
// Each socket has exactly one writer: a WriteQueue drained by its own
// coroutine. Both direction readers of a connection may produce bytes for the
// same socket (a Disconnect for the client while reading the server, say), so
// they append here instead of writing; the writer sends what has accumulated
// with one async_write at a time. Single-threaded like the rest of the
// connection: no locks.

#include <asio/awaitable.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <cstdint>
#include <span>
#include <vector>

namespace rustguard::proxy {

inline constexpr auto use_nothrow = asio::experimental::as_tuple(asio::use_awaitable);

// A wake-up for one waiting coroutine: wait() suspends until notify() (or a
// cancellation). A notify() with nobody waiting is dropped, so waiters check
// their condition in a loop.
class Signal {
 public:
  explicit Signal(const asio::any_io_executor& ex) : timer_(ex) {}
  asio::awaitable<void> wait() {
    timer_.expires_at(asio::steady_timer::time_point::max());
    co_await timer_.async_wait(use_nothrow);
  }
  void notify() { timer_.cancel(); }

 private:
  asio::steady_timer timer_;
};

class WriteQueue {
 public:
  // Buffers above this capacity are released once written, so a burst (chunk
  // data) does not pin memory for the rest of the connection's life; the
  // small writes of play that find the socket busy reuse what is kept.
  static constexpr std::size_t kKeepCapacity = 8 * 1024;

  explicit WriteQueue(const asio::any_io_executor& ex, bool paused = false)
      : wake_(ex), progress_(ex), paused_(paused) {}

  void push(std::span<const std::uint8_t> bytes) {
    if (bytes.empty() || failed_ || done_) return;
    if (socket_ != nullptr && !paused_ && pending_.empty() && inflight_.empty()) {
      // The writer is idle, so writing here keeps one writer at a time; the
      // (non-blocking) socket usually takes it all, which saves a wake-up.
      asio::error_code error;
      const std::size_t n = socket_->write_some(asio::buffer(bytes.data(), bytes.size()), error);
      if (error && error != asio::error::would_block && error != asio::error::try_again) {
        failed_ = true;
        wake_.notify();
        return;
      }
      bytes = bytes.subspan(error ? 0 : n);
      if (bytes.empty()) return;
    }
    pending_.insert(pending_.end(), bytes.begin(), bytes.end());
    wake_.notify();
  }
  // Bytes that must go out before everything queued so far (a PROXY header).
  void push_front(std::span<const std::uint8_t> bytes) {
    pending_.insert(pending_.begin(), bytes.begin(), bytes.end());
    wake_.notify();
  }
  void discard() { pending_.clear(); }
  void resume() {
    paused_ = false;
    wake_.notify();
  }
  // No more bytes will come: the writer exits once everything is written.
  void finish() {
    finishing_ = true;
    wake_.notify();
  }

  std::size_t backlog() const noexcept { return pending_.size() + inflight_.size(); }
  // Memory held for queued bytes (both buffers), written or not.
  std::size_t capacity() const noexcept { return pending_.capacity() + inflight_.capacity(); }
  bool done() const noexcept { return done_; }
  bool failed() const noexcept { return failed_; }

  // Waits until a write completes or the writer exits (backpressure, final flush).
  asio::awaitable<void> progress() { co_await progress_.wait(); }

  // The writer coroutine. Returns after finish() once drained, or on a write error.
  // The socket must be in non-blocking mode once it is connected.
  asio::awaitable<void> run(asio::ip::tcp::socket& socket) {
    socket_ = &socket;
    for (;;) {
      if (failed_) break;
      if (paused_ || pending_.empty()) {
        if (finishing_) break;
        co_await wake_.wait();
        continue;
      }
      inflight_.swap(pending_);
      auto [error, written] = co_await asio::async_write(socket, asio::buffer(inflight_), use_nothrow);
      (void)written;
      if (inflight_.capacity() > kKeepCapacity) {
        inflight_ = {};
      } else {
        inflight_.clear();
      }
      if (error) {
        failed_ = true;
        pending_ = {};
        break;
      }
      progress_.notify();
    }
    done_ = true;
    socket_ = nullptr;
    progress_.notify();
  }

 private:
  std::vector<std::uint8_t> pending_;
  std::vector<std::uint8_t> inflight_;
  asio::ip::tcp::socket* socket_ = nullptr;  // while run() runs
  Signal wake_;
  Signal progress_;
  bool paused_ = false;
  bool finishing_ = false;
  bool failed_ = false;
  bool done_ = false;
};

}  // namespace rustguard::proxy
