#include <catch2/catch.hpp>

#include <cstdint>
#include <deque>
#include <vector>

#include "rustguard/context/ring_queue.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace ring_queue_test {

using rustguard::context::RingQueue;

namespace {

struct Entry {
  std::int32_t id = 0;
  std::uint64_t seq = 0;
};

std::vector<std::int32_t> ids(const RingQueue<Entry>& q) {
  std::vector<std::int32_t> out;
  for (const auto& e : q) out.push_back(e.id);
  return out;
}

}  // namespace

TEST_CASE("ring queue: nothing is allocated until the first push", "[context][ring_queue]") {
  RingQueue<Entry> q;
  CHECK(q.empty());
  CHECK(q.capacity() == 0);
  q.clear();
  CHECK(q.capacity() == 0);
  q.push_back({7, 1});
  CHECK(q.capacity() == 4);
  CHECK(q.front().id == 7);
  CHECK(q.back().id == 7);
}

TEST_CASE("ring queue: keeps FIFO order across wrap-around and growth", "[context][ring_queue]") {
  RingQueue<Entry> q;
  std::deque<std::int32_t> model;
  std::int32_t next = 0;
  // Pushes and pops interleaved so that the head wraps before the ring grows.
  for (int round = 0; round < 200; ++round) {
    for (int k = 0; k < 3; ++k) {
      q.push_back({next, static_cast<std::uint64_t>(next)});
      model.push_back(next++);
    }
    const std::size_t drop = static_cast<std::size_t>(round % 4);
    q.erase_front(std::min(drop, q.size()));
    for (std::size_t k = 0; k < drop && !model.empty(); ++k) model.pop_front();
    REQUIRE(q.size() == model.size());
    REQUIRE(q.front().id == model.front());
    REQUIRE(q.back().id == model.back());
  }
  CHECK(ids(q) == std::vector<std::int32_t>(model.begin(), model.end()));
  for (std::size_t i = 0; i < q.size(); ++i) CHECK(q[i].id == model[i]);
}

TEST_CASE("ring queue: erase_at keeps the order of the others", "[context][ring_queue]") {
  RingQueue<Entry> q;
  for (std::int32_t i = 0; i < 6; ++i) q.push_back({i, 0});
  q.pop_front();
  q.pop_front();
  q.push_back({6, 0});
  q.push_back({7, 0});  // wrapped: 2..7 in a ring of 8
  q.erase_at(2);        // removes 4
  CHECK(ids(q) == std::vector<std::int32_t>{2, 3, 5, 6, 7});
  q.erase_at(0);
  q.erase_at(q.size() - 1);
  CHECK(ids(q) == std::vector<std::int32_t>{3, 5, 6});
}

TEST_CASE("ring queue: a burst does not pin its high-water mark", "[context][ring_queue]") {
  RingQueue<Entry> q;
  for (std::int32_t i = 0; i < 4096; ++i) q.push_back({i, 0});
  CHECK(q.capacity() == 4096);
  q.erase_front(4000);
  CHECK(q.capacity() <= 512);
  CHECK(q.front().id == 4000);
  CHECK(q.back().id == 4095);
  q.clear();
  CHECK(q.capacity() <= 16);
  CHECK(q.empty());
  q.push_back({1, 0});
  CHECK(ids(q) == std::vector<std::int32_t>{1});
}

TEST_CASE("ring queue: copies are independent", "[context][ring_queue]") {
  RingQueue<Entry> a;
  for (std::int32_t i = 0; i < 5; ++i) a.push_back({i, 0});
  RingQueue<Entry> b = a;
  b.pop_front();
  b.back().id = 99;
  CHECK(ids(a) == std::vector<std::int32_t>{0, 1, 2, 3, 4});
  CHECK(ids(b) == std::vector<std::int32_t>{1, 2, 3, 99});
}

}  // namespace ring_queue_test
