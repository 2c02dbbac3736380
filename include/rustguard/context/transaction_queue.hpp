#pragma once
// The lag-compensation transactions the engine asked the session to inject,
// in the order they were sent. Each has a wire id and a sequence number; the
// client answers them in order (Pong on 1.17+, Window Confirmation before), so
// "the client has acknowledged sequence N" means it has processed every
// clientbound packet sent before transaction N.
//
// Wire ids run -1, -2, ... -32768 and wrap: negative so they never collide with
// the window-confirmation action numbers a server uses (positive) and fit the
// i16 action number before 1.17. The queue holds at most 32768 entries, so a
// wrapped id is never ambiguous; a client that lets that many pile up is kicked
// long before by the transaction timeout.
//
// In observe mode (a replay of a capture) the engine sends nothing: it records
// the transactions the capture shows (observe()), and other proof that the
// client processed the stream up to some point (a keep-alive answer, the
// answer to a server's own ping) takes a place in the same sequence (mark())
// and raises the acknowledged sequence when answered (acknowledge_through()).

#include <cstddef>
#include <cstdint>
#include <optional>

#include "rustguard/context/ring_queue.hpp"
#include "rustguard/time.hpp"

namespace rustguard::context {

struct Transaction {
  std::int32_t id = 0;
  std::uint64_t seq = 0;  // 1, 2, 3, ... per connection; 0 = none
  Timestamp sent_at{};
};

enum class AckKind : std::uint8_t {
  in_order,      // the oldest pending one, as it must be
  out_of_order,  // a later one: the ones before it were skipped
  unknown,       // not ours (or already answered)
  evidence,      // not a transaction: a keep-alive or server ping answer (observe mode)
};

struct AckResult {
  AckKind kind = AckKind::unknown;
  Transaction transaction{};
  std::size_t skipped = 0;
};

class TransactionQueue {
 public:
  static constexpr std::int32_t kLowestId = -32768;
  static constexpr std::size_t kCapacity = 32768;

  static constexpr bool in_our_range(std::int32_t id) noexcept { return id < 0 && id >= kLowestId; }

  // Records a new transaction; the caller injects its id. Returns nothing when
  // the queue is full (the client stopped answering: the timeout handles it).
  const Transaction* issue(Timestamp now) {
    if (pending_.size() >= kCapacity) return nullptr;
    Transaction t{next_id_, ++issued_seq_, now};
    next_id_ = next_id_ == kLowestId ? -1 : next_id_ - 1;
    pending_.push_back(t);
    last_issued_at_ = now;
    return &pending_.back();
  }

  // Observe mode: a transaction with this wire id seen on its way to the client.
  const Transaction* observe(std::int32_t id, Timestamp now) {
    if (pending_.size() >= kCapacity) return nullptr;
    pending_.push_back(Transaction{id, ++issued_seq_, now});
    last_issued_at_ = now;
    return &pending_.back();
  }

  // Observe mode: a point of the stream that other evidence will acknowledge
  // (a keep-alive, a server ping); returns its sequence number.
  std::uint64_t mark() noexcept { return ++issued_seq_; }

  // Observe mode: the client provably processed everything up to `seq`.
  // Pending transactions before it stay pending: they are answered on their own.
  void acknowledge_through(std::uint64_t seq) noexcept {
    if (seq > acked_seq_ && seq <= issued_seq_) acked_seq_ = seq;
  }

  AckResult acknowledge(std::int32_t id) {
    AckResult r;
    for (std::size_t i = 0; i < pending_.size(); ++i) {
      if (pending_[i].id != id) continue;
      r.kind = i == 0 ? AckKind::in_order : AckKind::out_of_order;
      r.skipped = i;
      r.transaction = pending_[i];
      if (pending_[i].seq > acked_seq_) acked_seq_ = pending_[i].seq;
      pending_.erase_front(i + 1);
      return r;
    }
    return r;
  }

  bool is_pending(std::int32_t id) const noexcept {
    for (const auto& t : pending_) {
      if (t.id == id) return true;
    }
    return false;
  }

  std::uint64_t issued_seq() const noexcept { return issued_seq_; }
  std::uint64_t acked_seq() const noexcept { return acked_seq_; }
  std::size_t pending_count() const noexcept { return pending_.size(); }
  const Transaction* oldest_pending() const noexcept { return pending_.empty() ? nullptr : &pending_.front(); }
  const Transaction* newest() const noexcept { return pending_.empty() ? nullptr : &pending_.back(); }
  // When the last transaction was issued; nullopt before the first.
  std::optional<Timestamp> last_issued_at() const noexcept {
    return issued_seq_ == 0 ? std::nullopt : std::optional<Timestamp>{last_issued_at_};
  }

  // Every member once, for the snapshot of a clip's start (context_snapshot.hpp).
  template <class Self, class V>
  static void visit_fields(Self& self, V& v) {
    v(self.pending_, self.next_id_, self.issued_seq_, self.acked_seq_, self.last_issued_at_);
    v.require([&self] { return self.pending_.size() <= kCapacity && in_our_range(self.next_id_); },
              "transaction queue out of range");
  }

 private:
  RingQueue<Transaction> pending_;
  std::int32_t next_id_ = -1;
  std::uint64_t issued_seq_ = 0;
  std::uint64_t acked_seq_ = 0;
  Timestamp last_issued_at_{};
};

}  // namespace rustguard::context
