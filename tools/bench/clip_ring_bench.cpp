// Evidence clips' ring buffer (adapters/clip_ring.hpp): memory per player
// and cost per frame at the traffic of issue 14's goal — 20 movement packets
// a second from the client; 100 clientbound packets a second that a replay
// reads (entity moves and rotations, velocities, keep-alives); and chunk
// traffic beside them (chunk data, light, sounds, block changes: 12 frames a
// second, 60 KiB a second on the wire, kept as their id and size only).
// Simulated time, so the figures do not depend on this machine's clock
// except the cost per frame.
//
//   rustguard_bench_clip_ring [players] [seconds of play]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "rustguard/adapters/clip_cut.hpp"
#include "rustguard/adapters/clip_ring.hpp"

namespace {

using namespace rustguard;
using protocol::Direction;
using protocol::PacketKind;

struct Frame {
  Direction direction;
  PacketKind kind;
  std::int32_t id;
  std::vector<std::uint8_t> contents;
};

std::vector<std::uint8_t> contents(std::size_t size, std::uint8_t seed) {
  std::vector<std::uint8_t> c(size);
  for (std::size_t i = 0; i < size; ++i) c[i] = static_cast<std::uint8_t>(seed * 31 + i * 7);
  return c;
}

// One second of play: 132 frames in the order a tick sends them.
std::vector<Frame> one_second() {
  std::vector<Frame> out;
  for (int tick = 0; tick < 20; ++tick) {
    // Set Player Position and Rotation (1.21.4): data length 0 + id + 34 bytes.
    out.push_back({Direction::serverbound, PacketKind::set_position_rotation_c2s, 0x1D, contents(36, 1)});
    for (int e = 0; e < 5; ++e) {  // 100 a second: entity moves, rotations, velocities
      const PacketKind k = e < 3 ? PacketKind::entity_relative_move_s2c
                                 : (e == 3 ? PacketKind::entity_rotation_s2c : PacketKind::set_entity_velocity_s2c);
      out.push_back({Direction::clientbound, k, 0x2F + e, contents(e < 3 ? 13 : 9, static_cast<std::uint8_t>(e))});
    }
    if (tick % 2 == 0) {  // chunk traffic: 10 frames a second, ~60 KiB
      out.push_back({Direction::clientbound, PacketKind::chunk_data_s2c, 0x28, contents(6000, 2)});
    }
  }
  out.push_back({Direction::clientbound, PacketKind::keep_alive_s2c, 0x27, contents(10, 3)});
  out.push_back({Direction::serverbound, PacketKind::keep_alive_c2s, 0x1A, contents(10, 4)});
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const int players = argc > 1 ? std::max(1, std::atoi(argv[1])) : 1000;
  const int seconds = argc > 2 ? std::max(31, std::atoi(argv[2])) : 60;
  const std::vector<Frame> second = one_second();
  std::size_t wire_per_second = 0, kept_whole_per_second = 0;
  for (const Frame& f : second) {
    wire_per_second += f.contents.size() + 1;
    if (f.direction == Direction::serverbound || session::PlayerSession::replay_reads(f.direction, f.kind)) {
      kept_whole_per_second += f.contents.size();
    }
  }

  adapters::ClipBudget budget{std::size_t{64} << 30};
  adapters::ClipRingLimits limits;  // the defaults: 30 s, 128 KiB a player
  std::vector<std::unique_ptr<adapters::ClipRing>> rings;
  for (int p = 0; p < players; ++p) {
    rings.push_back(std::make_unique<adapters::ClipRing>(limits, &budget));
    rings.back()->end_prologue();
  }

  // A context snapshot every 10 s (clips.snapshot_interval), the size a
  // deflated snapshot with 20 tracked entities has (rustguard_bench_context_snapshot).
  const std::vector<std::uint8_t> snapshot(1'300, 0x5A);
  using Clock = std::chrono::steady_clock;
  std::uint64_t frames = 0;
  Clock::duration spent{};
  for (int s = 0; s < seconds; ++s) {
    const auto t0 = Clock::now();
    for (auto& ring : rings) {
      std::int64_t at = std::int64_t{s} * 1'000'000;
      for (const Frame& f : second) {
        ring->set_time(Timestamp{at});
        ring->on_frame(f.direction, f.kind, f.id, f.contents, true);
        at += 1'000'000 / static_cast<std::int64_t>(second.size());
      }
      if (s % 10 == 0) ring->add_snapshot(snapshot);
    }
    spent += Clock::now() - t0;
    frames += second.size() * rings.size();
  }

  std::size_t most = 0, evicted = 0, held = 0;
  for (const auto& ring : rings) {
    most = std::max(most, ring->memory_bytes());
    evicted += ring->evicted_early();
    held += ring->frames_held();
  }
  // A clip: the raw copy on the packet path, the frames on the writer's thread.
  const auto t0 = Clock::now();
  const adapters::ClipCut cut = rings.front()->cut();
  const auto t1 = Clock::now();
  const adapters::ClipContents contents = adapters::clip_contents(cut, false);
  const auto t2 = Clock::now();
  const auto& clip = contents.frames;
  std::size_t clip_bytes = 0;
  for (const auto& f : clip) clip_bytes += f.bytes.size();

  const double ns_per_frame = std::chrono::duration<double, std::nano>(spent).count() / static_cast<double>(frames);
  std::printf("clip ring: %d players, %d s of play each, window %lld s, limit %zu KiB a player\n", players, seconds,
              static_cast<long long>(limits.window.count() / 1'000'000), limits.max_bytes / 1024);
  std::printf("  traffic per player: %zu frames/s, %.1f KiB/s on the wire, %.1f KiB/s kept whole\n", second.size(),
              static_cast<double>(wire_per_second) / 1024, static_cast<double>(kept_whole_per_second) / 1024);
  std::printf("  memory per player:  %.1f KiB (largest ring), %.1f KiB average; all rings: %.1f MiB\n",
              static_cast<double>(most) / 1024, static_cast<double>(budget.used()) / players / 1024,
              static_cast<double>(budget.used()) / (1024 * 1024));
  std::printf("  frames held per player: %.0f (%.1f s); evicted before their window: %zu\n",
              static_cast<double>(held) / players, static_cast<double>(held) / players / second.size(), evicted);
  std::printf("  cost per frame:     %.1f ns (set_time + on_frame, %llu frames)\n", ns_per_frame,
              static_cast<unsigned long long>(frames));
  std::printf("  one clip:           ring copied in %.1f us on the packet path (%zu bytes); %zu frames, %.1f KiB, "
              "made on the writer's thread in %.2f ms (%s)\n",
              std::chrono::duration<double, std::micro>(t1 - t0).count(), cut.records.size(), clip.size(),
              static_cast<double>(clip_bytes) / 1024, std::chrono::duration<double, std::milli>(t2 - t1).count(),
              contents.problem.empty() ? (contents.restores_context ? "starts at a snapshot" : "whole session")
                                       : contents.problem.c_str());
  return 0;
}
