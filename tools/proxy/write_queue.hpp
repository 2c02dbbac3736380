#pragma once
// Each socket has exactly one writer: a WriteQueue. Both direction readers of
// a connection may produce bytes for the same socket (a Disconnect for the
// client while reading the server, say), so they append here instead of
// writing. An idle queue writes straight to the (non-blocking) socket; what
// the socket does not take goes out with one async_write at a time, chained
// by its completion handler. In play on the io thread's ring (use_uring,
// uring_loop.hpp) every write is a ring send instead, one at a time. No
// coroutine: an idle connection's writers cost no frame (a big lobby holds
// thousands of them). Single-threaded like the rest of the connection: no
// locks. Completion handlers point at the queue, so its owner outlives
// them: it closes the socket and waits until writing() is false before it
// goes.

#include <asio/awaitable.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <cstdint>
#include <cstring>
#include <span>
#include <utility>
#include <vector>

#include "uring_loop.hpp"

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
  // The same for a completion handler: `woken()` runs once, at the next
  // notify() or cancellation.
  template <typename Woken>
  void on_notify(Woken&& woken) {
    timer_.expires_at(asio::steady_timer::time_point::max());
    timer_.async_wait([woken = std::forward<Woken>(woken)](const asio::error_code&) mutable { woken(); });
  }
  void notify() { timer_.cancel(); }

 private:
  asio::steady_timer timer_;
};

class WriteQueue final : private UringSendSink {
 public:
  // Buffers above this capacity are released once written, so a burst (chunk
  // data) does not pin memory for the rest of the connection's life; the
  // small writes of play that find the socket busy reuse what is kept.
  static constexpr std::size_t kKeepCapacity = 8 * 1024;

  explicit WriteQueue(const asio::any_io_executor& ex, bool paused = false)
      : progress_(ex), uring_send_(*this), paused_(paused) {}

  // In play on the io thread's ring (uring_loop.hpp): bytes go out through
  // it, one send at a time from one of the loop's send buffers, until
  // use_socket(). Neither switch may happen with a write in flight.
  void use_uring(UringLoop& loop, int fd) {
    uring_ = &loop;
    uring_fd_ = fd;
    write_next();
  }
  void use_socket() {
    uring_ = nullptr;
    uring_fd_ = -1;
    write_next();
  }
  // Gives up the send in flight on the ring (the peer stopped reading and
  // the connection is closing): what it had not sent is lost, the queue fails.
  void abandon_uring_send() {
    if (uring_ != nullptr && writing_) {
      abandoning_ = true;
      uring_->cancel(uring_send_);
    }
  }

  // The socket to write to; it must be in non-blocking mode once connected.
  // Nothing is written while paused (the backend socket before it connects).
  void attach(asio::ip::tcp::socket& socket) {
    socket_ = &socket;
    write_next();
  }

  void push(std::span<const std::uint8_t> bytes) {
    if (bytes.empty() || failed_ || done_) return;
    if (uring_ != nullptr && !paused_ && pending_.empty() && !writing_) {
      // Straight into a send buffer: the bytes need no stay in pending_.
      writing_ = true;
      send_on_uring(bytes);
      return;
    }
    if (uring_ == nullptr && socket_ != nullptr && !paused_ && pending_.empty() && !writing_) {
      // Nothing is in flight, so writing here keeps the order; the socket
      // usually takes it all, which saves a wake-up.
      asio::error_code error;
      const std::size_t n = socket_->write_some(asio::buffer(bytes.data(), bytes.size()), error);
      if (error && error != asio::error::would_block && error != asio::error::try_again) {
        fail();
        return;
      }
      bytes = bytes.subspan(error ? 0 : n);
      if (bytes.empty()) return;
    }
    pending_.insert(pending_.end(), bytes.begin(), bytes.end());
    write_next();
  }
  // Bytes that must go out before everything queued so far (a PROXY header).
  void push_front(std::span<const std::uint8_t> bytes) {
    pending_.insert(pending_.begin(), bytes.begin(), bytes.end());
    write_next();
  }
  void discard() { pending_.clear(); }
  void resume() {
    paused_ = false;
    write_next();
  }
  // No more bytes will come: the queue is done once everything is written
  // (at once when paused: a backend never connected gets nothing).
  void finish() {
    finishing_ = true;
    settle();
  }
  // Wakes a coroutine waiting in progress(), so it can look at its reasons
  // to stop waiting.
  void interrupt() { progress_.notify(); }

  std::size_t backlog() const noexcept { return pending_.size() + inflight_.size() + (uring_length_ - uring_sent_); }
  // Memory held for queued bytes (both buffers, and the ring's send buffer
  // while a send is in flight), written or not.
  std::size_t capacity() const noexcept {
    return pending_.capacity() + inflight_.capacity() + uring_buffer_.capacity;
  }
  bool done() const noexcept { return done_; }
  bool failed() const noexcept { return failed_; }
  // An async_write is in flight: its handler still points at this queue.
  bool writing() const noexcept { return writing_; }

  // Waits until a write completes, the queue is done or interrupt() (backpressure, final flush).
  asio::awaitable<void> progress() { co_await progress_.wait(); }
  // The same for a completion handler (the pumps' backpressure).
  template <typename Woken>
  void on_progress(Woken&& woken) {
    progress_.on_notify(std::forward<Woken>(woken));
  }

 private:
  // Starts the next async_write if there is something to send and nothing in flight.
  void write_next() {
    if (writing_ || done_ || failed_ || paused_ || (socket_ == nullptr && uring_ == nullptr) || pending_.empty()) {
      settle();
      return;
    }
    writing_ = true;
    if (uring_ != nullptr) {
      send_on_uring(pending_);
      // Released, not kept: on the ring bytes wait here only while a send
      // is in flight, rarely; buffers kept per socket (this one and one for
      // the send in flight) had the proxy at 41-47 MiB at 1,000 players
      // instead of 35 (docs/benchmarks.md, "Players in play on io_uring").
      pending_ = std::vector<std::uint8_t>();
      return;
    }
    inflight_.swap(pending_);
    asio::async_write(*socket_, asio::buffer(inflight_),
                      [this](const asio::error_code& error, std::size_t) { written(error); });
  }

  void written(const asio::error_code& error) {
    writing_ = false;
    if (inflight_.capacity() > kKeepCapacity) {
      // A new vector, not `= {}`: that assigns an empty list and keeps the capacity.
      inflight_ = std::vector<std::uint8_t>();
    } else {
      inflight_.clear();
    }
    if (error) {
      fail();
      return;
    }
    write_next();
    progress_.notify();
  }

  // Copies `bytes` into a send buffer of the loop's and sends it.
  void send_on_uring(std::span<const std::uint8_t> bytes) {
    uring_buffer_ = uring_->take_send_buffer(bytes.size());
    std::memcpy(uring_buffer_.data, bytes.data(), bytes.size());
    uring_length_ = bytes.size();
    uring_sent_ = 0;
    uring_->send(uring_send_, uring_fd_, {uring_buffer_.data, uring_length_});
  }

  void on_sent(int result) override {
    if (result > 0) uring_sent_ += static_cast<std::size_t>(result);
    if (result > 0 && uring_sent_ < uring_length_ && !abandoning_) {
      // MSG_WAITALL sends it all unless interrupted: send the rest.
      uring_->send(uring_send_, uring_fd_, {uring_buffer_.data + uring_sent_, uring_length_ - uring_sent_});
      return;
    }
    const bool complete = uring_sent_ == uring_length_;
    uring_->give_send_buffer(uring_buffer_);
    uring_buffer_ = {};
    uring_length_ = uring_sent_ = 0;
    abandoning_ = false;
    written(complete ? asio::error_code()
                     : asio::error_code(result < 0 ? -result : EPIPE, asio::error::get_system_category()));
  }

  void fail() {
    failed_ = true;
    pending_ = std::vector<std::uint8_t>();
    settle();
  }

  void settle() {
    if (done_ || writing_) return;
    if (failed_ || (finishing_ && (paused_ || pending_.empty()))) {
      done_ = true;
      progress_.notify();
    }
  }

  std::vector<std::uint8_t> pending_;
  std::vector<std::uint8_t> inflight_;
  asio::ip::tcp::socket* socket_ = nullptr;
  Signal progress_;
  UringLoop* uring_ = nullptr;
  int uring_fd_ = -1;
  UringSend uring_send_;
  UringLoop::SendBuffer uring_buffer_;  // the send in flight on the ring
  std::size_t uring_length_ = 0;
  std::size_t uring_sent_ = 0;
  bool abandoning_ = false;
  bool paused_ = false;
  bool finishing_ = false;
  bool failed_ = false;
  bool done_ = false;
  bool writing_ = false;
};

}  // namespace rustguard::proxy
