#pragma once
// A value the server changes and the client learns late. Each change is
// bracketed by two transactions: once the client acknowledged the one before
// it, the client may already use the new value; once it acknowledged the one
// after it, the client certainly does. In between, every value from the
// confirmed one to the newest whose opening transaction was acknowledged is
// possible, and checks must accept all of them.
//
// A change made inside a bundle has no closing transaction yet (end_seq 0);
// the engine closes every open change when it injects the transaction after
// the bundle's closing delimiter.

#include <cstddef>
#include <cstdint>

#include "rustguard/context/ring_queue.hpp"

namespace rustguard::context {

template <class T>
class LagCompensated {
 public:
  LagCompensated() = default;
  explicit LagCompensated(T initial) : confirmed_(initial), latest_(initial) {}

  const T& confirmed() const noexcept { return confirmed_; }
  // The server's newest value (what later changes start from).
  const T& latest() const noexcept { return latest_; }
  bool settled() const noexcept { return pending_.empty(); }

  // At most this many changes wait for the client. Only a client that stops
  // answering transactions (kicked by the transaction timeout, 60 s) or a
  // server that opens a bundle and never closes it gets here; an honest
  // client answers within its ping, a few changes. The cap bounds what such
  // a connection holds whatever the server's rate of changes.
  static constexpr std::size_t kMaxPending = 256;

  // Starts a change after transaction `begin_seq`; the caller edits the
  // returned value (a copy of latest()). `end_seq` 0 = closed later.
  // At the cap the two oldest changes become one: the second's value from
  // the first's opening transaction to its own closing one. Only the first's
  // value stops being possible; nothing becomes confirmed sooner.
  T& change(std::uint64_t begin_seq, std::uint64_t end_seq) {
    if (pending_.size() >= kMaxPending) {
      const std::uint64_t oldest_begin = pending_[0].begin_seq;
      pending_[1].begin_seq = oldest_begin;
      pending_.erase_front(1);
    }
    pending_.push_back(Pending{begin_seq, end_seq, latest_});
    return pending_.back().value;
  }
  // The edit through change() is done: latest() follows it.
  void commit() noexcept {
    if (!pending_.empty()) latest_ = pending_.back().value;
  }

  void close_open(std::uint64_t end_seq) noexcept {
    for (auto& p : pending_) {
      if (p.end_seq == 0) p.end_seq = end_seq;
    }
  }

  // The client acknowledged every transaction up to `acked_seq`.
  void acknowledge(std::uint64_t acked_seq) {
    std::size_t done = 0;
    while (done < pending_.size() && pending_[done].end_seq != 0 && pending_[done].end_seq <= acked_seq) {
      confirmed_ = pending_[done].value;
      ++done;
    }
    pending_.erase_front(done);
  }

  // Calls f(value) for the confirmed value and every pending value the client
  // may already use; stops early when f returns true. Returns whether it did.
  template <class F>
  bool any_possible(std::uint64_t acked_seq, F&& f) const {
    if (f(confirmed_)) return true;
    for (const auto& p : pending_) {
      if (p.begin_seq > acked_seq) break;
      if (f(p.value)) return true;
    }
    return false;
  }

  // Replaces everything (a respawn or reconfiguration resets the player).
  void reset(T value) {
    pending_.clear();
    confirmed_ = value;
    latest_ = value;
  }

  // Every member once, for the snapshot of a clip's start (context_snapshot.hpp).
  template <class Self, class V>
  static void visit_fields(Self& self, V& v) {
    v(self.confirmed_, self.latest_, self.pending_);
  }

 private:
  struct Pending {
    std::uint64_t begin_seq;
    std::uint64_t end_seq;
    T value;
    template <class Self, class V>
    static void visit_fields(Self& self, V& v) {
      v(self.begin_seq, self.end_seq, self.value);
    }
  };
  T confirmed_{};
  T latest_{};
  RingQueue<Pending> pending_;
};

}  // namespace rustguard::context
