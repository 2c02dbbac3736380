// readable_wait.hpp on real loopback TCP connections: what a read says is
// left (TCP_INQ), and that a wait which skips re-arming still wakes for new
// data, for the peer's FIN, and for a cancellation.
#include <catch2/catch.hpp>

#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/write.hpp>

#include <poll.h>

#include <array>
#include <chrono>
#include <optional>
#include <string>

#include "../../tools/common/readable_wait.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace readable_wait_test {

using asio::ip::tcp;
using namespace rustguard::tools;

namespace {

struct Pair {
  asio::io_context ctx;
  tcp::socket peer{ctx};
  tcp::socket reader{ctx};
  Pair() {
    tcp::acceptor acceptor(ctx, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    peer.connect(acceptor.local_endpoint());
    reader = acceptor.accept();
    reader.non_blocking(true);
    REQUIRE(enable_unread_hint(reader));
  }
  void send(const std::string& text) { asio::write(peer, asio::buffer(text)); }
  // Blocks until the reader's socket shows `events` (the bytes or the FIN
  // have arrived in its kernel buffer).
  void await_kernel(short events) {
    pollfd p{reader.native_handle(), events, 0};
    REQUIRE(::poll(&p, 1, 2000) == 1);
    REQUIRE((p.revents & events) == events);
  }
  // Runs handlers until `done` or two seconds passed.
  template <typename Done>
  void run_until(Done done) {
    ctx.restart();
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (!done() && std::chrono::steady_clock::now() < end) ctx.run_one_for(std::chrono::milliseconds(50));
  }
};

std::optional<std::error_code> wait(Pair& p, bool drained) {
  std::optional<std::error_code> result;
  async_wait_readable(p.reader, drained, [&](std::error_code ec) { result = ec; });
  p.run_until([&] { return result.has_value(); });
  return result;
}

// A connection in the state the proxy reads it in: one byte came, was
// waited for with Asio's re-arming wait and read whole. After that wait the
// reactor still tries reads speculatively until an op tells it the socket
// is exhausted, so the first drained wait may complete at once (a spurious
// wake-up, which the proxy answers with a read that says would_block); it
// is used up here. From then on a drained wait waits for an edge.
void read_first_byte(Pair& p) {
  p.send("a");
  REQUIRE(wait(p, false) == std::error_code());
  std::array<std::uint8_t, 64> buf{};
  std::error_code ec;
  const HintedRead first = read_some_hinted(p.reader, buf, ec);
  REQUIRE(first.bytes == 1);
  REQUIRE_FALSE(first.more);
  REQUIRE(wait(p, true) == std::error_code());
  read_some_hinted(p.reader, buf, ec);
  REQUIRE(ec == asio::error::would_block);
}

// A drained wait, started: it must not complete before something arrives.
std::optional<std::error_code>& start_drained_wait(Pair& p, std::optional<std::error_code>& woke) {
  async_wait_readable(p.reader, true, [&woke](std::error_code e) { woke = e; });
  p.ctx.restart();
  p.ctx.poll();
  return woke;
}

// The wait `woke` belongs to is still pending; `signal` then cancels it.
void expect_cancelled_by(Pair& p, asio::cancellation_signal& signal, std::optional<std::error_code>& woke) {
  p.ctx.restart();
  p.ctx.poll();
  REQUIRE_FALSE(woke.has_value());
  signal.emit(asio::cancellation_type::terminal);
  p.run_until([&] { return woke.has_value(); });
  REQUIRE(woke.has_value());
  CHECK(*woke == asio::error::operation_aborted);
}

}  // namespace

TEST_CASE("a read that takes everything says nothing is left", "[readable_wait]") {
  Pair p;
  p.send("abc");
  p.await_kernel(POLLIN);
  std::array<std::uint8_t, 64> buf{};
  std::error_code ec;
  const HintedRead read = read_some_hinted(p.reader, buf, ec);
  REQUIRE_FALSE(ec);
  CHECK(read.bytes == 3);
  CHECK(read.hinted);
  CHECK_FALSE(read.more);
  read_some_hinted(p.reader, buf, ec);
  CHECK(ec == asio::error::would_block);
}

TEST_CASE("data and the FIN that came with it: the read says more, the next one is eof", "[readable_wait]") {
  // The case a short read alone would miss: no edge announces a FIN that
  // arrived before the last data was read.
  Pair p;
  p.send("kick");
  p.peer.shutdown(tcp::socket::shutdown_send);
  p.await_kernel(POLLIN | POLLRDHUP);
  std::array<std::uint8_t, 64> buf{};
  std::error_code ec;
  const HintedRead read = read_some_hinted(p.reader, buf, ec);
  REQUIRE_FALSE(ec);
  CHECK(read.bytes == 4);
  CHECK(read.hinted);
  CHECK(read.more);
  const HintedRead last = read_some_hinted(p.reader, buf, ec);
  CHECK(ec == asio::error::eof);
  CHECK(last.bytes == 0);
}

TEST_CASE("a read that fills its buffer says more", "[readable_wait]") {
  Pair p;
  p.send(std::string(100, 'x'));
  p.await_kernel(POLLIN);
  std::array<std::uint8_t, 10> buf{};
  std::error_code ec;
  const HintedRead read = read_some_hinted(p.reader, buf, ec);
  REQUIRE_FALSE(ec);
  CHECK(read.bytes == 10);
  CHECK(read.more);
}

TEST_CASE("a wait that skips re-arming wakes for data that comes later", "[readable_wait]") {
  Pair p;
  read_first_byte(p);
  std::array<std::uint8_t, 64> buf{};
  std::error_code ec;
  for (int round = 0; round < 3; ++round) {
    std::optional<std::error_code> woke;
    // The edge of the last data was used up: nothing to wake for yet.
    CHECK_FALSE(start_drained_wait(p, woke).has_value());
    p.send("next");
    p.run_until([&] { return woke.has_value(); });
    REQUIRE(woke == std::error_code());
    const HintedRead read = read_some_hinted(p.reader, buf, ec);
    REQUIRE_FALSE(ec);
    CHECK(read.bytes == 4);
    CHECK_FALSE(read.more);
  }
}

TEST_CASE("a reader that keeps a ReadState waits and reads as the proxy's pumps do", "[readable_wait]") {
  // The overload the proxy uses: the state decides between re-arming and
  // not, and remembers the socket's reactor from its first wait on.
  Pair p;
  ReadState state;
  std::array<std::uint8_t, 64> buf{};
  auto wait_and_read = [&](bool sends) {
    std::optional<std::error_code> woke;
    async_wait_readable(p.reader, state, [&woke](std::error_code e) { woke = e; });
    if (sends) {
      p.ctx.restart();
      p.ctx.poll();
      CHECK_FALSE(woke.has_value());  // nothing has come since the last read
      p.send("move");
    }
    p.run_until([&] { return woke.has_value(); });
    REQUIRE(woke == std::error_code());
    std::error_code ec;
    const HintedRead read = read_some_hinted(p.reader, buf, ec);
    state.update(read, ec);
    return std::make_pair(read, ec);
  };
  // As in read_first_byte: a re-arming wait for the first byte, then one
  // spurious wake that a would_block answers.
  p.send("a");
  REQUIRE_FALSE(state.drained);
  auto [first, first_ec] = wait_and_read(false);
  REQUIRE_FALSE(first_ec);
  REQUIRE(first.bytes == 1);
  REQUIRE(state.drained);
  auto [spurious, spurious_ec] = wait_and_read(false);
  REQUIRE(spurious_ec == asio::error::would_block);
  REQUIRE(state.drained);
  for (int round = 0; round < 3; ++round) {
    auto [read, ec] = wait_and_read(true);
    REQUIRE_FALSE(ec);
    CHECK(read.bytes == 4);
    CHECK(state.drained);
    CHECK_FALSE(state.more);
  }
}

TEST_CASE("a wait that skips re-arming wakes for the peer's FIN", "[readable_wait]") {
  Pair p;
  read_first_byte(p);
  std::optional<std::error_code> woke;
  REQUIRE_FALSE(start_drained_wait(p, woke).has_value());
  p.peer.shutdown(tcp::socket::shutdown_send);
  p.run_until([&] { return woke.has_value(); });
  REQUIRE(woke == std::error_code());
  std::array<std::uint8_t, 64> buf{};
  std::error_code ec;
  read_some_hinted(p.reader, buf, ec);
  CHECK(ec == asio::error::eof);
}

TEST_CASE("a wait that skips re-arming is cancelled through its slot", "[readable_wait]") {
  Pair p;
  read_first_byte(p);
  asio::cancellation_signal cancel;
  std::optional<std::error_code> woke;
  async_wait_readable(p.reader, true,
                      asio::bind_cancellation_slot(cancel.slot(), [&](std::error_code e) { woke = e; }));
  expect_cancelled_by(p, cancel, woke);
}

TEST_CASE("waits of one reader through one slot reuse its cancellation handler, and halt still cancels", "[readable_wait]") {
  // The proxy's pumps: every wait on a socket goes through the same slot.
  // The handler the first wait put there serves the next ones; a wait of
  // Asio's own (before the first drained read) replaces it with Asio's.
  Pair p;
  ReadState state;
  asio::cancellation_signal cancel;
  std::array<std::uint8_t, 64> buf{};
  auto start = [&](std::optional<std::error_code>& woke) {
    async_wait_readable(p.reader, state,
                        asio::bind_cancellation_slot(cancel.slot(), [&woke](std::error_code e) { woke = e; }));
  };
  auto wait_and_read = [&] {
    std::optional<std::error_code> woke;
    start(woke);
    p.send("move");
    p.run_until([&] { return woke.has_value(); });
    REQUIRE(woke == std::error_code());
    std::error_code ec;
    state.update(read_some_hinted(p.reader, buf, ec), ec);
    REQUIRE_FALSE(ec);
  };
  wait_and_read();  // Asio's own wait: the state was not drained
  REQUIRE(state.drained);
  wait_and_read();  // the first drained wait installs the handler
  REQUIRE(cancel.slot().has_handler());
#if RUSTGUARD_EDGE_READABLE_WAIT
  const void* installed = state.cancellation.key;
  REQUIRE(installed != nullptr);
#endif
  wait_and_read();
#if RUSTGUARD_EDGE_READABLE_WAIT
  CHECK(state.cancellation.key == installed);  // the same handler serves
#endif
  std::optional<std::error_code> woke;
  start(woke);
  expect_cancelled_by(p, cancel, woke);
}

TEST_CASE("a reader's wait after another slot's wait installs its own handler", "[readable_wait]") {
  Pair p;
  ReadState state;
  read_first_byte(p);
  state.drained = true;
  asio::cancellation_signal first;
  asio::cancellation_signal second;
  std::optional<std::error_code> woke;
  async_wait_readable(p.reader, state,
                      asio::bind_cancellation_slot(first.slot(), [&woke](std::error_code e) { woke = e; }));
  p.send("x");
  p.run_until([&] { return woke.has_value(); });
  REQUIRE(woke == std::error_code());
  std::error_code ec;
  std::array<std::uint8_t, 64> buf{};
  state.update(read_some_hinted(p.reader, buf, ec), ec);
  REQUIRE(state.drained);
  woke.reset();
  async_wait_readable(p.reader, state,
                      asio::bind_cancellation_slot(second.slot(), [&woke](std::error_code e) { woke = e; }));
  p.ctx.restart();
  p.ctx.poll();
  REQUIRE_FALSE(woke.has_value());
  first.emit(asio::cancellation_type::terminal);  // the old slot: not this wait's
  expect_cancelled_by(p, second, woke);
}

TEST_CASE("a wait on a closed socket fails at once", "[readable_wait]") {
  Pair p;
  p.reader.close();
  const auto woke = wait(p, true);
  REQUIRE(woke.has_value());
  CHECK(*woke == asio::error::bad_descriptor);
}

}  // namespace readable_wait_test
