// rustguard_bench_proxy: the live proxy measured on loopback, against the real
// rustguard binary and an in-process Minecraft backend that speaks 1.8
// (protocol 47) with compression at threshold 256, as a playing server does.
//
//   latency    round trip of a small plugin message client -> backend -> client
//              in play, compressed framing: straight to the backend and
//              through rustguard; p50 and p99.
//   idle       RSS (and heap, from /metrics) growth of the rustguard process
//              per connection with N players logged in and in play, quiet.
//   play       the same with N players playing: a burst of chunk-sized
//              packets (8-20 KB compressed) to each at join, then movement at
//              --rate Hz, keep-alives, transactions answered, entity moves of
//              other players at 20 Hz, a chunk every 2 s and a compressed
//              client packet (a 1.5 KB plugin message) every 5 s. Memory is
//              read right after the burst, then after --seconds of play.
//   core       in this process: the core's time per read by direction, with
//              1 to 10,000 players fed in turn (or --connections N), with
//              warm caches and after --flush-kib KiB (2048) of other writes.
//   breakdown  in this process: the core's share (session::PlayerSession
//              fed the same streams), split into C++ allocations and zlib's
//              (C) allocations, and the size of one zlib stream of each kind.
//
// Kernel socket buffers are not in RSS, so RSS is the proxy's own cost.
//
//   rustguard_bench_proxy [--mode all|latency|idle|play|breakdown|core] [--connections N]
//                         [--round-trips N] [--rate HZ] [--seconds S] [--chunks N] [--flush-kib N]
//                         [--proxy PATH]

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/use_future.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <malloc.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <new>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "rustguard/protocol/compression.hpp"
#include "rustguard/protocol/frame_decoder.hpp"
#include "rustguard/protocol/frame_encoder.hpp"
#include "rustguard/protocol/packet_registry.hpp"
#include "rustguard/protocol/writer.hpp"
#include "rustguard/session/player_session.hpp"

// ---- C++ allocations, counted (the breakdown tells them from zlib's) --------

namespace {
std::atomic<long long> g_cpp_heap{0};
}  // namespace

void* operator new(std::size_t n) {
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc{};
  g_cpp_heap.fetch_add(static_cast<long long>(malloc_usable_size(p)), std::memory_order_relaxed);
  return p;
}
void operator delete(void* p) noexcept {
  if (p == nullptr) return;
  g_cpp_heap.fetch_sub(static_cast<long long>(malloc_usable_size(p)), std::memory_order_relaxed);
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept { operator delete(p); }

namespace {

using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using rustguard::protocol::Direction;
using rustguard::protocol::PacketKind;
using Bytes = std::vector<std::uint8_t>;
constexpr auto use_nothrow = asio::experimental::as_tuple(asio::use_awaitable);

// ---- protocol 47 -------------------------------------------------------------

constexpr std::int32_t kProtocol = 47;
constexpr std::int32_t kThreshold = 256;
constexpr double kSpawnX = 0.5, kSpawnY = 64.0, kSpawnZ = 0.5;

std::int32_t id(PacketKind kind) {
  const std::int32_t v = rustguard::protocol::find_version(kProtocol)->id_of(kind);
  if (v < 0) std::abort();
  return v;
}

// One encoder for every frame this process writes (single-threaded use).
Bytes& frame_into(Bytes& out, const Bytes& packet, std::int32_t threshold) {
  static rustguard::protocol::FrameEncoder encoder;
  encoder.set_compression_threshold(threshold);
  (void)encoder.append(out, packet);
  return out;
}

Bytes handshake(std::uint16_t port) {
  Bytes p;
  rustguard::protocol::Writer{p}.varint(0x00).varint(kProtocol).string("127.0.0.1").u16(port).varint(2);
  return p;
}
Bytes login_start(const std::string& name) {
  Bytes p;
  rustguard::protocol::Writer{p}.varint(id(PacketKind::login_start_c2s)).string(name);
  return p;
}
Bytes custom_payload(bool serverbound, std::string_view channel, std::span<const std::uint8_t> data) {
  Bytes p;
  rustguard::protocol::Writer{p}
      .varint(serverbound ? id(PacketKind::custom_payload_c2s) : id(PacketKind::custom_payload_s2c))
      .string(channel)
      .bytes(data);
  return p;
}

// A 1.8 Chunk Data packet with `sections` 16x16x16 sections: blocks drawn
// from a small palette (so it deflates about as well as real terrain), full
// sky light, some block light, biomes.
Bytes chunk_packet(int x, int z, int sections, std::uint32_t seed) {
  Bytes data;
  std::uint32_t r = seed;
  auto next = [&r] {
    r = r * 1664525u + 1013904223u;
    return r >> 16;
  };
  for (int s = 0; s < sections; ++s) {
    for (int i = 0; i < 4096; ++i) {
      const std::uint32_t n = next();
      const std::uint16_t block = static_cast<std::uint16_t>(((n % 16 < 11) ? 1 : (n % 7) + 2) << 4);
      data.push_back(static_cast<std::uint8_t>(block & 0xFF));
      data.push_back(static_cast<std::uint8_t>(block >> 8));
    }
    for (int i = 0; i < 2048; ++i) data.push_back(static_cast<std::uint8_t>(next() % 8 == 0 ? next() & 0xFF : 0));
    for (int i = 0; i < 2048; ++i) data.push_back(0xFF);
  }
  for (int i = 0; i < 256; ++i) data.push_back(static_cast<std::uint8_t>(next() % 3));
  Bytes p;
  rustguard::protocol::Writer{p}
      .varint(id(PacketKind::chunk_data_s2c))
      .i32(x)
      .i32(z)
      .boolean(true)
      .u16(static_cast<std::uint16_t>((1u << sections) - 1))
      .varint(static_cast<std::int32_t>(data.size()))
      .bytes(data);
  return p;
}

// What the backend sends, framed once (compressed frames are the same for
// every connection).
struct ServerTraffic {
  Bytes set_compression;  // plain framing
  Bytes login;            // Login Success, Join Game, Player Position And Look (compressed framing)
  std::vector<Bytes> chunks;
  Bytes entity_moves;     // one tick of three other players moving
  double chunk_compressed_mean = 0;
  std::size_t chunk_compressed_min = 0, chunk_compressed_max = 0;

  ServerTraffic() {
    Bytes p;
    rustguard::protocol::Writer{p}.varint(id(PacketKind::set_compression_login_s2c)).varint(kThreshold);
    frame_into(set_compression, p, -1);
    p.clear();
    rustguard::protocol::Writer{p}
        .varint(id(PacketKind::login_success_s2c))
        .string("00000000-0000-3000-8000-000000000001")
        .string("bench");
    frame_into(login, p, kThreshold);
    p.clear();
    rustguard::protocol::Writer{p}
        .varint(id(PacketKind::login_play_s2c))
        .i32(1)
        .u8(0)
        .i8(0)
        .u8(1)
        .u8(100)
        .string("default")
        .boolean(false);
    frame_into(login, p, kThreshold);
    p.clear();
    rustguard::protocol::Writer{p}
        .varint(id(PacketKind::sync_player_position_s2c))
        .f64(kSpawnX)
        .f64(kSpawnY)
        .f64(kSpawnZ)
        .f32(0)
        .f32(0)
        .u8(0);
    frame_into(login, p, kThreshold);
    std::size_t total = 0;
    for (int i = 0; i < 16; ++i) {
      Bytes framed;
      frame_into(framed, chunk_packet(i % 4, i / 4, 4 + i % 5, 0x9e3779b9u * static_cast<std::uint32_t>(i + 1)),
                 kThreshold);
      total += framed.size();
      chunk_compressed_min = chunk_compressed_min == 0 ? framed.size() : std::min(chunk_compressed_min, framed.size());
      chunk_compressed_max = std::max(chunk_compressed_max, framed.size());
      chunks.push_back(std::move(framed));
    }
    chunk_compressed_mean = static_cast<double>(total) / static_cast<double>(chunks.size());
    for (std::int32_t e = 2; e < 5; ++e) {
      p.clear();
      rustguard::protocol::Writer{p}.varint(id(PacketKind::entity_relative_move_s2c)).varint(e).i8(3).i8(0).i8(-2).boolean(true);
      frame_into(entity_moves, p, kThreshold);
    }
  }
  Bytes keep_alive(std::int32_t n) const {
    Bytes p, out;
    rustguard::protocol::Writer{p}.varint(id(PacketKind::keep_alive_s2c)).varint(n);
    return frame_into(out, p, kThreshold);
  }
};

// ---- shared between the bench's coroutines (one thread) ---------------------

struct Options {
  std::string mode = "all";
  int connections = 1000;
  int trips = 20000;
  double rate = 20;
  int seconds = 10;
  int chunks = 16;
  std::size_t flush_kib = 2048;  // core: memory written before a flushed read; 0: warm reads only
  std::string proxy = RUSTGUARD_PROXY_BINARY;
};

struct World {
  const Options& options;
  ServerTraffic traffic;
  rustguard::protocol::Inflater inflater;  // the bench's own, for reading ids
  Bytes plugin_data = Bytes(1500);
  std::atomic<bool> backend_ticks{true};  // false in the latency run: the backend only answers
  std::atomic<bool> backend_play{true};   // false in the idle run: login, then keep-alives only
  std::atomic<int> logged_in{0};
  std::atomic<int> ready{0};  // logged in and the chunk burst received
  std::atomic<int> closed{0};
  std::atomic<long> transactions{0};

  explicit World(const Options& o) : options(o) {
    std::uint32_t r = 7;
    for (auto& b : plugin_data) {
      r = r * 1103515245u + 12345u;
      b = static_cast<std::uint8_t>((r >> 16) % 20 + 'a');
    }
  }
};

// One writer at a time per socket: whoever finds the queue idle writes until
// it is empty; the others only append.
struct Outbox {
  Bytes pending, inflight;
  bool writing = false;
  bool failed = false;
};
asio::awaitable<void> flush(tcp::socket& s, Outbox& box) {
  if (box.writing || box.failed) co_return;
  box.writing = true;
  while (!box.pending.empty() && !box.failed) {
    box.inflight.swap(box.pending);
    auto [ec, n] = co_await asio::async_write(s, asio::buffer(box.inflight), use_nothrow);
    (void)n;
    if (ec) box.failed = true;
    box.inflight.clear();
  }
  box.writing = false;
}

// Reads frames from `s` until `handler` returns false or the socket ends.
// Reads frames from `s` until `handler` returns false or the socket ends;
// what the handler queued in `replies` is sent after each read.
template <class Handler>
asio::awaitable<void> read_frames(tcp::socket& s, rustguard::protocol::FrameDecoder& decoder, Handler&& handler,
                                  Outbox* replies = nullptr) {
  std::array<std::uint8_t, 16384> buf;
  bool go = true;
  while (go) {
    auto [ec, n] = co_await s.async_read_some(asio::buffer(buf), use_nothrow);
    if (ec) co_return;
    auto fed = decoder.feed(std::span<const std::uint8_t>(buf.data(), n), [&](const rustguard::protocol::Frame& f) {
      if (!go) return;
      go = handler(f);
    });
    if (!fed) {
      std::fprintf(stderr, "bench: undecodable stream: %s\n", fed.error().message().c_str());
      co_return;
    }
    if (replies != nullptr && !replies->pending.empty()) co_await flush(s, *replies);
  }
}

// The packet id and (small, uncompressed) body of a frame; compressed bodies
// are not inflated, only their id is learned.
struct Packet {
  std::int32_t id = -1;
  std::span<const std::uint8_t> body;
  bool compressed = false;
};
Packet packet_of(World& w, const rustguard::protocol::Frame& f) {
  Packet p;
  if (f.compressed()) {
    p.compressed = true;
    if (auto got = w.inflater.peek_packet_id(f.payload, f.data_length)) p.id = *got;
    return p;
  }
  const auto v = rustguard::protocol::read_varint_prefix(f.payload);
  p.id = v.value;
  p.body = f.payload.subspan(v.size);
  return p;
}

// ---- the backend ---------------------------------------------------------------

asio::awaitable<void> backend_connection(tcp::socket s, World& w) {
  using namespace asio::experimental::awaitable_operators;
  rustguard::protocol::FrameDecoder decoder(Direction::serverbound);
  Outbox box;
  bool playing = false;
  bool done = false;
  auto reader = [&]() -> asio::awaitable<void> {
    int stage = 0;  // 0 handshake, 1 login, 2 play
    co_await read_frames(s, decoder, [&](const rustguard::protocol::Frame& f) {
      const Packet p = packet_of(w, f);
      if (stage == 0) {
        stage = 1;
      } else if (stage == 1) {
        // Login Start: compression on, logged in, in play, the chunk burst.
        box.pending.insert(box.pending.end(), w.traffic.set_compression.begin(), w.traffic.set_compression.end());
        decoder.set_compression_threshold(kThreshold);
        box.pending.insert(box.pending.end(), w.traffic.login.begin(), w.traffic.login.end());
        for (int i = 0; i < w.options.chunks && w.backend_ticks && w.backend_play; ++i) {
          const Bytes& c = w.traffic.chunks[static_cast<std::size_t>(i) % w.traffic.chunks.size()];
          box.pending.insert(box.pending.end(), c.begin(), c.end());
        }
        stage = 2;
        playing = true;
      } else if (!p.compressed && p.id == id(PacketKind::custom_payload_c2s) && !w.backend_ticks) {
        // The latency probe: "bench:ping" + 8 bytes comes back as "bench:pong".
        Bytes out;
        frame_into(out, custom_payload(false, "bench:pong", p.body.last(8)), kThreshold);
        box.pending.insert(box.pending.end(), out.begin(), out.end());
      }
      return true;
    }, &box);
    done = true;
  };
  auto ticker = [&]() -> asio::awaitable<void> {
    asio::steady_timer t(s.get_executor());
    std::int32_t tick = 0;
    while (!done && !box.failed) {
      if (playing && w.backend_ticks) {
        ++tick;
        const bool play = w.backend_play;
        if (play) box.pending.insert(box.pending.end(), w.traffic.entity_moves.begin(), w.traffic.entity_moves.end());
        if (tick % 100 == 0) {
          const Bytes ka = w.traffic.keep_alive(tick);
          box.pending.insert(box.pending.end(), ka.begin(), ka.end());
        }
        if (play && tick % 40 == 0) {
          const Bytes& c = w.traffic.chunks[static_cast<std::size_t>(tick / 40) % w.traffic.chunks.size()];
          box.pending.insert(box.pending.end(), c.begin(), c.end());
        }
      }
      co_await flush(s, box);
      t.expires_after(std::chrono::milliseconds(50));
      co_await t.async_wait(use_nothrow);
    }
  };
  co_await (reader() || ticker());
}

asio::awaitable<void> backend_accept(tcp::acceptor& acceptor, World& w) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(use_nothrow);
    if (ec) co_return;
    socket.set_option(tcp::no_delay(true));
    asio::co_spawn(acceptor.get_executor(), backend_connection(std::move(socket), w), asio::detached);
  }
}

// ---- the players ---------------------------------------------------------------

struct PlayerCounters {
  bool logged_in = false;
  int chunks = 0;
};

// One player: logs in, then plays at `rate` Hz (0: stays still and quiet,
// answering only what it must) until `stop` is set.
asio::awaitable<void> player(std::uint16_t port, std::uint16_t backend_port, int index, World& w, double rate,
                             const std::atomic<bool>& stop) {
  using namespace asio::experimental::awaitable_operators;
  tcp::socket s(co_await asio::this_coro::executor);
  auto [ec] = co_await s.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), use_nothrow);
  if (ec) {
    w.closed.fetch_add(1);
    co_return;
  }
  s.set_option(tcp::no_delay(true));
  rustguard::protocol::FrameDecoder decoder(Direction::clientbound);
  Outbox box;
  std::int32_t threshold = -1;
  frame_into(box.pending, handshake(backend_port), -1);
  frame_into(box.pending, login_start("bench" + std::to_string(index)), -1);
  co_await flush(s, box);
  PlayerCounters c;
  bool done = false;
  auto reader = [&]() -> asio::awaitable<void> {
    co_await read_frames(s, decoder, [&](const rustguard::protocol::Frame& f) {
      const Packet p = packet_of(w, f);
      if (!c.logged_in) {
        if (p.id == id(PacketKind::set_compression_login_s2c)) {
          threshold = kThreshold;
          decoder.set_compression_threshold(kThreshold);
        } else if (p.id == id(PacketKind::login_success_s2c)) {
          c.logged_in = true;
          w.logged_in.fetch_add(1);
          if (w.options.chunks == 0 || rate == 0) w.ready.fetch_add(1);
          // The answer to the spawn position, as the game's client sends it.
          Bytes q;
          rustguard::protocol::Writer{q}
              .varint(id(PacketKind::set_position_rotation_c2s))
              .f64(kSpawnX)
              .f64(kSpawnY)
              .f64(kSpawnZ)
              .f32(0)
              .f32(0)
              .boolean(false);
          frame_into(box.pending, q, threshold);
        }
        return true;
      }
      if (p.id == id(PacketKind::chunk_data_s2c)) {
        if (++c.chunks == w.options.chunks && rate > 0) w.ready.fetch_add(1);
      } else if (p.id == id(PacketKind::keep_alive_s2c) && !p.compressed) {
        Bytes q;
        rustguard::protocol::Writer{q}.varint(id(PacketKind::keep_alive_c2s)).bytes(p.body);
        frame_into(box.pending, q, threshold);
      } else if (p.id == id(PacketKind::window_confirmation_s2c) && !p.compressed && p.body.size() == 4) {
        Bytes q;
        rustguard::protocol::Writer{q}
            .varint(id(PacketKind::window_confirmation_c2s))
            .u8(p.body[0])
            .u8(p.body[1])
            .u8(p.body[2])
            .boolean(true);
        frame_into(box.pending, q, threshold);
        w.transactions.fetch_add(1, std::memory_order_relaxed);
      }
      return true;
    }, &box);
    done = true;
  };
  auto ticker = [&]() -> asio::awaitable<void> {
    asio::steady_timer t(s.get_executor());
    const auto period = std::chrono::microseconds(rate > 0 ? static_cast<long>(1e6 / rate) : 50'000);
    long tick = 0;
    while (!done && !stop.load(std::memory_order_relaxed) && !box.failed) {
      if (c.logged_in && rate > 0) {
        ++tick;
        Bytes q;
        rustguard::protocol::Writer{q}
            .varint(id(PacketKind::set_position_c2s))
            .f64(kSpawnX)
            .f64(kSpawnY)
            .f64(kSpawnZ)
            .boolean(true);
        frame_into(box.pending, q, threshold);
        if (tick % static_cast<long>(std::max(1.0, rate * 5)) == 1) {
          frame_into(box.pending, custom_payload(true, "bench:data", w.plugin_data), threshold);
        }
      }
      co_await flush(s, box);
      t.expires_after(period);
      co_await t.async_wait(use_nothrow);
    }
  };
  co_await (reader() || ticker());
  w.closed.fetch_add(1);
}

// ---- latency -------------------------------------------------------------------

struct Percentiles {
  double p50, p99;
};

// Logs one player in, then times `count` plugin-message round trips.
asio::awaitable<void> round_trips(std::uint16_t port, std::uint16_t backend_port, int count, World& w,
                                  Percentiles& result) {
  tcp::socket s(co_await asio::this_coro::executor);
  co_await s.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), asio::use_awaitable);
  s.set_option(tcp::no_delay(true));
  Bytes out;
  frame_into(out, handshake(backend_port), -1);
  frame_into(out, login_start("latency"), -1);
  co_await asio::async_write(s, asio::buffer(out), asio::use_awaitable);
  rustguard::protocol::FrameDecoder decoder(Direction::clientbound);
  co_await read_frames(s, decoder, [&](const rustguard::protocol::Frame& f) {
    const Packet p = packet_of(w, f);
    if (p.id == id(PacketKind::set_compression_login_s2c)) decoder.set_compression_threshold(kThreshold);
    return p.id != id(PacketKind::sync_player_position_s2c);
  });
  std::vector<double> us;
  std::array<std::uint8_t, 8> stamp{};
  for (int i = 0; i < count + count / 10; ++i) {
    out.clear();
    stamp[0] = static_cast<std::uint8_t>(i);
    frame_into(out, custom_payload(true, "bench:ping", stamp), kThreshold);
    const auto t0 = Clock::now();
    co_await asio::async_write(s, asio::buffer(out), asio::use_awaitable);
    co_await read_frames(s, decoder, [&](const rustguard::protocol::Frame& f) {
      const Packet p = packet_of(w, f);
      if (p.id == id(PacketKind::window_confirmation_s2c) && p.body.size() == 4) {
        Bytes q, framed;
        rustguard::protocol::Writer{q}.varint(id(PacketKind::window_confirmation_c2s)).bytes(p.body.first(3)).boolean(true);
        frame_into(framed, q, kThreshold);
        asio::error_code ignored;
        asio::write(s, asio::buffer(framed), ignored);
      }
      return p.id != id(PacketKind::custom_payload_s2c);
    });
    const auto t1 = Clock::now();
    if (i >= count / 10) us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());  // after warm-up
  }
  std::sort(us.begin(), us.end());
  result = {us[us.size() / 2], us[us.size() * 99 / 100]};
}

// ---- the proxy process ---------------------------------------------------------

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

std::uint16_t free_port() {
  asio::io_context ctx;
  tcp::acceptor a(ctx, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

// GET /metrics: every sample, by its full name with labels.
std::map<std::string, double> scrape(std::uint16_t admin_port) {
  std::map<std::string, double> samples;
  try {
    asio::io_context ctx;
    tcp::socket s(ctx);
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), admin_port));
    const std::string request = "GET /metrics HTTP/1.0\r\nHost: bench\r\n\r\n";
    asio::write(s, asio::buffer(request));
    std::string body;
    std::array<char, 16384> buf;
    asio::error_code ec;
    for (;;) {
      const std::size_t n = s.read_some(asio::buffer(buf), ec);
      body.append(buf.data(), n);
      if (ec) break;
    }
    std::istringstream lines(body);
    std::string line;
    while (std::getline(lines, line)) {
      if (line.empty() || line[0] == '#') continue;
      const auto space = line.rfind(' ');
      if (space == std::string::npos) continue;
      samples[line.substr(0, space)] = std::atof(line.c_str() + space + 1);
    }
  } catch (const std::exception&) {
  }
  return samples;
}

double sum_of(const std::map<std::string, double>& m, const std::string& family) {
  double total = 0;
  for (const auto& [k, v] : m) {
    if (k == family || k.rfind(family + "{", 0) == 0) total += v;
  }
  return total;
}

struct Proxy {
  pid_t pid = -1;
  std::uint16_t listen = 0, admin = 0;
  std::string dir;
};

Proxy start_proxy(const std::string& binary, std::uint16_t backend_port) {
  Proxy p;
  p.listen = free_port();
  p.admin = free_port();
  char dir_template[] = "/tmp/rustguard-bench-XXXXXX";
  p.dir = mkdtemp(dir_template);
  const std::string config = p.dir + "/config.yml";
  {
    std::ofstream out(config);
    out << "listen: 127.0.0.1:" << p.listen << "\nbackend: 127.0.0.1:" << backend_port << "\nadmin: 127.0.0.1:"
        << p.admin << "\ndatabase: " << p.dir << "/rustguard.db\nthreads: 2\nlog_level: warn\n"
        << "connections:\n  login_timeout_ms: 3600000\n  idle_timeout_ms: 3600000\n"
        << "  per_ip_rate: 1000000\n  per_ip_burst: 1000000\n  max_connections: 100000\n"
        // The latency probe sends flat out, far above a player's packet rate.
        << "checks:\n  engine:\n    max_packets_per_second: 0\n";
  }
  p.pid = fork();
  if (p.pid == 0) {
    execl(binary.c_str(), binary.c_str(), "--config", config.c_str(), static_cast<char*>(nullptr));
    std::perror("exec rustguard");
    _exit(127);
  }
  asio::io_context ctx;
  for (int i = 0; i < 200; ++i) {
    try {
      tcp::socket probe(ctx);
      probe.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), p.listen));
      return p;
    } catch (const std::exception&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
  }
  std::fprintf(stderr, "rustguard (%s) did not start listening\n", binary.c_str());
  kill(p.pid, SIGKILL);
  int status = 0;
  waitpid(p.pid, &status, 0);
  p.pid = -1;
  return p;
}

void stop_proxy(Proxy& p) {
  if (p.pid <= 0) return;
  int status = 0;
  kill(p.pid, SIGTERM);
  waitpid(p.pid, &status, 0);
  std::remove((p.dir + "/config.yml").c_str());
  for (const char* f : {"/rustguard.db", "/rustguard.db-journal"}) std::remove((p.dir + f).c_str());
  rmdir(p.dir.c_str());
  p.pid = -1;
}

bool wait_for(const std::atomic<int>& counter, int target, std::chrono::seconds limit) {
  const auto until = Clock::now() + limit;
  while (counter.load() < target && Clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  return counter.load() >= target;
}

struct Reading {
  long rss_kib = 0;
  double heap_bytes = 0;
};
Reading read_proxy(const Proxy& p) {
  const auto m = scrape(p.admin);
  return {rss_kib(p.pid), sum_of(m, "rustguard_heap_in_use_bytes")};
}

// N players through the proxy: `rate` 0 is the idle profile.
// A fresh proxy process per run, so that RSS growth is not hidden by memory
// an earlier run freed inside the process.
void memory_run(const Options& o, World& w, std::uint16_t backend_port, asio::io_context& ctx, double rate,
                const char* label) {
  Proxy proxy = start_proxy(o.proxy, backend_port);
  if (proxy.pid <= 0) return;
  w.backend_play = rate > 0;
  std::atomic<bool> stop{false};
  auto spawn = [&](int count, int first) {
    for (int i = 0; i < count; ++i) {
      asio::post(ctx, [&, i, first] {
        asio::co_spawn(ctx, player(proxy.listen, backend_port, first + i, w, rate, stop), asio::detached);
      });
    }
  };
  // Warm the proxy's allocator and per-thread buffers before the baseline.
  w.logged_in = 0;
  w.ready = 0;
  w.closed = 0;
  spawn(20, 1'000'000);
  wait_for(w.ready, 20, std::chrono::seconds(30));
  stop = true;
  wait_for(w.closed, 20, std::chrono::seconds(10));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  stop = false;
  w.logged_in = 0;
  w.ready = 0;
  w.closed = 0;
  w.transactions = 0;

  const Reading before = read_proxy(proxy);
  const auto t0 = Clock::now();
  for (int opened = 0; opened < o.connections; opened += 100) {
    const int n = std::min(100, o.connections - opened);
    spawn(n, opened);
    wait_for(w.logged_in, opened + n, std::chrono::seconds(30));
  }
  const bool all = wait_for(w.ready, o.connections, std::chrono::seconds(120));
  const double join_s = std::chrono::duration<double>(Clock::now() - t0).count();
  const Reading joined = read_proxy(proxy);
  const auto per = [&](const Reading& r) {
    return std::pair{static_cast<double>(r.rss_kib - before.rss_kib) / o.connections,
                     (r.heap_bytes - before.heap_bytes) / 1024.0 / o.connections};
  };
  std::printf("  %s: %d players (%d logged in, %d ready, %d closed) in %.1f s\n", label, o.connections,
              w.logged_in.load(), w.ready.load(), w.closed.load(), join_s);
  if (!all) std::printf("    NOT ALL PLAYERS GOT THEIR BURST: figures below are partial\n");
  auto [rss1, heap1] = per(joined);
  std::printf("    after the join%-22s RSS %ld -> %ld KiB: %6.1f KiB per player; heap %6.1f KiB per player\n",
              rate > 0 ? " and the chunk burst" : "", before.rss_kib, joined.rss_kib, rss1, heap1);
  if (rate > 0) {
    std::this_thread::sleep_for(std::chrono::seconds(o.seconds));
    const Reading played = read_proxy(proxy);
    auto [rss2, heap2] = per(played);
    std::printf("    after %d s of play at %.0f Hz         RSS %ld -> %ld KiB: %6.1f KiB per player; heap %6.1f KiB per player\n",
                o.seconds, rate, before.rss_kib, played.rss_kib, rss2, heap2);
  }
  const auto m = scrape(proxy.admin);
  std::printf("    proxy: %.0f connections, %.0f violations, %.0f kicks, %.0f transactions sent (%ld answered here), "
              "%.0f decode errors\n",
              sum_of(m, "rustguard_connections"), sum_of(m, "rustguard_violations_total"),
              sum_of(m, "rustguard_kicks_total"), sum_of(m, "rustguard_transactions_sent_total"), w.transactions.load(),
              sum_of(m, "rustguard_decode_errors_total"));
  stop = true;
  wait_for(w.closed, o.connections, std::chrono::seconds(30));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  stop_proxy(proxy);
}

// ---- the core's share, in this process -----------------------------------------

long long heap_now() {
  const struct mallinfo2 mi = mallinfo2();
  return static_cast<long long>(mi.uordblks + mi.hblkhd);
}

// The bytes one player's connection carries, as the proxy reads them:
// login, the chunk burst, `ticks` ticks of play.
struct Streams {
  Bytes login;  // handshake and Login Start: the client waits for Set Compression after them
  Bytes to_server, to_client;
};
Streams play_streams(World& w, int ticks) {
  Streams s;
  frame_into(s.login, handshake(25565), -1);
  frame_into(s.login, login_start("breakdown"), -1);
  s.to_client = w.traffic.set_compression;
  s.to_client.insert(s.to_client.end(), w.traffic.login.begin(), w.traffic.login.end());
  for (int i = 0; i < w.options.chunks; ++i) {
    const Bytes& c = w.traffic.chunks[static_cast<std::size_t>(i) % w.traffic.chunks.size()];
    s.to_client.insert(s.to_client.end(), c.begin(), c.end());
  }
  Bytes q;
  rustguard::protocol::Writer{q}
      .varint(id(PacketKind::set_position_rotation_c2s))
      .f64(kSpawnX).f64(kSpawnY).f64(kSpawnZ).f32(0).f32(0).boolean(false);
  frame_into(s.to_server, q, kThreshold);
  for (int t = 1; t <= ticks; ++t) {
    q.clear();
    rustguard::protocol::Writer{q}.varint(id(PacketKind::set_position_c2s)).f64(kSpawnX).f64(kSpawnY).f64(kSpawnZ).boolean(true);
    frame_into(s.to_server, q, kThreshold);
    if (t % 100 == 1) frame_into(s.to_server, custom_payload(true, "bench:data", w.plugin_data), kThreshold);
    s.to_client.insert(s.to_client.end(), w.traffic.entity_moves.begin(), w.traffic.entity_moves.end());
  }
  return s;
}

void breakdown(World& w, int n) {
  using rustguard::session::PlayerSession;
  const Streams streams = play_streams(w, 200);
  auto config = std::make_shared<const rustguard::engine::EngineConfig>();
  std::printf("  the core's share, %d sessions built here and fed one player's login, %d chunks and 10 s of play\n",
              n, w.options.chunks);
  std::printf("    sizeof(PlayerSession) %zu B\n", sizeof(PlayerSession));
  std::vector<std::unique_ptr<PlayerSession>> sessions;
  // As the proxy does: one zlib workspace lent to every session of the thread
  // (counted apart, below).
  rustguard::protocol::CompressionWorkspace shared;
  malloc_trim(0);
  const long long heap0 = heap_now();
  const long long cpp0 = g_cpp_heap.load();
  for (int i = 0; i < n; ++i) {
    sessions.push_back(std::make_unique<PlayerSession>(rustguard::ProtocolLimits{}, config));
    sessions.back()->use_workspace(shared);
  }
  const long long heap_built = heap_now();
  const long long cpp_built = g_cpp_heap.load();
  // Fed in 1460-byte pieces, as TCP segments arrive, alternating directions.
  rustguard::session::Output out;
  rustguard::Timestamp now = rustguard::Timestamp::from_millis(1'700'000'000'000);
  for (auto& s : sessions) {
    out.clear();
    s->feed(Direction::serverbound, streams.login, now, out);
    std::size_t a = 0, b = 0;
    while (a < streams.to_server.size() || b < streams.to_client.size()) {
      const std::size_t na = std::min<std::size_t>(1460, streams.to_server.size() - a);
      const std::size_t nb = std::min<std::size_t>(1460, streams.to_client.size() - b);
      if (nb) {
        out.clear();
        s->feed(Direction::clientbound, std::span<const std::uint8_t>(streams.to_client).subspan(b, nb), now, out);
        b += nb;
      }
      if (na) {
        out.clear();
        s->feed(Direction::serverbound, std::span<const std::uint8_t>(streams.to_server).subspan(a, na), now, out);
        a += na;
      }
      now = now + rustguard::Micros{50'000};
      if (out.close) {
        std::printf("    the session closed: %s\n", out.close->reason.c_str());
        break;
      }
    }
  }
  out = {};
  std::size_t held = 0;
  for (const auto& s : sessions) held += s->connection().buffer_capacity();
  const long long heap_fed = heap_now();
  const long long cpp_fed = g_cpp_heap.load();
  const double kib = 1024.0 * n;
  std::printf("    heap per session: %.1f KiB built, %.1f KiB after the traffic\n",
              static_cast<double>(heap_built - heap0) / kib, static_cast<double>(heap_fed - heap0) / kib);
  std::printf("      C++ objects and buffers (operator new)     %.1f KiB built, %.1f KiB after\n",
              static_cast<double>(cpp_built - cpp0) / kib, static_cast<double>(cpp_fed - cpp0) / kib);
  std::printf("      zlib's own state (malloc from zlib)        %.1f KiB built, %.1f KiB after\n",
              static_cast<double>((heap_built - heap0) - (cpp_built - cpp0)) / kib,
              static_cast<double>((heap_fed - heap0) - (cpp_fed - cpp0)) / kib);
  std::printf("      of which frame buffers held between reads  %.2f KiB\n", static_cast<double>(held) / kib);
  std::printf("    the shared workspace, once for all %d: %s inflater, %s deflater, scratch %zu + %zu + %zu B\n", n,
              shared.has_inflater() ? "an" : "no", shared.has_deflater() ? "a" : "no", shared.inflated().capacity(),
              shared.packet().capacity(), shared.deflated().capacity());
  sessions.clear();

  // One zlib stream of each kind, as the session uses them.
  const Bytes& chunk = w.traffic.chunks.front();
  rustguard::protocol::FrameDecoder dec(Direction::clientbound);
  dec.set_compression_threshold(kThreshold);
  rustguard::protocol::Frame frame;
  Bytes copy;
  (void)dec.feed(chunk, [&](const rustguard::protocol::Frame& f) {
    copy.assign(f.payload.begin(), f.payload.end());
    frame.data_length = f.data_length;
  });
  {
    malloc_trim(0);
    const long long h0 = heap_now();
    auto inflater = std::make_unique<rustguard::protocol::Inflater>();
    const long long h1 = heap_now();
    (void)inflater->peek_packet_id(copy, frame.data_length);
    const long long h2 = heap_now();
    std::printf("    one Inflater: %.1f KiB created, %.1f KiB once it has inflated (its 32 KiB window)\n",
                static_cast<double>(h1 - h0) / 1024, static_cast<double>(h2 - h0) / 1024);
  }
  {
    malloc_trim(0);
    const long long h0 = heap_now();
    auto deflater = std::make_unique<rustguard::protocol::Deflater>(1);
    const long long h1 = heap_now();
    Bytes z;
    deflater->deflate(copy, z);
    const long long h2 = heap_now();
    std::printf("    one Deflater (level 1): %.1f KiB created, %.1f KiB after one packet\n",
                static_cast<double>(h1 - h0) / 1024, static_cast<double>(h2 - h0) / 1024);
  }
}

// The core's time per read (session::PlayerSession::feed, what the proxy's
// inspection runs), by direction, with 1 to 10,000 players fed in turn, each
// read timed alone. Twice: as a tight loop runs it (warm caches), and with
// --flush-kib (2 MiB) of other memory written before each read, as the
// kernel's socket work between two reads of the live proxy does (recvmsg,
// the TCP stack, send): there a read pays for the lines of the player's
// state, and of the code, that this work evicted. Per tick, each player gets three other
// players' entity moves (a clientbound read) and sends one movement packet
// with a look that turns a little every tick, as a player walking and
// looking about does (a serverbound read).
void core_cost(World& w, const std::vector<int>& players, std::size_t flush_kib) {
  using rustguard::session::PlayerSession;
  constexpr int kTicks = 200;  // 10 s of game time: within every check's and timeout's patience
  Bytes login;
  frame_into(login, handshake(25565), -1);
  frame_into(login, login_start("core"), -1);
  Bytes login_reply = w.traffic.set_compression;
  login_reply.insert(login_reply.end(), w.traffic.login.begin(), w.traffic.login.end());
  Bytes first;
  rustguard::protocol::Writer{first}
      .varint(id(PacketKind::set_position_rotation_c2s))
      .f64(kSpawnX).f64(kSpawnY).f64(kSpawnZ).f32(0).f32(0).boolean(false);
  Bytes first_framed;
  frame_into(first_framed, first, kThreshold);
  // Tick t's movement: in place, the yaw turned by 1.2 degrees a tick (8 of
  // the mouse's steps at the default sensitivity), so the look checks judge
  // a turn on every read.
  std::vector<Bytes> moves_framed(kTicks);
  for (int t = 0; t < kTicks; ++t) {
    Bytes move;
    rustguard::protocol::Writer{move}
        .varint(id(PacketKind::set_position_rotation_c2s))
        .f64(kSpawnX).f64(kSpawnY).f64(kSpawnZ).f32(1.2f * static_cast<float>(t + 1)).f32(0).boolean(true);
    frame_into(moves_framed[static_cast<std::size_t>(t)], move, kThreshold);
  }
  auto config = std::make_shared<const rustguard::engine::EngineConfig>();
  std::vector<std::uint8_t> other(flush_kib * 1024);
  std::uint8_t stir = 0;
  const auto flush = [&] {
    for (std::size_t i = 0; i < other.size(); i += 64) other[i] = ++stir;
  };
  // What timing an empty read costs (two clock reads), taken off each figure.
  std::vector<double> empty;
  for (int i = 0; i < 10'000; ++i) {
    const auto t0 = Clock::now();
    const auto t1 = Clock::now();
    empty.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count());
  }
  std::sort(empty.begin(), empty.end());
  const double clock_ns = empty[empty.size() / 2];
  std::printf("  the core's time per read (PlayerSession::feed), median, players fed in turn, %d ticks each;\n"
              "  warm: a tight loop; flushed: %zu KiB written before the read (the clock's %.0f ns taken off)\n",
              kTicks, flush_kib, clock_ns);
  for (const int n : players) {
    rustguard::protocol::CompressionWorkspace shared;
    std::vector<std::unique_ptr<PlayerSession>> sessions;
    rustguard::session::Output out;
    rustguard::Timestamp now = rustguard::Timestamp::from_millis(1'700'000'000'000);
    for (int i = 0; i < n; ++i) {
      sessions.push_back(std::make_unique<PlayerSession>(rustguard::ProtocolLimits{}, config));
      sessions.back()->use_workspace(shared);
      out.clear();
      sessions.back()->feed(Direction::serverbound, login, now, out);
      sessions.back()->feed(Direction::clientbound, login_reply, now, out);
      sessions.back()->feed(Direction::serverbound, first_framed, now, out);
    }
    std::vector<double> times[2][2];  // [warm, flushed][serverbound, clientbound]
    std::size_t closed = 0, violations = 0;
    const auto read = [&](PlayerSession& s, Direction d, std::span<const std::uint8_t> bytes, bool flushed) {
      if (flushed) flush();
      out.clear();
      const auto t0 = Clock::now();
      s.feed(d, bytes, now, out);
      const auto t1 = Clock::now();
      times[flushed ? 1 : 0][d == Direction::serverbound ? 0 : 1].push_back(
          std::chrono::duration<double, std::nano>(t1 - t0).count() - clock_ns);
      closed += out.close ? 1 : 0;
      for (const auto& e : out.events) violations += std::holds_alternative<rustguard::session::ViolationFound>(e) ? 1 : 0;
    };
    // A flush takes tens of microseconds: at 10,000 players one player in ten.
    const std::size_t flushed_every = n >= 10'000 ? 10 : 1;
    for (int t = 0; t < kTicks; ++t) {
      now = now + rustguard::Micros{50'000};
      const bool flushing_tick = flush_kib > 0 && t >= kTicks / 2;  // the first half warm
      for (std::size_t i = 0; i < sessions.size(); ++i) {
        const bool flushed = flushing_tick && i % flushed_every == 0;
        read(*sessions[i], Direction::clientbound, w.traffic.entity_moves, flushed);
        read(*sessions[i], Direction::serverbound, moves_framed[static_cast<std::size_t>(t)], flushed);
      }
    }
    const auto median = [](std::vector<double>& v) {
      std::sort(v.begin(), v.end());
      return v.empty() ? 0.0 : v[v.size() / 2];
    };
    if (flush_kib == 0) {
      std::printf("    %5d players: serverbound (a movement with a turn) %4.0f ns warm; clientbound (three entity moves) %4.0f "
                  "ns warm; sessions closed %zu, violations %zu (expect 0, 0)\n",
                  n, median(times[0][0]), median(times[0][1]), closed, violations);
      continue;
    }
    std::printf("    %5d players: serverbound (a movement with a turn) %4.0f ns warm, %4.0f ns flushed; clientbound (three "
                "entity moves) %4.0f ns warm, %4.0f ns flushed; sessions closed %zu, violations %zu (expect 0, 0)\n",
                n, median(times[0][0]), median(times[1][0]), median(times[0][1]), median(times[1][1]), closed,
                violations);
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  bool connections_given = false;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--connections") {
      o.connections = std::atoi(argv[i + 1]);
      connections_given = true;
    }
    else if (flag == "--round-trips") o.trips = std::atoi(argv[i + 1]);
    else if (flag == "--proxy") o.proxy = argv[i + 1];
    else if (flag == "--mode") o.mode = argv[i + 1];
    else if (flag == "--rate") o.rate = std::atof(argv[i + 1]);
    else if (flag == "--seconds") o.seconds = std::atoi(argv[i + 1]);
    else if (flag == "--chunks") o.chunks = std::atoi(argv[i + 1]);
    else if (flag == "--flush-kib") o.flush_kib = static_cast<std::size_t>(std::atol(argv[i + 1]));
  }
  o.chunks = std::clamp(o.chunks, 0, 1000);
  auto wants = [&](const char* m) { return o.mode == "all" || o.mode == m; };
  rlimit l{};
  if (getrlimit(RLIMIT_NOFILE, &l) == 0) {
    l.rlim_cur = l.rlim_max;
    setrlimit(RLIMIT_NOFILE, &l);
  }
  signal(SIGPIPE, SIG_IGN);

  World world(o);
  std::printf("[proxy] %s on loopback, 2 io threads; in-process 1.8 backend, compression threshold 256\n",
              o.proxy.c_str());
  std::printf("  chunk packets %.1f KB compressed on average (%zu-%zu B)\n", world.traffic.chunk_compressed_mean / 1000,
              world.traffic.chunk_compressed_min, world.traffic.chunk_compressed_max);

  if (wants("breakdown")) breakdown(world, 200);
  // --connections N: only N players (for a profiler's run).
  if (wants("core")) core_cost(world, connections_given ? std::vector<int>{o.connections} : std::vector<int>{1, 100, 1000, 10000},
                                 o.flush_kib);
  if (o.mode == "breakdown" || o.mode == "core") return 0;

  asio::io_context ctx;
  auto guard = asio::make_work_guard(ctx);
  tcp::acceptor backend(ctx, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const std::uint16_t backend_port = backend.local_endpoint().port();
  asio::co_spawn(ctx, backend_accept(backend, world), asio::detached);
  std::thread bench_thread([&] { ctx.run(); });

  int rc = 0;
  if (wants("latency")) {
    Proxy proxy = start_proxy(o.proxy, backend_port);
    if (proxy.pid <= 0) {
      rc = 1;
    } else {
      world.backend_ticks = false;
      Percentiles direct{}, through{};
      auto run = [&](std::uint16_t port, Percentiles& into) {
        auto f = asio::co_spawn(ctx, round_trips(port, backend_port, o.trips, world, into), asio::use_future);
        f.get();
      };
      run(backend_port, direct);
      run(proxy.listen, through);
      world.backend_ticks = true;
      std::printf("  round trip of a small plugin message in play (compressed framing), %d samples\n", o.trips);
      std::printf("    direct to the backend        p50 %7.1f us   p99 %7.1f us\n", direct.p50, direct.p99);
      std::printf("    through rustguard            p50 %7.1f us   p99 %7.1f us\n", through.p50, through.p99);
      std::printf("    added by rustguard           p50 %7.1f us   p99 %7.1f us\n", through.p50 - direct.p50,
                  through.p99 - direct.p99);
    }
    stop_proxy(proxy);
  }
  if (wants("idle")) memory_run(o, world, backend_port, ctx, 0, "idle (logged in, in play, keep-alives only)");
  if (wants("play")) memory_run(o, world, backend_port, ctx, o.rate, "playing");
  asio::error_code ignored;
  backend.close(ignored);
  guard.reset();
  ctx.stop();
  bench_thread.join();
  return rc;
}
