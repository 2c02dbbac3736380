// The evidence clips' ring buffer (adapters/clip_ring.hpp): what it keeps of
// a player's client leg must replay to the same verdicts as the leg itself,
// with the packets no replay reads kept as their id and size only; and it
// stays within its window, its byte limit and the process's budget.

#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

// config_loader.hpp first: it names rustguard::LogLevel unqualified inside
// rustguard::adapters, where violation_log.hpp declares another LogLevel.
#include "rustguard/adapters/config_loader.hpp"
//
#include "replay/capture_feed.hpp"
#include "replay/replay_analysis.hpp"
#include "rustguard/adapters/clip_ring.hpp"
#include "rustguard/adapters/pcapng_writer.hpp"
#include "../support/captured_flows.hpp"
#include "cheater_captures.hpp"
#include "../support/temp_dir.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace clip_ring_test {

namespace fs = std::filesystem;
using namespace rustguard;
using adapters::ClipBudget;
using adapters::ClipFrame;
using adapters::ClipRing;
using adapters::ClipRingLimits;
using test::CapturedFlow;
using test::Chunk;
using test::TempDir;

namespace {


// The client is whichever side sent the handshake first: in these captures
// the side that connected (FlowInfo::client).
std::vector<ClipFrame> ring_of(const CapturedFlow& flow, const replay::ReplaySettings& s, ClipBudget& budget,
                               const ClipRingLimits& limits, std::size_t* peak_bytes) {
  auto engine = std::make_shared<const engine::EngineConfig>(s.config.checks);
  session::PlayerSession player(s.config.limits, engine, engine::EngineMode::observe);
  ClipRing ring(limits, &budget);
  player.set_frame_tap(&ring);
  session::Output out;
  for (const Chunk& c : flow.chunks) {
    const Timestamp t = c.at();
    ring.set_time(t);
    player.feed(c.direction, c.bytes, t, out);
    out.clear();
    if (peak_bytes != nullptr) *peak_bytes = std::max(*peak_bytes, ring.memory_bytes());
  }
  player.set_frame_tap(nullptr);
  return ring.frames();
}

}  // namespace

TEST_CASE("a ring of the whole session replays to the verdicts of the session", "[clips][ring][replay]") {
  const test::CheaterCapture which = GENERATE(from_range(test::cheater_captures()));
  const std::string capture = which.capture, cheater = which.cheater, check = which.check;
  INFO(capture);
  const std::string original = std::string(RUSTGUARD_SOURCE_DIR) + "/captures/" + capture;
  const replay::ReplaySettings s = test::capture_replay_settings();
  const replay::CaptureReport expected = replay::replay_capture(original, s);
  REQUIRE(expected.totals.errors.empty());

  const test::FlowCollector collected = test::collect_flows(original);

  TempDir dir{"rustguard-clip-ring"};
  ClipBudget budget{std::size_t{1} << 30};
  ClipRingLimits limits;
  limits.window = Micros{600'000'000};  // the whole capture
  limits.max_bytes = 8 << 20;
  limits.max_prologue_bytes = 64 << 10;
  std::map<std::string, replay::PlayerReport> from_rings;
  std::uint64_t stubs = 0, frames = 0;
  for (const auto& [id, flow] : collected.flows) {
    if (flow.chunks.empty()) continue;
    const std::vector<ClipFrame> kept = ring_of(flow, s, budget, limits, nullptr);
    if (kept.empty()) continue;
    const fs::path file = dir.path / ("ring-" + std::to_string(id) + ".pcapng");
    {
      adapters::PcapngWriter w{file.string(), {flow.info.client, flow.info.server}};
      REQUIRE(w.handshake(kept.front().time));
      for (const ClipFrame& f : kept) {
        REQUIRE(w.write(f.direction, f.bytes, f.time));
        ++frames;
        stubs += f.stub ? 1 : 0;
      }
      REQUIRE(w.finish(kept.back().time));
    }
    const replay::CaptureReport r = replay::replay_capture(file, s);
    CHECK(r.totals.errors.empty());
    for (const auto& p : r.players) from_rings[p.name] = p;
  }
  CHECK(budget.used() == 0);  // every ring gave its bytes back
  CHECK(stubs > 0);            // chunks and the like were kept as ids only
  CHECK(stubs < frames);

  bool cheater_flagged = false;
  for (const replay::PlayerReport& want : expected.players) {
    INFO(want.name);
    REQUIRE(from_rings.count(want.name) == 1);
    const replay::PlayerReport& got = from_rings.at(want.name);
    CHECK(got.protocol == want.protocol);
    CHECK(got.packets_serverbound == want.packets_serverbound);
    CHECK(got.packets_clientbound == want.packets_clientbound);
    CHECK(got.bytes_serverbound == want.bytes_serverbound);
    CHECK(got.bytes_clientbound <= want.bytes_clientbound);
    CHECK(got.closed_by_core == want.closed_by_core);
    CHECK(got.kinds == want.kinds);
    const bool alerted = test::same_check_tallies(want, got, check);
    if (want.name == cheater && alerted) cheater_flagged = true;
  }
  CHECK(cheater_flagged);
}

namespace {
// A client frame of `size` content bytes (id 0x1A, then filler).
std::vector<std::uint8_t> frame_contents(std::size_t size, std::uint8_t fill) {
  std::vector<std::uint8_t> c(size, fill);
  c[0] = 0x1A;
  return c;
}
}  // namespace

TEST_CASE("the ring keeps its window, its byte limit and the budget", "[clips][ring]") {
  ClipBudget budget{1 << 20};
  ClipRingLimits limits;
  limits.window = Micros{30'000'000};
  limits.max_bytes = 32 * 1024;
  limits.max_prologue_bytes = 1024;
  auto ring = std::make_unique<ClipRing>(limits, &budget);

  // The prologue: kept whatever the time.
  ring->set_time(Timestamp{1'000'000});
  ring->on_frame(protocol::Direction::serverbound, protocol::PacketKind::intention_c2s, 0, frame_contents(20, 1), false);
  ring->end_prologue();

  // 60 s at 20 frames a second of 40 bytes: 30 s stay.
  for (int i = 0; i < 1200; ++i) {
    ring->set_time(Timestamp{2'000'000 + i * 50'000});
    ring->on_frame(protocol::Direction::serverbound, protocol::PacketKind::set_position_c2s, 0x1A,
                   frame_contents(40, static_cast<std::uint8_t>(i)), true);
  }
  const Timestamp last{2'000'000 + 1199 * 50'000};
  REQUIRE(ring->oldest());
  CHECK(last - *ring->oldest() <= Micros{30'000'000});
  CHECK(last - *ring->oldest() >= Micros{29'900'000});
  CHECK(ring->evicted_early() == 0);
  std::vector<ClipFrame> frames = ring->frames();
  REQUIRE(frames.size() == 1 + 601);
  CHECK(frames[0].time == Timestamp{1'000'000});
  CHECK(frames[1].time == *ring->oldest());
  CHECK(frames.back().time == last);
  CHECK(frames.back().bytes.size() == 41);  // length prefix + contents
  CHECK(frames.back().bytes[0] == 40);
  CHECK(frames.back().bytes[2] == static_cast<std::uint8_t>(1199));
  for (std::size_t i = 2; i < frames.size(); ++i) CHECK(frames[i].time - frames[i - 1].time == Micros{50'000});
  CHECK(ring->memory_bytes() <= limits.max_bytes + limits.max_prologue_bytes);
  CHECK(budget.used() == ring->memory_bytes());

  // Bigger frames: the byte limit evicts before the window ends.
  for (int i = 0; i < 200; ++i) {
    ring->set_time(last + Micros{(i + 1) * 50'000});
    ring->on_frame(protocol::Direction::serverbound, protocol::PacketKind::set_position_c2s, 0x1A,
                   frame_contents(1000, 7), false);
  }
  CHECK(ring->evicted_early() > 0);
  CHECK(ring->memory_bytes() <= limits.max_bytes + limits.max_prologue_bytes);
  frames = ring->frames();
  for (std::size_t i = 1; i < frames.size(); ++i) CHECK(frames[i].bytes.size() == 1002);

  // A clientbound packet no replay reads: its id and size only, framed for
  // the compressed stream it came in.
  ring->set_time(last + Micros{20'000'000});
  ring->on_frame(protocol::Direction::clientbound, protocol::PacketKind::chunk_data_s2c, 0x28,
                 std::vector<std::uint8_t>(3000, 9), true);
  frames = ring->frames();
  CHECK(frames.back().stub);
  CHECK(frames.back().wire_size == 3002);
  CHECK(frames.back().bytes == std::vector<std::uint8_t>{2, 0, 0x28});

  // A second ring finds the budget spent: it stays small and evicts instead.
  ClipBudget tight{8 * 1024};
  ClipRing small(limits, &tight);
  small.end_prologue();
  for (int i = 0; i < 400; ++i) {
    small.set_time(Timestamp{i * 50'000});
    small.on_frame(protocol::Direction::serverbound, protocol::PacketKind::set_position_c2s, 0x1A,
                   frame_contents(40, 1), false);
  }
  CHECK(tight.used() <= tight.limit());
  CHECK(small.memory_bytes() <= tight.limit());
  CHECK(small.evicted_early() > 0);

  ring.reset();
  CHECK(budget.used() == 0);
}

}  // namespace clip_ring_test
