// arrival_time.hpp: the core's time for a read is when the kernel received
// its bytes (SO_TIMESTAMPNS on a real loopback TCP connection), never
// earlier than the session's last time, and the read's own time where the
// stamp is missing or cannot be trusted.
#include <catch2/catch.hpp>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/write.hpp>

#include <poll.h>
#include <sys/ioctl.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

#include "../../tools/proxy/arrival_time.hpp"
#include "../../tools/proxy/clock.hpp"
#include "../../tools/common/readable_wait.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace arrival_time_test {

using asio::ip::tcp;
using namespace rustguard::proxy;
using namespace rustguard::tools;

namespace {

constexpr std::int64_t kMs = 1000;              // µs
constexpr std::int64_t kNsPerMs = 1'000'000;    // ns

struct Pair {
  asio::io_context ctx;
  tcp::socket peer{ctx};
  tcp::socket reader{ctx};
  explicit Pair(bool stamps) {
    tcp::acceptor acceptor(ctx, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    peer.connect(acceptor.local_endpoint());
    reader = acceptor.accept();
    reader.non_blocking(true);
    REQUIRE(enable_unread_hint(reader));
    if (stamps) {
      REQUIRE(enable_arrival_stamps(reader));
      // The first socket of the system to ask turns the kernel's stamping
      // on through a deferred work item (net_enable_timestamp): bytes that
      // arrive before it ran come unstamped. Probe until one is stamped.
      bool stamped = false;
      for (int i = 0; i < 100 && !stamped; ++i) {
        send("p");
        await_kernel();
        stamped = read().stamped_ns != 0;
        if (!stamped) std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      REQUIRE(stamped);
    }
  }
  void send(const std::string& text) { asio::write(peer, asio::buffer(text)); }
  void await_kernel() {
    pollfd p{reader.native_handle(), POLLIN, 0};
    REQUIRE(::poll(&p, 1, 2000) == 1);
  }
  HintedRead read() {
    std::array<std::uint8_t, 64> buf{};
    std::error_code ec;
    const HintedRead r = read_some_hinted(reader, buf, ec);
    REQUIRE_FALSE(ec);
    return r;
  }
};

}  // namespace

TEST_CASE("a read's time is its bytes' arrival, from the kernel's stamp") {
  ArrivalTime arrival;
  // Read 30 ms after the bytes arrived: the core is told 30 ms earlier.
  const std::int64_t real_at_read = 1'700'000'000'000'000'000;
  CHECK(arrival.of_read(500 * kMs, real_at_read - 30 * kNsPerMs, real_at_read) == 470 * kMs);
  CHECK(arrival.last_wait_us() == 30 * kMs);
  // No stamp: the read's own time.
  CHECK(arrival.of_read(600 * kMs, 0, 0) == 600 * kMs);
  CHECK(arrival.last_wait_us() == 0);
}

TEST_CASE("the core's time never runs backwards") {
  ArrivalTime arrival;
  const std::int64_t real = 1'700'000'000'000'000'000;
  // The other side's read, then the watchdog, moved the session to 500 ms;
  // bytes that arrived at 480 ms but were read at 520 get 500, not 480.
  CHECK(arrival.of_read(490 * kMs, real - 10 * kNsPerMs, real) == 480 * kMs);
  CHECK(arrival.advance_to(500 * kMs) == 500 * kMs);
  CHECK(arrival.of_read(520 * kMs, real - 40 * kNsPerMs, real) == 500 * kMs);
  CHECK(arrival.last_wait_us() == 40 * kMs);  // what the kernel said, for the metric
  // An advance to an earlier time keeps the later one.
  CHECK(arrival.advance_to(450 * kMs) == 500 * kMs);
  CHECK(arrival.of_read(700 * kMs, real - 5 * kNsPerMs, real) == 695 * kMs);
}

TEST_CASE("a stamp that would mean a wall-clock step is not trusted") {
  ArrivalTime arrival;
  const std::int64_t real = 1'700'000'000'000'000'000;
  // In the future (the wall clock was stepped back between arrival and read).
  CHECK(arrival.of_read(100 * kMs, real + 5 * kNsPerMs, real) == 100 * kMs);
  CHECK(arrival.last_wait_us() == 0);
  // Longer ago than any wait (the wall clock was stepped forward).
  CHECK(arrival.of_read(200 * kMs, real - (ArrivalTime::kMaxWaitUs + 1) * 1000, real) == 200 * kMs);
  CHECK(arrival.last_wait_us() == 0);
  // The longest wait still taken for one.
  CHECK(arrival.of_read(20'000 * kMs, real - ArrivalTime::kMaxWaitUs * 1000, real) ==
        20'000 * kMs - ArrivalTime::kMaxWaitUs);
}

TEST_CASE("the kernel stamps what arrives on a socket that asked, at its arrival") {
  Pair p(/*stamps=*/true);
  const std::int64_t before = realtime_ns();
  p.send("movement");
  p.await_kernel();
  const std::int64_t arrived_by = realtime_ns();
  // The bytes sit in the kernel while this thread does something else.
  std::this_thread::sleep_for(std::chrono::milliseconds(40));
  const HintedRead r = p.read();
  const std::int64_t read_at = realtime_ns();
  REQUIRE(r.bytes == 8);
  REQUIRE(r.stamped_ns != 0);
  CHECK(r.stamped_ns >= before);
  CHECK(r.stamped_ns <= arrived_by);
  CHECK(read_at - r.stamped_ns >= 40 * kNsPerMs);

  // Through ArrivalTime and the proxy's clock: the core's time for this
  // read is at least the 40 ms of sleep before the read's own time.
  Clock clock;
  ArrivalTime arrival;
  const std::int64_t read_us = clock.now_us();
  const std::int64_t at = arrival.of_read(read_us, r.stamped_ns, read_at);
  CHECK(read_us - at >= 40 * kMs);
  CHECK(arrival.last_wait_us() >= 40 * kMs);
}

TEST_CASE("a read carries the stamp of the last bytes it took") {
  Pair p(/*stamps=*/true);
  p.send("first");
  p.await_kernel();
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  const std::int64_t second_sent = realtime_ns();
  p.send("second");
  // Both in one read once the second has arrived.
  for (int i = 0; i < 200; ++i) {
    int pending = 0;
    REQUIRE(::ioctl(p.reader.native_handle(), FIONREAD, &pending) == 0);
    if (pending == 11) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const HintedRead r = p.read();
  REQUIRE(r.bytes == 11);
  CHECK(r.stamped_ns >= second_sent);
}

TEST_CASE("a socket that did not ask gets no stamp, and its reads keep their own time") {
  Pair p(/*stamps=*/false);
  p.send("x");
  p.await_kernel();
  const HintedRead r = p.read();
  REQUIRE(r.bytes == 1);
  CHECK(r.stamped_ns == 0);
  ArrivalTime arrival;
  CHECK(arrival.of_read(1234, r.stamped_ns, realtime_ns()) == 1234);
}

}  // namespace arrival_time_test
