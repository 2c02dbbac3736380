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
#include <utility>
#include <vector>

#include "rustguard/context/tracked_entities.hpp"
#include "rustguard/engine/detection_engine.hpp"
#include "rustguard/protocol/connection_tracker.hpp"
#include "rustguard/protocol/writer.hpp"

namespace {

using namespace rustguard;
using protocol::PacketKind;

struct Move {
  std::vector<std::uint8_t> body;
};

// Vanilla sprint-jumping on flat ground, one entry per tick, turning by one
// mouse count a tick (sensitivity 0.5: 0.15 degrees, added in float as the
// client does). A vanilla client sends its look only when it changed, so a
// constant look in every packet would be aim.duplicate flags, not a
// legitimate path.
std::vector<Move> sprint_jump_path(std::size_t ticks) {
  std::vector<Move> out;
  double x = 0, y = 64, vx = 0, vy = 0;
  float yaw = 0;
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
    yaw += 0.15F;
    protocol::Writer{m.body}.f64(x).f64(y).f64(0).f32(yaw).f32(10).u8(ground ? 1 : 0);
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace

// Entity tracking: the cost of one tracked entity move with 100 entities
// in view, in the tracker alone (a transaction every 20 moves, the client one
// behind, a client tick every 100 moves) and through the engine (a pre-encoded
// 1.21.4 Move Entity Pos: decode, updaters, heartbeat), plus the memory per
// tracked entity. Goal: <= 200 ns a move.
static void bench_entity_tracking(double seconds) {
  constexpr std::int32_t kEntities = 100;
  constexpr std::size_t kBatch = 1000;
  using clock = std::chrono::steady_clock;
  const auto median = [](std::vector<double>& v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
  };

  context::TrackedEntities tracker;
  for (std::int32_t id = 0; id < kEntities; ++id) {
    (void)tracker.spawn(context::EntitySpawn{id * 3 + 1000, 147, {double(id), 64, 0}, context::kPlayerDimensions, 3});
  }
  std::vector<double> alone_ns;
  std::uint64_t seq = 1;
  std::size_t moves = 0;
  double sink = 0;
  auto start = clock::now();
  while (std::chrono::duration<double>(clock::now() - start).count() < seconds / 2) {
    const auto t0 = clock::now();
    for (std::size_t i = 0; i < kBatch; ++i, ++moves) {
      const auto id = static_cast<std::int32_t>(moves % kEntities) * 3 + 1000;
      tracker.move_by(id, {0.125, 0, (moves & 1) ? 0.0625 : -0.0625}, seq, seq - 1);
      if (moves % 20 == 19) ++seq;
      if (moves % 100 == 99) tracker.client_tick(seq - 1);
    }
    alone_ns.push_back(std::chrono::duration<double, std::nano>(clock::now() - t0).count() / kBatch);
    sink += tracker.info(1000)->latest.x;
  }

  auto config = std::make_shared<engine::EngineConfig>();
  engine::DetectionEngine eng(config);
  protocol::ConnectionTracker conn;
  std::vector<std::uint8_t> b;
  protocol::Writer{b}.varint(protocol::v::v1_21_4).string("bench").u16(25565).varint(2);
  (void)conn.on_packet(protocol::Direction::serverbound, PacketKind::intention_c2s, b);
  Timestamp now = Timestamp::from_millis(1'700'000'000'000);
  eng.on_connection_start(conn, now);
  eng.on_play_start(now);
  for (std::int32_t id = 0; id < kEntities; ++id) {
    b.clear();
    protocol::Writer w{b};
    w.varint(id * 3 + 1000).uuid({1, static_cast<std::uint64_t>(id)}).varint(147).f64(id).f64(64).f64(0);
    w.u8(0).u8(0).u8(0).varint(0).i16(0).i16(0).i16(0);
    (void)eng.on_clientbound(PacketKind::spawn_entity_s2c, b, now);
  }
  std::vector<std::vector<std::uint8_t>> bodies;
  for (std::int32_t id = 0; id < kEntities; ++id) {
    b.clear();
    protocol::Writer{b}.varint(id * 3 + 1000).i16(512).i16(0).i16(static_cast<std::int16_t>(id % 2 ? 256 : -256)).boolean(true);
    bodies.push_back(b);
  }
  std::vector<double> engine_ns;
  std::vector<std::uint8_t> pong;
  start = clock::now();
  while (std::chrono::duration<double>(clock::now() - start).count() < seconds / 2) {
    const auto t0 = clock::now();
    std::int32_t answer = 0;
    for (std::size_t i = 0; i < kBatch; ++i, ++moves) {
      if (i % 100 == 0) now += millis(50);  // 100 moves a server tick
      const auto d = eng.on_clientbound(PacketKind::entity_relative_move_s2c, bodies[moves % kEntities], now);
      if (d.transaction_after) answer = *d.transaction_after;
    }
    engine_ns.push_back(std::chrono::duration<double, std::nano>(clock::now() - t0).count() / kBatch);
    if (answer != 0) {  // answered outside the timing, so moves settle as live
      pong.clear();
      protocol::Writer{pong}.i32(answer);
      (void)eng.on_serverbound(PacketKind::pong_c2s, pong, now);
    }
  }
  const auto& tracked = eng.context().entities;
  std::printf("entity tracking: %d entities, %zu moves (checksum %.0f; through the engine, entity 1000 moved %.0f blocks)\n",
              kEntities, moves, sink, tracked.info(1000) ? tracked.info(1000)->latest.x : -1.0);
  std::printf("  per entity move: tracker %.1f ns, through the engine (decode + updaters) %.1f ns (goal <= 200)\n",
              median(alone_ns), median(engine_ns));
  context::TrackedEntities full;
  for (std::int32_t id = 0; id < static_cast<std::int32_t>(context::TrackedEntities::kMaxEntities); ++id) {
    (void)full.spawn(context::EntitySpawn{id, 0, {}, context::kPlayerDimensions, 3});
  }
  std::printf("  memory per tracked entity: %zu B (sizeof), %.0f B with the index at %d entities, %.0f B at the cap of "
              "%zu (%zu KiB)\n",
              context::TrackedEntities::entity_bytes(), double(tracked.memory_bytes()) / tracked.size(), kEntities,
              double(full.memory_bytes()) / full.size(), full.size(), full.memory_bytes() / 1024);
}

// Judging one attack: a 1.21.4 player among 100 tracked entities (in a ring
// 2.6 blocks around it, each moved once a tick with the client one
// transaction behind, so several boxes are possible), sweeping its look
// across the entities in front and attacking the one it looks at every 2
// or 3 ticks, as an honest player would (no violation expected).
// Only the attack packet is timed, through the whole engine (decode, every
// check reading attacks: reach, hitbox, killaura, autoclicker, self
// attack); the tick's movement packet and the entity moves are not. Each
// sample is one attack timed alone, so the figure includes one clock read
// (about 20 ns); the clock alone is timed beside it, so a tail the machine
// adds (an interrupt, another tenant) shows there too. Goal: <= 2 us an
// attack.
static void bench_attack_judging(double seconds) {
  constexpr std::int32_t kEntities = 100;
  constexpr double kRing = 2.6;
  using clock = std::chrono::steady_clock;

  auto config = std::make_shared<engine::EngineConfig>();
  engine::DetectionEngine eng(config);
  protocol::ConnectionTracker conn;
  std::vector<std::uint8_t> b;
  protocol::Writer{b}.varint(protocol::v::v1_21_4).string("bench").u16(25565).varint(2);
  (void)conn.on_packet(protocol::Direction::serverbound, PacketKind::intention_c2s, b);
  Timestamp now = Timestamp::from_millis(1'700'000'000'000);
  eng.on_connection_start(conn, now);
  eng.on_play_start(now);
  const double pi = std::acos(-1.0);
  const auto ring = [&](std::int32_t id) {
    const double a = 2 * pi * id / kEntities;
    return std::pair<double, double>{kRing * std::cos(a), kRing * std::sin(a)};
  };
  std::vector<std::int32_t> spawn_answers;
  for (std::int32_t id = 0; id < kEntities; ++id) {
    b.clear();
    protocol::Writer w{b};
    const auto [x, z] = ring(id);
    w.varint(id + 1000).uuid({1, static_cast<std::uint64_t>(id)}).varint(147).f64(x).f64(64).f64(z);
    w.u8(0).u8(0).u8(0).varint(0).i16(0).i16(0).i16(0);
    const auto d = eng.on_clientbound(PacketKind::spawn_entity_s2c, b, now);
    if (d.transaction_after) spawn_answers.push_back(*d.transaction_after);
  }
  // Each entity sways by 1/16 block either way along the ring's tangent.
  std::vector<std::vector<std::uint8_t>> sway[2];
  for (int dir = 0; dir < 2; ++dir) {
    for (std::int32_t id = 0; id < kEntities; ++id) {
      b.clear();
      protocol::Writer{b}.varint(id + 1000).i16(static_cast<std::int16_t>(dir ? 256 : -256)).i16(0).i16(0).boolean(true);
      sway[dir].push_back(b);
    }
  }
  // The look at each entity, in whole mouse steps (0.15 degrees: 100 %
  // sensitivity), and the entities in front (|yaw| < 85): the player sweeps
  // across those, 3 entities a tick, back and forth, so its yaw never wraps
  // and never spins (the aim checks judge both).
  std::vector<std::vector<std::uint8_t>> attacks, looks;
  std::vector<std::pair<float, std::size_t>> front;
  for (std::int32_t id = 0; id < kEntities; ++id) {
    b.clear();
    protocol::Writer{b}.varint(id + 1000).varint(1).boolean(false);
    attacks.push_back(b);
    const auto [x, z] = ring(id);
    const double step = 0.15;
    const float yaw = static_cast<float>(step * std::round(std::atan2(-x, z) * 180 / pi / step));
    const float pitch = static_cast<float>(step * std::round(-std::atan2(1.0 - 1.62, kRing) * 180 / pi / step));
    b.clear();
    protocol::Writer{b}.f64(0).f64(64).f64(0).f32(yaw).f32(pitch).u8(1);
    looks.push_back(b);
    if (std::abs(yaw) < 85) front.emplace_back(yaw, static_cast<std::size_t>(id));
  }
  std::sort(front.begin(), front.end());
  std::size_t sweep = 0;
  bool sweeping_up = true;
  const auto next_in_sweep = [&] {
    if (sweeping_up && sweep + 3 >= front.size()) sweeping_up = false;
    if (!sweeping_up && sweep < 3) sweeping_up = true;
    sweep = sweeping_up ? sweep + 3 : sweep - 3;
    return front[sweep].second;
  };
  std::vector<std::uint8_t> swing;
  protocol::Writer{swing}.varint(0);
  std::vector<std::uint8_t> pong;
  for (const std::int32_t answer : spawn_answers) {  // the client saw them spawn
    protocol::Writer{pong}.i32(answer);
    (void)eng.on_serverbound(PacketKind::pong_c2s, pong, now);
    pong.clear();
  }
  std::vector<std::int32_t> answers;
  std::size_t target = front[0].second;
  (void)eng.on_serverbound(PacketKind::set_position_rotation_c2s, looks[target], now);

  std::vector<double> attack_ns, clock_ns;
  std::uint64_t rng = 1;
  std::size_t ticks = 0;
  std::size_t next_click = 0;
  std::size_t non_pass = 0;
  const auto start = clock::now();
  while (std::chrono::duration<double>(clock::now() - start).count() < seconds) {
    now += millis(50);
    // The server's tick: every entity moves; a transaction goes out now and
    // then (the heartbeat), answered a tick later.
    answers.clear();
    for (std::int32_t id = 0; id < kEntities; ++id) {
      const auto d = eng.on_clientbound(PacketKind::entity_relative_move_s2c, sway[ticks & 1][static_cast<std::size_t>(id)], now);
      if (d.transaction_after) answers.push_back(*d.transaction_after);
    }
    // The client's tick: look at the target (sent last tick), attack, swing,
    // move. A human clicks every 2 or 3 ticks (8-10 CPS, a fixed
    // pseudo-random schedule): an attack every tick would be a 20 CPS
    // machine, which the autoclicker checks flag, and the figure would be
    // the cost of writing violations.
    if (ticks == next_click) {
      rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
      next_click = ticks + 2 + (rng >> 33) % 2;
      // The clock alone, timed the same way just before: its tail is the
      // machine's (interrupts, another tenant), not the engine's.
      const auto c0 = clock::now();
      const auto c1 = clock::now();
      clock_ns.push_back(std::chrono::duration<double, std::nano>(c1 - c0).count());
      const auto t0 = clock::now();
      const auto v = eng.on_serverbound(PacketKind::interact_c2s, attacks[target], now);
      const auto t1 = clock::now();
      attack_ns.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count());
      if (v != engine::Verdict::pass) ++non_pass;
      (void)eng.on_serverbound(PacketKind::swing_arm_c2s, swing, now);
    }
    target = next_in_sweep();
    (void)eng.on_serverbound(PacketKind::set_position_rotation_c2s, looks[target], now);
    for (const std::int32_t answer : answers) {
      pong.clear();
      protocol::Writer{pong}.i32(answer);
      (void)eng.on_serverbound(PacketKind::pong_c2s, pong, now);
    }
    ++ticks;
  }
  std::sort(attack_ns.begin(), attack_ns.end());
  std::sort(clock_ns.begin(), clock_ns.end());
  if (attack_ns.empty()) return;
  const auto quantile = [](const std::vector<double>& v, double q) {
    return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
  };
  const auto at = [&](double q) { return quantile(attack_ns, q); };
  std::size_t combat = 0;
  for (const auto& v : eng.violations()) combat += v.check.rfind("combat.", 0) == 0;
  std::printf("attack judging: %zu attacks among %d tracked entities (protocol 769)\n", attack_ns.size(), kEntities);
  std::printf("  per attack through the engine: median %.1f ns, p90 %.1f ns, p99 %.1f ns (goal <= 2000)\n", at(0.5),
              at(0.9), at(0.99));
  std::printf("  the clock alone, timed the same way: median %.1f ns, p99 %.1f ns, max %.1f ns\n",
              quantile(clock_ns, 0.5), quantile(clock_ns, 0.99), clock_ns.back());
  std::printf("  reach/hitbox violations: %zu, all violations: %zu (honest attacks: expect 0), non-pass verdicts: %zu\n",
              combat, eng.violations().size(), non_pass);
  for (const auto& v : eng.violations()) std::printf("  %s/%s: %s\n", v.check.c_str(), v.type.c_str(), v.detail.c_str());
}

// The same movement packets spread over many players, each packet to the
// next player in turn, as a proxy's io thread meets them: the time per
// packet with one player is the engine's work with its state in the cache;
// with thousands it adds fetching each player's state from memory. The
// live proxy meets its players that way (how much of its inspection time
// that is, this VM cannot count: it has no hardware counters; see
// docs/benchmarks.md, "The host's speed as a gauge"). Each player keeps
// its own clock (a packet every 50 ms of its time) and answers a heartbeat
// transaction before a batch that starts at one of its 20-packet marks
// (about once a second of its time from 64 players up; with fewer, less
// often).
static void bench_many_players(double seconds, const std::vector<Move>& path) {
  constexpr std::int32_t kProtocol = protocol::v::v1_21_4;
  constexpr std::size_t kBatch = 64;
  using clock = std::chrono::steady_clock;
  struct Player {
    std::unique_ptr<engine::DetectionEngine> eng;
    protocol::ConnectionTracker tracker;
    Timestamp now = Timestamp::from_millis(1'700'000'000'000);
    std::size_t tick = 0;
  };
  auto config = std::make_shared<engine::EngineConfig>();
  std::printf("many players: one movement packet per player in turn (sizeof DetectionEngine %zu bytes)\n",
              sizeof(engine::DetectionEngine));
  for (const std::size_t players : {std::size_t{1}, std::size_t{100}, std::size_t{1000}, std::size_t{10000}}) {
    std::vector<Player> all(players);
    std::vector<std::uint8_t> hs;
    protocol::Writer{hs}.varint(kProtocol).string("bench").u16(25565).varint(2);
    for (Player& p : all) {
      p.eng = std::make_unique<engine::DetectionEngine>(config);
      (void)p.tracker.on_packet(protocol::Direction::serverbound, PacketKind::intention_c2s, hs);
      p.eng->on_connection_start(p.tracker, p.now);
      p.eng->on_play_start(p.now);
    }
    std::vector<double> per_packet_ns;
    std::vector<std::uint8_t> pong;
    std::size_t next = 0;
    std::size_t packets = 0;
    std::size_t violations = 0;
    const auto start = clock::now();
    // Until the time is up or a player's path would end (starting it over
    // would be a teleport).
    while (std::chrono::duration<double>(clock::now() - start).count() < seconds / 4 &&
           (packets + kBatch) / players + 1 < path.size()) {
      // The heartbeats of the batch's players, untimed, before it.
      for (std::size_t i = 0; i < std::min(kBatch, players); ++i) {
        Player& p = all[(next + i) % players];
        if (p.tick % 20 != 0) continue;
        const auto d = p.eng->on_clientbound(PacketKind::keep_alive_s2c, {}, p.now);
        if (!d.transaction_after) continue;
        pong.clear();
        protocol::Writer{pong}.i32(*d.transaction_after);
        (void)p.eng->on_serverbound(PacketKind::pong_c2s, pong, p.now);
      }
      const auto t0 = clock::now();
      for (std::size_t i = 0; i < kBatch; ++i) {
        Player& p = all[next];
        next = next + 1 == players ? 0 : next + 1;
        p.now += millis(50);
        (void)p.eng->on_serverbound(PacketKind::set_position_rotation_c2s, path[p.tick].body, p.now);
        ++p.tick;
      }
      const auto t1 = clock::now();
      packets += kBatch;
      per_packet_ns.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count() / kBatch);
    }
    for (const Player& p : all) violations += p.eng->violations().size();
    std::sort(per_packet_ns.begin(), per_packet_ns.end());
    if (per_packet_ns.empty()) continue;
    const auto at = [&](double q) {
      return per_packet_ns[std::min(per_packet_ns.size() - 1, static_cast<std::size_t>(q * per_packet_ns.size()))];
    };
    std::printf("  %6zu players: per packet median %.1f ns, p99 %.1f ns (%zu packets; violations %zu, expect 0)\n",
                players, at(0.5), at(0.99), packets, violations);
  }
}

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
  bench_entity_tracking(seconds);
  bench_attack_judging(seconds);
  bench_many_players(seconds, path);
  return 0;
}
