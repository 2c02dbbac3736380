#include <catch2/catch.hpp>

#include <vector>

#include "rustguard/context/lag_compensated.hpp"
#include "rustguard/context/transaction_queue.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace lag_compensated_test {

using rustguard::Timestamp;
using rustguard::context::AckKind;
using rustguard::context::LagCompensated;
using rustguard::context::TransactionQueue;

namespace {
std::vector<int> possible(const LagCompensated<int>& v, std::uint64_t acked) {
  std::vector<int> out;
  v.any_possible(acked, [&](int x) {
    out.push_back(x);
    return false;
  });
  return out;
}
}  // namespace

TEST_CASE("lag compensated: old state only, then both, then the new one", "[context]") {
  LagCompensated<int> v(1);
  v.change(1, 2) = 5;
  v.commit();
  CHECK(v.latest() == 5);
  CHECK(possible(v, 0) == std::vector<int>{1});
  CHECK(possible(v, 1) == std::vector<int>{1, 5});
  v.acknowledge(1);
  CHECK(possible(v, 1) == std::vector<int>{1, 5});
  v.acknowledge(2);
  CHECK(v.confirmed() == 5);
  CHECK(possible(v, 2) == std::vector<int>{5});
}

TEST_CASE("lag compensated: changes inside a bundle close with the transaction after it", "[context]") {
  LagCompensated<int> v(0);
  v.change(3, 0) = 1;
  v.commit();
  v.change(3, 0) = 2;
  v.commit();
  v.acknowledge(10);
  CHECK(v.confirmed() == 0);  // still open
  v.close_open(4);
  v.acknowledge(4);
  CHECK(v.confirmed() == 2);
  CHECK(v.settled());
}

TEST_CASE("lag compensated: a client that never answers holds at most kMaxPending changes", "[context]") {
  constexpr auto cap = LagCompensated<int>::kMaxPending;
  LagCompensated<int> v(0);
  // One change a server tick, each between transactions 2n+1 and 2n+2, none acknowledged.
  for (int n = 0; n < static_cast<int>(cap) + 100; ++n) {
    const auto begin = static_cast<std::uint64_t>(2 * n + 1);
    v.change(begin, begin + 1) = n + 1;
    v.commit();
  }
  CHECK(v.latest() == static_cast<int>(cap) + 100);
  // Everything acknowledged so far: the confirmed value and the newest cap
  // values are possible; the 100 oldest changes were merged away.
  const auto all = possible(v, 1'000'000);
  REQUIRE(all.size() == cap + 1);
  CHECK(all.front() == 0);
  CHECK(all[1] == 101);
  CHECK(all.back() == static_cast<int>(cap) + 100);
  // The merged change opens with the first one: a client that answered only
  // the first opening transaction may already use it...
  CHECK(possible(v, 1) == std::vector<int>{0, 101});
  // ...and it is confirmed only once its own closing transaction is answered.
  v.acknowledge(2 * 100 + 1);
  CHECK(v.confirmed() == 0);
  v.acknowledge(2 * 100 + 2);
  CHECK(v.confirmed() == 101);
  v.acknowledge(1'000'000);
  CHECK(v.confirmed() == static_cast<int>(cap) + 100);
  CHECK(v.settled());
}

TEST_CASE("transaction queue: negative ids, in order, skips and unknown answers", "[context]") {
  TransactionQueue q;
  const Timestamp t{1000};
  const auto a = *q.issue(t);
  const auto b = *q.issue(t);
  const auto c = *q.issue(t);
  CHECK(a.id == -1);
  CHECK(b.id == -2);
  CHECK(TransactionQueue::in_our_range(c.id));
  CHECK(q.acknowledge(a.id).kind == AckKind::in_order);
  const auto r = q.acknowledge(c.id);
  CHECK(r.kind == AckKind::out_of_order);
  CHECK(r.skipped == 1);
  CHECK(q.acked_seq() == c.seq);
  CHECK(q.acknowledge(b.id).kind == AckKind::unknown);
  CHECK(q.pending_count() == 0);
}

TEST_CASE("transaction queue: ids wrap within the i16 range", "[context]") {
  TransactionQueue q;
  std::int32_t last = 0;
  for (int i = 0; i < 40000; ++i) {
    last = q.issue(Timestamp{0})->id;
    q.acknowledge(last);
  }
  CHECK(last >= TransactionQueue::kLowestId);
  CHECK(last < 0);
}

}  // namespace lag_compensated_test
