// rustguard_bench_proxy: the live proxy's first figures, measured on loopback
// against the real rustguard binary and an in-process user-space echo backend.
//
//   memory     RSS growth of the rustguard process per idle connection with
//              1,000 connections open (handshake done, backend connected).
//              Kernel socket buffers are not in RSS, so this is the proxy's own cost.
//   latency    round trip of a small frame (16 bytes) client -> echo -> client,
//              straight to the echo backend and through rustguard; p50 and p99.
//
//   rustguard_bench_proxy [--connections N] [--round-trips N] [--proxy PATH]

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "rustguard/protocol/writer.hpp"
#include "rustguard/session/connection_session.hpp"
#include "rustguard/session/player_session.hpp"

namespace {

using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

asio::awaitable<void> echo_session(tcp::socket socket) {
  std::array<std::uint8_t, 4096> buffer;
  try {
    for (;;) {
      const std::size_t n = co_await socket.async_read_some(asio::buffer(buffer), asio::use_awaitable);
      co_await asio::async_write(socket, asio::buffer(buffer.data(), n), asio::use_awaitable);
    }
  } catch (const std::exception&) {
  }
}

asio::awaitable<void> echo_accept(tcp::acceptor& acceptor) {
  for (;;) {
    tcp::socket socket = co_await acceptor.async_accept(asio::use_awaitable);
    socket.set_option(tcp::no_delay(true));
    asio::co_spawn(acceptor.get_executor(), echo_session(std::move(socket)), asio::detached);
  }
}

std::uint16_t free_port() {
  asio::io_context ctx;
  tcp::acceptor a(ctx, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

long rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  while (in >> key) {
    if (key == "VmRSS:") {
      long kib = 0;
      in >> kib;
      return kib;
    }
    std::getline(in, key);
  }
  return -1;
}

// A handshake (login intent, 1.20.4) and then frames with an id no state uses,
// which the proxy splits, classifies and forwards without decoding.
std::vector<std::uint8_t> handshake_frame(std::uint16_t port) {
  std::vector<std::uint8_t> body;
  rustguard::protocol::Writer{body}.varint(0x00).varint(765).string("127.0.0.1").u16(port).varint(2);
  std::vector<std::uint8_t> frame;
  rustguard::protocol::Writer{frame}.varint(static_cast<std::int32_t>(body.size())).bytes(body);
  return frame;
}

std::vector<std::uint8_t> small_frame() {
  std::vector<std::uint8_t> frame{15, 0x7f};
  for (int i = 0; i < 14; ++i) frame.push_back(static_cast<std::uint8_t>(i));
  return frame;  // 16 bytes on the wire
}

tcp::socket open_session(asio::io_context& ctx, std::uint16_t port, std::uint16_t backend_port) {
  tcp::socket s(ctx);
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  s.set_option(tcp::no_delay(true));
  const auto hs = handshake_frame(backend_port);
  asio::write(s, asio::buffer(hs));
  std::vector<std::uint8_t> echo(hs.size());
  asio::read(s, asio::buffer(echo));  // the backend is connected once this comes back
  return s;
}

// RSS of `n` core connections (session::PlayerSession: the framing session
// and the engine) built in this process: the core's share of a proxied
// connection, to tell it apart from the proxy's own (sockets, coroutine
// frames, write queues).
double core_kib_each(int n) {
  auto config = std::make_shared<const rustguard::engine::EngineConfig>();
  std::vector<std::unique_ptr<rustguard::session::PlayerSession>> cores;
  const long before = rss_kib(getpid());
  for (int i = 0; i < n; ++i) {
    cores.push_back(std::make_unique<rustguard::session::PlayerSession>(rustguard::ProtocolLimits{}, config));
  }
  return static_cast<double>(rss_kib(getpid()) - before) / n;
}

struct Percentiles {
  double p50, p99;
};

Percentiles round_trips(asio::io_context& ctx, std::uint16_t port, std::uint16_t backend_port, int count) {
  tcp::socket s = open_session(ctx, port, backend_port);
  const auto frame = small_frame();
  std::vector<std::uint8_t> back(frame.size());
  std::vector<double> us;
  for (int i = 0; i < count + count / 10; ++i) {
    const auto t0 = Clock::now();
    asio::write(s, asio::buffer(frame));
    asio::read(s, asio::buffer(back));
    const auto t1 = Clock::now();
    if (i >= count / 10) us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());  // after warm-up
  }
  std::sort(us.begin(), us.end());
  return {us[us.size() / 2], us[us.size() * 99 / 100]};
}

}  // namespace

int main(int argc, char** argv) {
  int connections = 1000;
  int trips = 20000;
  std::string proxy = RUSTGUARD_PROXY_BINARY;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--connections") connections = std::atoi(argv[i + 1]);
    else if (flag == "--round-trips") trips = std::atoi(argv[i + 1]);
    else if (flag == "--proxy") proxy = argv[i + 1];
  }
  rlimit l{};
  if (getrlimit(RLIMIT_NOFILE, &l) == 0) {
    l.rlim_cur = l.rlim_max;
    setrlimit(RLIMIT_NOFILE, &l);
  }

  asio::io_context echo_ctx;
  tcp::acceptor echo(echo_ctx, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const std::uint16_t echo_port = echo.local_endpoint().port();
  asio::co_spawn(echo_ctx, echo_accept(echo), asio::detached);
  std::thread echo_thread([&] { echo_ctx.run(); });

  const std::uint16_t listen_port = free_port();
  const std::uint16_t admin_port = free_port();
  char dir_template[] = "/tmp/rustguard-bench-XXXXXX";
  const std::string dir = mkdtemp(dir_template);
  const std::string config = dir + "/config.yml";
  {
    std::ofstream out(config);
    out << "listen: 127.0.0.1:" << listen_port << "\nbackend: 127.0.0.1:" << echo_port << "\nadmin: 127.0.0.1:"
        << admin_port << "\ndatabase: " << dir << "/rustguard.db\nthreads: 2\nlog_level: warn\n"
        << "connections:\n  login_timeout_ms: 3600000\n  idle_timeout_ms: 3600000\n"
        << "  per_ip_rate: 1000000\n  per_ip_burst: 1000000\n  max_connections: 100000\n";
  }
  const pid_t pid = fork();
  if (pid == 0) {
    execl(proxy.c_str(), proxy.c_str(), "--config", config.c_str(), static_cast<char*>(nullptr));
    std::perror("exec rustguard");
    _exit(127);
  }

  asio::io_context ctx;
  bool up = false;
  for (int i = 0; i < 200 && !up; ++i) {
    try {
      tcp::socket probe(ctx);
      probe.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), listen_port));
      up = true;
    } catch (const std::exception&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
  }
  int status = 0;
  if (!up) {
    std::fprintf(stderr, "rustguard (%s) did not start listening\n", proxy.c_str());
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    echo_ctx.stop();
    echo_thread.join();
    return 1;
  }

  std::printf("[proxy] %s on loopback, 2 io threads, user-space echo backend\n", proxy.c_str());
  const Percentiles direct = round_trips(ctx, echo_port, echo_port, trips);
  const Percentiles through = round_trips(ctx, listen_port, echo_port, trips);
  std::printf("  round trip of a 16-byte frame, %d samples\n", trips);
  std::printf("    direct to the echo backend   p50 %7.1f us   p99 %7.1f us\n", direct.p50, direct.p99);
  std::printf("    through rustguard            p50 %7.1f us   p99 %7.1f us\n", through.p50, through.p99);
  std::printf("    added by rustguard           p50 %7.1f us   p99 %7.1f us\n", through.p50 - direct.p50,
              through.p99 - direct.p99);

  // Warm the proxy's allocator and per-thread buffers before the baseline.
  std::vector<tcp::socket> open;
  for (int i = 0; i < 20; ++i) open.push_back(open_session(ctx, listen_port, echo_port));
  open.clear();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const long before = rss_kib(pid);
  for (int i = 0; i < connections; ++i) open.push_back(open_session(ctx, listen_port, echo_port));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const long after = rss_kib(pid);
  std::printf("  memory, %d idle connections open (handshake done, backend connected)\n", connections);
  std::printf("    rustguard RSS %ld KiB -> %ld KiB: %.1f KiB per connection (goal <= 16)\n", before, after,
              static_cast<double>(after - before) / connections);
  open.clear();
  const double per_connection = static_cast<double>(after - before) / connections;
  const double core = core_kib_each(connections);
  std::printf("    of which the core (ConnectionSession + detection engine) %.1f KiB, the proxy's own %.1f KiB\n",
              core, per_connection - core);

  kill(pid, SIGTERM);
  waitpid(pid, &status, 0);
  echo_ctx.stop();
  echo_thread.join();
  std::remove(config.c_str());
  std::remove((dir + "/rustguard.db").c_str());
  rmdir(dir.c_str());
  return 0;
}
