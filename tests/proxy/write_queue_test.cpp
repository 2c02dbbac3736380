// WriteQueue on a real loopback TCP connection: ordering, pause/resume,
// push_front, finish, and backpressure bookkeeping when the peer stops reading.
// The queue writes from completion handlers: the tests run the io_context.
#include <catch2/catch.hpp>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>

#include <vector>

#include "../../tools/proxy/write_queue.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace write_queue_test {

using asio::ip::tcp;
using rustguard::proxy::WriteQueue;
using Bytes = std::vector<std::uint8_t>;

namespace {

struct Pair {
  asio::io_context ctx;
  tcp::socket writer{ctx};
  tcp::socket reader{ctx};
  Pair() {
    tcp::acceptor acceptor(ctx, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    writer.connect(acceptor.local_endpoint());
    reader = acceptor.accept();
    writer.non_blocking(true);
  }
  // The queue keeps no work alive while idle, and an io_context that ran out
  // of work stays stopped until restarted.
  void poll() {
    ctx.restart();
    ctx.poll();
  }
  void run() {
    ctx.restart();
    ctx.run();
  }
  Bytes read_all() {
    Bytes out;
    asio::error_code ec;
    std::array<std::uint8_t, 65536> buf;
    for (;;) {
      const std::size_t n = reader.read_some(asio::buffer(buf), ec);
      if (ec) break;
      out.insert(out.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
    }
    return out;
  }
};

// Pushes 256 KiB at a time while the peer reads nothing, until the kernel
// buffers are full and bytes stay queued in user space; returns how many
// bytes were pushed.
std::size_t fill_until_backlog(Pair& p, WriteQueue& q) {
  const Bytes big(256 * 1024, 0xAB);
  std::size_t pushed = 0;
  while (q.backlog() == 0 && pushed < 64 * big.size()) {
    q.push(big);
    pushed += big.size();
    p.poll();
  }
  REQUIRE(q.backlog() > 0);
  return pushed;
}

Bytes bytes(std::initializer_list<int> v) {
  Bytes b;
  for (int x : v) b.push_back(static_cast<std::uint8_t>(x));
  return b;
}

}  // namespace

TEST_CASE("A paused queue holds bytes; push_front goes first; finish drains and ends", "[write_queue]") {
  Pair p;
  WriteQueue q(p.ctx.get_executor(), /*paused=*/true);
  q.attach(p.writer);
  p.poll();
  q.push(bytes({3, 4}));
  q.push(bytes({5}));
  p.poll();
  CHECK(q.backlog() == 3);  // paused: nothing written
  q.push_front(bytes({1, 2}));
  q.resume();
  q.finish();
  p.run();
  CHECK(q.done());
  CHECK_FALSE(q.writing());
  CHECK_FALSE(q.failed());
  p.writer.shutdown(tcp::socket::shutdown_send);
  CHECK(p.read_all() == bytes({1, 2, 3, 4, 5}));
}

TEST_CASE("Bytes from several producers arrive in push order, direct writes included", "[write_queue]") {
  Pair p;
  WriteQueue q(p.ctx.get_executor());
  q.attach(p.writer);
  Bytes expected;
  for (int i = 0; i < 200; ++i) {
    const Bytes chunk(static_cast<std::size_t>(i % 7 + 1), static_cast<std::uint8_t>(i));
    q.push(chunk);  // the idle writer lets push write straight away
    expected.insert(expected.end(), chunk.begin(), chunk.end());
    if (i % 3 == 0) p.poll();
  }
  q.finish();
  p.run();
  p.writer.shutdown(tcp::socket::shutdown_send);
  CHECK(p.read_all() == expected);
}

TEST_CASE("A peer that stops reading leaves a backlog until it reads again", "[write_queue]") {
  Pair p;
  WriteQueue q(p.ctx.get_executor());
  q.attach(p.writer);
  const std::size_t pushed = fill_until_backlog(p, q);
  int progress_seen = 0;
  asio::co_spawn(p.ctx, [&]() -> asio::awaitable<void> {
    while (q.backlog() > 0) {
      co_await q.progress();
      ++progress_seen;
    }
  }, asio::detached);
  p.poll();
  std::size_t received = 0;
  std::array<std::uint8_t, 65536> buf;
  while (received < pushed) {
    received += p.reader.read_some(asio::buffer(buf));
    p.poll();
  }
  CHECK(received == pushed);
  CHECK(q.backlog() == 0);
  CHECK(progress_seen > 0);
  // The burst's buffers went back once written: what stays is small.
  CHECK(q.capacity() <= WriteQueue::kKeepCapacity);
  q.finish();
  p.run();
  CHECK(q.done());
}

TEST_CASE("on_progress wakes its handler once, at the next write that completes or at interrupt()", "[write_queue]") {
  Pair p;
  WriteQueue q(p.ctx.get_executor());
  q.attach(p.writer);
  const std::size_t pushed = fill_until_backlog(p, q);
  // The pumps' backpressure: a handler, not a coroutine.
  int woken = 0;
  q.on_progress([&] { ++woken; });
  p.poll();
  CHECK(woken == 0);  // nothing was written meanwhile
  std::array<std::uint8_t, 65536> buf;
  std::size_t received = 0;
  while (woken == 0 && received < pushed) {
    received += p.reader.read_some(asio::buffer(buf));
    p.poll();
  }
  CHECK(woken == 1);
  // A second wait, woken by interrupt() (halt()) while the peer reads
  // nothing: the queue is refilled first if that write emptied it.
  const std::size_t total = pushed + fill_until_backlog(p, q);
  q.on_progress([&] { ++woken; });
  q.interrupt();
  p.poll();
  CHECK(woken == 2);
  while (received < total) {
    received += p.reader.read_some(asio::buffer(buf));
    p.poll();
  }
  CHECK(received == total);
  q.finish();
  p.run();
  CHECK(q.done());
}

TEST_CASE("A write error marks the queue failed and later pushes are dropped", "[write_queue]") {
  Pair p;
  WriteQueue q(p.ctx.get_executor());
  q.attach(p.writer);
  p.reader.close();  // the peer is gone: writes fail (EPIPE / ECONNRESET)
  const Bytes chunk(64 * 1024, 1);
  for (int i = 0; i < 100 && !q.failed(); ++i) {
    q.push(chunk);
    p.poll();
  }
  CHECK(q.failed());
  q.push(chunk);
  CHECK(q.backlog() == 0);
  q.finish();
  p.run();
  CHECK(q.done());
}

TEST_CASE("A finished queue with a write in flight is done only once the write completes", "[write_queue]") {
  Pair p;
  WriteQueue q(p.ctx.get_executor());
  q.attach(p.writer);
  const Bytes big(256 * 1024, 0xCD);
  std::size_t pushed = 0;
  while (!q.writing() && pushed < 64 * big.size()) {
    q.push(big);
    pushed += big.size();
  }
  REQUIRE(q.writing());
  q.finish();
  CHECK_FALSE(q.done());  // its handler still points at the queue
  std::size_t received = 0;
  std::array<std::uint8_t, 65536> buf;
  while (received < pushed) {
    received += p.reader.read_some(asio::buffer(buf));
    p.poll();
  }
  p.run();
  CHECK(received == pushed);
  CHECK(q.done());
  CHECK_FALSE(q.writing());
  CHECK_FALSE(q.failed());
}

TEST_CASE("A paused queue that finishes is done without writing", "[write_queue]") {
  Pair p;
  WriteQueue q(p.ctx.get_executor(), /*paused=*/true);
  q.attach(p.writer);
  q.push(bytes({1, 2, 3}));
  q.finish();
  CHECK(q.done());
  CHECK(q.backlog() == 3);
}

}  // namespace write_queue_test
