// Engine cost per serverbound movement packet with every check of the default
// chain enabled: a 1.21.4 player sprint-jumping in a straight line, with a
// heartbeat transaction answered every second, as in the live proxy. Packets
// are pre-encoded; each sample times a batch of 64 on_serverbound calls with
// steady_clock (so the clock's own cost is amortised) and the figures are the
// median and p99 of the per-packet averages of those batches.
//
//   rustguard_bench_engine [seconds]

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "rustguard/engine/detection_engine.hpp"
#include "rustguard/protocol/connection_tracker.hpp"
#include "rustguard/protocol/writer.hpp"

namespace {

using namespace rustguard;
using protocol::PacketKind;

struct Move {
  std::vector<std::uint8_t> body;
};

// Vanilla sprint-jumping on flat ground, one entry per tick.
std::vector<Move> sprint_jump_path(std::size_t ticks) {
  std::vector<Move> out;
  double x = 0, y = 64, vx = 0, vy = 0;
  bool ground = true;
  for (std::size_t i = 0; i < ticks; ++i) {
    const bool was_ground = ground;
    if (was_ground) {
      vy = 0.42;
      vx += 0.2;
    }
    vx += (was_ground ? 0.13 : 0.026) * 0.98;
    x += vx;
    y += vy;
    ground = y <= 64;
    if (ground) {
      y = 64;
      vy = 0;
    }
    vx *= was_ground ? 0.546 : 0.91;
    vy = (vy - 0.08) * 0.98;
    Move m;
    protocol::Writer{m.body}.f64(x).f64(y).f64(0).f32(0).f32(10).u8(ground ? 1 : 0);
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 2.0;
  constexpr std::int32_t kProtocol = protocol::v::v1_21_4;
  constexpr std::size_t kBatch = 64;

  auto config = std::make_shared<engine::EngineConfig>();
  engine::DetectionEngine eng(config);
  protocol::ConnectionTracker tracker;
  std::vector<std::uint8_t> hs;
  protocol::Writer{hs}.varint(kProtocol).string("bench").u16(25565).varint(2);
  (void)tracker.on_packet(protocol::Direction::serverbound, PacketKind::intention_c2s, hs);
  Timestamp now = Timestamp::from_millis(1'700'000'000'000);
  eng.on_connection_start(tracker, now);
  eng.on_play_start(now);

  const auto path = sprint_jump_path(1 << 16);
  std::vector<double> per_packet_ns;
  std::size_t tick = 0;
  std::size_t flags_before = 0;
  std::vector<std::uint8_t> pong;
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  while (std::chrono::duration<double>(clock::now() - start).count() < seconds) {
    if (tick + kBatch >= path.size()) break;
    // Once a second: a heartbeat transaction, answered (not timed).
    if (tick % 20 == 0) {
      const auto d = eng.on_clientbound(PacketKind::keep_alive_s2c, {}, now);
      if (d.transaction_after) {
        pong.clear();
        protocol::Writer{pong}.i32(*d.transaction_after);
        (void)eng.on_serverbound(PacketKind::pong_c2s, pong, now);
      }
    }
    const auto t0 = clock::now();
    for (std::size_t i = 0; i < kBatch; ++i) {
      now += millis(50);
      const auto v = eng.on_serverbound(PacketKind::set_position_rotation_c2s, path[tick + i].body, now);
      if (v != engine::Verdict::pass) ++flags_before;
    }
    const auto t1 = clock::now();
    tick += kBatch;
    per_packet_ns.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count() / kBatch);
  }
  std::sort(per_packet_ns.begin(), per_packet_ns.end());
  if (per_packet_ns.empty()) return 1;
  const auto at = [&](double q) {
    return per_packet_ns[std::min(per_packet_ns.size() - 1, static_cast<std::size_t>(q * per_packet_ns.size()))];
  };
  std::printf("engine: %zu movement packets, all %zu checks on, protocol %d\n", tick,
              checks::DefaultChecks::size, kProtocol);
  std::printf("  per serverbound movement packet: median %.1f ns, p99 %.1f ns (batches of %zu)\n", at(0.5),
              at(0.99), kBatch);
  std::printf("  violations raised: %zu (a legitimate path: expect 0), non-pass verdicts: %zu\n",
              eng.violations().size(), flags_before);
  for (const auto& v : eng.violations()) std::printf("  %s/%s: %s\n", v.check.c_str(), v.type.c_str(), v.detail.c_str());
  return 0;
}
