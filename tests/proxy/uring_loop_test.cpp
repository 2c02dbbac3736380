// uring_loop.hpp on real loopback TCP connections: reads come back with the
// bytes and the kernel's arrival stamp, the peer's FIN and a cancellation end
// them, sends arrive whole and in order, and the loop lets its io_context run
// out of work once stopped and idle.
#include <catch2/catch.hpp>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/write.hpp>

#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <ctime>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "../../tools/proxy/uring_loop.hpp"
#include "../../tools/proxy/write_queue.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace uring_loop_test {

using asio::ip::tcp;
using namespace rustguard::proxy;

namespace {

struct Sink final : UringRecvSink {
  std::string bytes;
  std::int64_t last_stamp = 0;
  int reads = 0;
  bool ended = false;
  int result = 1;
  void on_received(int, std::span<const std::uint8_t> b, std::int64_t stamped_ns) override {
    bytes.append(reinterpret_cast<const char*>(b.data()), b.size());
    last_stamp = stamped_ns;
    ++reads;
  }
  void on_recv_ended(int, int r) override {
    ended = true;
    result = r;
  }
};

std::int64_t realtime_now_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// A connected pair on loopback; `fd` (the accepted end, its ownership taken
// from Asio) is what the loop reads and writes.
struct Pair {
  asio::io_context ctx{1};
  std::unique_ptr<UringLoop> loop;
  tcp::socket peer{ctx};
  int fd = -1;
  Pair() {
    std::string why;
    loop = UringLoop::create(ctx, {}, why);
    INFO(why);
    REQUIRE(loop != nullptr);
    tcp::acceptor acceptor(ctx, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    peer.connect(acceptor.local_endpoint());
    tcp::socket accepted = acceptor.accept();
    const int on = 1;
    REQUIRE(::setsockopt(accepted.native_handle(), SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) == 0);
    fd = accepted.release();
  }
  ~Pair() {
    if (fd >= 0) ::close(fd);
  }
  // Runs handlers until `done` or two seconds passed.
  template <typename Done>
  void run_until(Done done) {
    ctx.restart();
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (!done() && std::chrono::steady_clock::now() < end) ctx.run_one_for(std::chrono::milliseconds(50));
  }
};

}  // namespace

TEST_CASE("uring loop: reads carry the bytes and the kernel's arrival stamp") {
  Pair p;
  Sink sink;
  UringRecv recv;
  p.loop->recv(recv, p.fd, 7, sink);
  // The first socket of the system to ask turns the kernel's stamping on
  // through a deferred work item (net_enable_timestamp): bytes that arrive
  // before it ran come unstamped. Probe until a read is stamped.
  for (int i = 0; i < 100; ++i) {
    const std::size_t had = sink.bytes.size();
    asio::write(p.peer, asio::buffer(std::string("p")));
    p.run_until([&] { return sink.bytes.size() > had; });
    if (sink.last_stamp != 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(sink.last_stamp != 0);
  sink.bytes.clear();
  const std::int64_t before = realtime_now_ns();
  asio::write(p.peer, asio::buffer(std::string("hello")));
  p.run_until([&] { return sink.bytes.size() == 5; });
  CHECK(sink.bytes == "hello");
  CHECK(recv.armed());
  // Stamped when the kernel took the bytes: after the write began, before now.
  CHECK(sink.last_stamp >= before - 1'000'000);
  CHECK(sink.last_stamp <= realtime_now_ns());

  // More than one provided buffer's worth arrives whole and in order.
  std::string big(100'000, 'x');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  const int reads_before = sink.reads;
  asio::write(p.peer, asio::buffer(big));
  p.run_until([&] { return sink.bytes.size() == 5 + big.size(); });
  CHECK(sink.bytes == "hello" + big);
  CHECK(sink.reads - reads_before >= 2);
  CHECK_FALSE(sink.ended);
}

TEST_CASE("uring loop: the peer's FIN ends the reads with 0") {
  Pair p;
  Sink sink;
  UringRecv recv;
  p.loop->recv(recv, p.fd, 0, sink);
  asio::write(p.peer, asio::buffer(std::string("bye")));
  p.peer.shutdown(tcp::socket::shutdown_send);
  p.run_until([&] { return sink.ended; });
  CHECK(sink.bytes == "bye");
  REQUIRE(sink.ended);
  CHECK(sink.result == 0);
  CHECK_FALSE(recv.armed());
}

TEST_CASE("uring loop: cancel ends the reads with ECANCELED, and reads can start again") {
  Pair p;
  Sink sink;
  UringRecv recv;
  p.loop->recv(recv, p.fd, 0, sink);
  p.run_until([&] { return false; });  // submitted, nothing to read
  p.loop->cancel(recv);
  p.run_until([&] { return sink.ended; });
  REQUIRE(sink.ended);
  CHECK(sink.result == -ECANCELED);
  CHECK_FALSE(recv.armed());

  // Bytes that came while nobody read are read once armed again (a pause).
  asio::write(p.peer, asio::buffer(std::string("later")));
  sink.ended = false;
  p.loop->recv(recv, p.fd, 0, sink);
  p.run_until([&] { return sink.bytes == "later"; });
  CHECK(sink.bytes == "later");
  CHECK_FALSE(sink.ended);
}

TEST_CASE("uring loop: a write queue on the ring sends everything, in order") {
  Pair p;
  WriteQueue out(p.ctx.get_executor());
  out.use_uring(*p.loop, p.fd);
  std::string expected;
  for (int i = 0; i < 200; ++i) {
    const std::string chunk = std::to_string(i) + std::string(static_cast<std::size_t>(i) * 37, '.') + "|";
    expected += chunk;
    out.push({reinterpret_cast<const std::uint8_t*>(chunk.data()), chunk.size()});
  }
  CHECK(out.backlog() > 0);
  std::string got(expected.size(), '\0');
  p.run_until([&] { return !out.writing() && out.backlog() == 0; });
  CHECK(out.backlog() == 0);
  CHECK_FALSE(out.failed());
  asio::read(p.peer, asio::buffer(got.data(), got.size()));
  CHECK(got == expected);
}

TEST_CASE("uring loop: a send to a peer that does not read is given up when abandoned") {
  Pair p;
  const int small = 4096;
  REQUIRE(::setsockopt(p.fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof small) == 0);
  REQUIRE(::setsockopt(p.peer.native_handle(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small) == 0);
  WriteQueue out(p.ctx.get_executor());
  out.use_uring(*p.loop, p.fd);
  const std::vector<std::uint8_t> burst(4 * 1024 * 1024, 0x55);
  out.push(burst);
  p.run_until([&] { return false; });  // the socket fills; the send waits
  REQUIRE(out.writing());
  out.abandon_uring_send();
  p.run_until([&] { return !out.writing(); });
  CHECK_FALSE(out.writing());
  CHECK(out.failed());
}

TEST_CASE("uring loop: once stopped and idle, the io_context runs out of work") {
  Pair p;
  Sink sink;
  UringRecv recv;
  p.loop->recv(recv, p.fd, 0, sink);
  p.loop->stop_when_idle();
  // Still waiting for the read's end.
  p.ctx.restart();
  p.ctx.run_for(std::chrono::milliseconds(100));
  CHECK_FALSE(p.ctx.stopped());
  CHECK(recv.armed());
  p.loop->cancel(recv);
  p.ctx.restart();
  p.ctx.run_for(std::chrono::seconds(5));
  CHECK(sink.ended);
  CHECK(p.ctx.stopped());
}

}  // namespace uring_loop_test
