#include <catch2/catch.hpp>

#include "rustguard/context/receipt_markers.hpp"
#include "rustguard/context/transaction_queue.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace transaction_queue_test {

using rustguard::Timestamp;
using rustguard::context::AckKind;
using rustguard::context::ReceiptKind;
using rustguard::context::ReceiptMarkers;
using rustguard::context::TransactionQueue;

TEST_CASE("transaction queue: issued ids run -1, -2, ... and are answered in order", "[context]") {
  TransactionQueue q;
  const auto t1 = *q.issue(Timestamp::from_millis(10));
  const auto t2 = *q.issue(Timestamp::from_millis(20));
  CHECK(t1.id == -1);
  CHECK(t2.id == -2);
  CHECK(q.acknowledge(-1).kind == AckKind::in_order);
  CHECK(q.acked_seq() == t1.seq);
  CHECK(q.acknowledge(-5).kind == AckKind::unknown);
  CHECK(q.acknowledge(-2).kind == AckKind::in_order);
  CHECK(q.pending_count() == 0);
}

TEST_CASE("transaction queue, observe mode: seen transactions and receipt marks share one sequence", "[context]") {
  TransactionQueue q;
  const auto* seen = q.observe(-7, Timestamp::from_millis(10));  // a live proxy's id, whatever it was
  REQUIRE(seen != nullptr);
  CHECK(seen->id == -7);
  CHECK(seen->seq == 1);
  const std::uint64_t mark = q.mark();  // a keep-alive after it
  CHECK(mark == 2);
  CHECK(q.issued_seq() == 2);
  CHECK(q.pending_count() == 1);  // marks are not transactions: no timeout, no order

  // The keep-alive answered first: everything up to it was received, but the
  // transaction before it is still answered on its own, in order.
  q.acknowledge_through(mark);
  CHECK(q.acked_seq() == 2);
  const auto ack = q.acknowledge(-7);
  CHECK(ack.kind == AckKind::in_order);
  CHECK(q.acked_seq() == 2);  // never goes back
  q.acknowledge_through(99);  // beyond anything issued: ignored
  CHECK(q.acked_seq() == 2);
}

TEST_CASE("receipt markers: answered by kind and id, oldest first, bounded", "[context]") {
  ReceiptMarkers m;
  m.add(ReceiptKind::keep_alive, 5, 1, Timestamp::from_millis(1));
  m.add(ReceiptKind::server_ping, 5, 2, Timestamp::from_millis(2));
  m.add(ReceiptKind::keep_alive, 5, 3, Timestamp::from_millis(3));
  CHECK_FALSE(m.take(ReceiptKind::keep_alive, 6));
  const auto first = m.take(ReceiptKind::keep_alive, 5);
  REQUIRE(first);
  CHECK(first->seq == 1);
  const auto second = m.take(ReceiptKind::keep_alive, 5);
  REQUIRE(second);
  CHECK(second->seq == 3);
  CHECK_FALSE(m.take(ReceiptKind::keep_alive, 5));
  const auto ping = m.take(ReceiptKind::server_ping, 5);
  REQUIRE(ping);
  CHECK(ping->sent_at == Timestamp::from_millis(2));

  // Unanswered markers are overwritten by newer ones, never grow.
  for (std::int64_t i = 0; i < 200; ++i) m.add(ReceiptKind::keep_alive, i, static_cast<std::uint64_t>(i + 10), {});
  CHECK_FALSE(m.take(ReceiptKind::keep_alive, 0));
  CHECK(m.take(ReceiptKind::keep_alive, 199));
}

}  // namespace transaction_queue_test
