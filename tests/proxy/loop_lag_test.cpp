// LoopLag: the proxy's own queueing delay from a probe timer's lateness,
// without sockets or threads (time points in, figures out).

#include <catch2/catch.hpp>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include <atomic>
#include <chrono>

#include "../../tools/proxy/loop_lag.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace loop_lag_test {

using namespace std::chrono_literals;
using rustguard::proxy::LoopLag;

namespace {
const LoopLag::TimePoint t0 = LoopLag::TimePoint{} + 1000s;
}

TEST_CASE("loop lag: an idle loop's probe fires on time: no lag", "[proxy][loop_lag]") {
  LoopLag lag(20ms, 1000ms);
  auto due = t0;
  for (int i = 0; i < 10; ++i) due = lag.on_probe(due, due + 100us);
  CHECK(lag.lag_at(due) == 100us);
  CHECK(lag.lag_at(due - 5ms) == 100us);
  CHECK(lag.published() == 100us);
}

TEST_CASE("loop lag: a read during a stall sees it before the probe fires", "[proxy][loop_lag]") {
  LoopLag lag(20ms, 1000ms);
  const auto due = lag.on_probe(t0, t0);  // next due t0 + 20 ms
  // The loop was busy for 800 ms; a connection's read runs before the probe.
  CHECK(lag.lag_at(t0 + 820ms) == 800ms);
  // Then the probe runs 800 ms late and the figure is remembered.
  const auto next = lag.on_probe(due, due + 800ms);
  CHECK(lag.lag_at(next) == 800ms);
  CHECK(lag.published() == 800ms);
  // A second on, with the loop keeping time again, it is forgotten.
  auto d = next;
  for (int i = 0; i < 60; ++i) d = lag.on_probe(d, d);
  CHECK(lag.lag_at(d) == 0us);
}

TEST_CASE("loop lag: the probe is due on multiples of its interval, the watchdogs' grid", "[proxy][loop_lag]") {
  LoopLag lag(20ms, 1000ms);
  // t0 (1000 s) is on the grid; a probe that ran 7 ms late is due again at
  // the next multiple of 20 ms, not 20 ms after it ran.
  CHECK(lag.on_probe(t0, t0 + 7ms) == t0 + 20ms);
  CHECK(lag.lag_at(t0 + 8ms) == 7ms);
  CHECK(lag.on_probe(t0 + 20ms, t0 + 20ms) == t0 + 40ms);
  CHECK(lag.on_probe(t0 + 40ms, t0 + 95ms) == t0 + 100ms);
  CHECK(lag.lag_at(t0 + 96ms) == 55ms);
}

TEST_CASE("loop lag: the largest lag within the memory wins", "[proxy][loop_lag]") {
  LoopLag lag(20ms, 1000ms);
  auto due = lag.on_probe(t0, t0);
  due = lag.on_probe(due, due + 300ms);
  due = lag.on_probe(due, due + 50ms);  // smaller, later: the 300 ms stays
  CHECK(lag.lag_at(due) == 300ms);
}

TEST_CASE("loop lag: the probe ends when told to stop, even with no wait left to cancel", "[proxy][loop_lag]") {
  // Shutdown sets the flag and cancels the timer; a cancel that lands
  // between the timer firing and the probe resuming finds nothing to
  // cancel. Here no cancel comes at all: the flag alone must end the probe,
  // or the io_context never runs out of work.
  asio::io_context io(1);
  asio::steady_timer timer(io);
  rustguard::proxy::LoopLag lag(std::chrono::milliseconds(5));
  std::atomic<bool> stop{false};
  bool ended = false;
  asio::co_spawn(io, rustguard::proxy::run_loop_lag_probe(timer, lag, stop), [&](std::exception_ptr) { ended = true; });
  asio::steady_timer later(io);
  later.expires_after(std::chrono::milliseconds(30));
  later.async_wait([&](const asio::error_code&) { stop.store(true); });
  io.run_for(std::chrono::seconds(5));
  CHECK(ended);
  CHECK(io.stopped());  // ran out of work, not out of time
}

}  // namespace loop_lag_test
