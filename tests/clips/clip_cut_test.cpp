// Evidence clips cut from the middle of a session (adapters/clip_cut.hpp):
// the prologue, a context snapshot, the ring's frames after it. A clip of a
// cheater's last seconds, replayed alone, must flag the cheater with the
// same check and type as the whole session; an honest player's clip must
// replay clean; chat is left out on request; and a clip file is a capture
// tshark-free tools can read (the replay reads it back here).

#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

// config_loader.hpp first: it names rustguard::LogLevel unqualified inside
// rustguard::adapters, where violation_log.hpp declares another LogLevel.
#include "rustguard/adapters/config_loader.hpp"
//
#include "replay/capture_feed.hpp"
#include "replay/replay_analysis.hpp"
#include "rustguard/adapters/clip_cut.hpp"
#include "rustguard/adapters/clip_ring.hpp"
#include "rustguard/adapters/recording_control.hpp"
#include "../support/captured_flows.hpp"
#include "../support/temp_dir.hpp"
#include "cheater_captures.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace clip_cut_test {

namespace fs = std::filesystem;
using namespace rustguard;
using adapters::ClipBudget;
using adapters::ClipContents;
using adapters::ClipRing;
using adapters::ClipRingLimits;
using test::CapturedFlow;
using test::Chunk;
using test::TempDir;

namespace {

// Feeds `flow` through a session with a ring of `window` and a snapshot every
// `every` (as the proxy does), and cuts the ring at the end.
adapters::ClipCut cut_of(const CapturedFlow& flow, const replay::ReplaySettings& s, ClipBudget& budget,
                         Micros window, Micros every, std::uint64_t* snapshots) {
  auto engine = std::make_shared<const engine::EngineConfig>(s.config.checks);
  session::PlayerSession player(s.config.limits, engine, engine::EngineMode::observe);
  ClipRingLimits limits;
  limits.window = window;
  limits.max_bytes = 8 << 20;
  ClipRing ring(limits, &budget);
  player.set_frame_tap(&ring);
  session::Output out;
  std::optional<Timestamp> last_snapshot;
  for (const Chunk& c : flow.chunks) {
    const Timestamp t = c.at();
    ring.set_time(t);
    player.feed(c.direction, c.bytes, t, out);
    out.clear();
    if (!ring.in_prologue() && (!last_snapshot || t - *last_snapshot >= every)) {
      ring.add_snapshot(adapters::pack_snapshot(player.snapshot_context()));
      last_snapshot = t;
    }
  }
  player.set_frame_tap(nullptr);
  if (snapshots != nullptr) *snapshots = ring.snapshots_added();
  return ring.cut();
}

Timestamp first_time(const CapturedFlow& f) { return f.chunks.front().at(); }
Timestamp last_time(const CapturedFlow& f) { return f.chunks.back().at(); }

}  // namespace

TEST_CASE("a clip of a cheater's last seconds flags the same check and type on its own", "[clips][cut][replay]") {
  const test::CheaterCapture which = GENERATE(from_range(test::cheater_captures()));
  const std::string capture = which.capture, cheater = which.cheater, check = which.check;
  INFO(capture);
  const std::string original = std::string(RUSTGUARD_SOURCE_DIR) + "/captures/" + capture;
  const replay::ReplaySettings s = test::capture_replay_settings();
  const replay::CaptureReport whole = replay::replay_capture(original, s);
  REQUIRE(whole.totals.errors.empty());
  const test::FlowCollector collected = test::collect_flows(original);

  TempDir dir{"rustguard-clip-cut"};
  ClipBudget budget{std::size_t{1} << 30};
  std::map<std::string, replay::PlayerReport> from_clips;
  std::size_t mid_session = 0;
  for (const auto& [id, flow] : collected.flows) {
    if (flow.chunks.empty()) continue;
    // The last half of the connection: the ring no longer reaches its login.
    const Micros span = last_time(flow) - first_time(flow);
    const Micros window{std::max<std::int64_t>(span.count() / 2, 1'000'000)};
    std::uint64_t snapshots = 0;
    const adapters::ClipCut cut = cut_of(flow, s, budget, window, Micros{window.count() / 4}, &snapshots);
    const ClipContents contents = adapters::clip_contents(cut, false);
    if (!contents.problem.empty()) {
      // Status pings and connections that never reached play have no clip.
      CHECK(!cut.prologue_complete);
      continue;
    }
    CHECK(snapshots > 0);
    if (contents.restores_context) ++mid_session;
    const fs::path file = dir.path / ("clip-" + std::to_string(id) + ".pcapng");
    REQUIRE(adapters::write_clip(file.string(), {flow.info.client, flow.info.server}, contents, "test clip") == "");
    const replay::CaptureReport r = replay::replay_capture(file, s);
    CHECK(r.totals.errors.empty());
    CHECK(r.totals.refused_notes == 0);
    CHECK(r.totals.malformed_notes == 0);
    for (const auto& p : r.players) {
      CHECK(p.recording_problem == "");
      CHECK(p.clip_context_restored == contents.restores_context);
      from_clips[p.name] = p;
    }
  }
  CHECK(mid_session > 0);
  CHECK(budget.used() == 0);

  for (const replay::PlayerReport& want : whole.players) {
    INFO(want.name);
    REQUIRE(from_clips.count(want.name) == 1);
    const replay::PlayerReport& got = from_clips.at(want.name);
    CHECK(got.protocol == want.protocol);
    CHECK(got.closed_by_core == want.closed_by_core);
    // Every check and type the clip flags, the whole session flagged too.
    for (const auto& [key, tally] : got.checks) {
      INFO(key);
      CHECK(want.checks.count(key) == 1);
    }
    if (want.name != cheater) continue;
    // The cheater: the check alerts in the clip too, with the same type.
    std::set<std::string> alerted_whole, alerted_clip;
    for (const auto& [key, tally] : want.checks) {
      if (key.rfind(check, 0) == 0 && tally.alerts > 0) alerted_whole.insert(key);
    }
    for (const auto& [key, tally] : got.checks) {
      if (key.rfind(check, 0) == 0 && tally.alerts > 0) alerted_clip.insert(key);
    }
    CHECK(!alerted_whole.empty());
    CHECK(!alerted_clip.empty());
    for (const std::string& key : alerted_clip) CHECK(alerted_whole.count(key) == 1);
  }
}

TEST_CASE("honest players' clips replay clean", "[clips][cut][replay]") {
  const std::string capture = GENERATE(as<std::string>{}, "honest-1.21.4.pcap", "honest-1.8.8.pcap");
  INFO(capture);
  const std::string original = std::string(RUSTGUARD_SOURCE_DIR) + "/captures/" + capture;
  const replay::ReplaySettings s = test::capture_replay_settings();
  const test::FlowCollector collected = test::collect_flows(original);
  TempDir dir{"rustguard-clip-honest"};
  ClipBudget budget{std::size_t{1} << 30};
  std::size_t clips = 0, mid_session = 0;
  for (const auto& [id, flow] : collected.flows) {
    if (flow.chunks.empty()) continue;
    const Micros span = last_time(flow) - first_time(flow);
    const Micros window{std::max<std::int64_t>(span.count() / 3, 1'000'000)};
    const adapters::ClipCut cut = cut_of(flow, s, budget, window, Micros{window.count() / 4}, nullptr);
    const ClipContents contents = adapters::clip_contents(cut, true);
    if (!contents.problem.empty()) continue;
    ++clips;
    if (contents.restores_context) ++mid_session;
    const fs::path file = dir.path / ("clip-" + std::to_string(id) + ".pcapng");
    REQUIRE(adapters::write_clip(file.string(), {flow.info.client, flow.info.server}, contents, "test") == "");
    const replay::CaptureReport r = replay::replay_capture(file, s);
    CHECK(r.totals.errors.empty());
    for (const auto& p : r.players) {
      INFO(p.name);
      CHECK(p.violations() == 0);
      CHECK(p.closed_by_core == "");
    }
  }
  CHECK(clips > 0);
  CHECK(mid_session > 0);
}

TEST_CASE("a clip without a usable start says why", "[clips][cut]") {
  ClipBudget budget{1 << 20};
  ClipRingLimits limits;
  limits.window = Micros{1'000'000};
  ClipRing ring(limits, &budget);
  ring.set_time(Timestamp{1'000'000});
  ring.on_frame(protocol::Direction::serverbound, protocol::PacketKind::intention_c2s, 0,
                std::vector<std::uint8_t>{0, 1, 2}, false);
  // Still in the prologue: no clip (the login is not complete).
  CHECK(adapters::clip_contents(ring.cut(), false).problem != "");
  ring.on_frame(protocol::Direction::serverbound, protocol::PacketKind::set_position_c2s, 0x1A,
                std::vector<std::uint8_t>{0x1A, 1}, false);
  REQUIRE(!ring.in_prologue());
  // The session since the prologue, whole: no snapshot needed.
  for (int i = 1; i <= 10; ++i) {
    ring.set_time(Timestamp{1'000'000 + i * 50'000});
    ring.on_frame(protocol::Direction::serverbound, protocol::PacketKind::set_position_c2s, 0x1A,
                  std::vector<std::uint8_t>{0x1A, static_cast<std::uint8_t>(i)}, false);
  }
  ClipContents whole = adapters::clip_contents(ring.cut(), false);
  CHECK(whole.problem == "");
  CHECK(!whole.restores_context);
  CHECK(whole.frames.size() == 12);
  // Two seconds on, the first frames left the window and no snapshot was
  // taken: nothing to start from.
  ring.set_time(Timestamp{3'000'000});
  ring.on_frame(protocol::Direction::serverbound, protocol::PacketKind::set_position_c2s, 0x1A,
                std::vector<std::uint8_t>{0x1A, 99}, false);
  CHECK(adapters::clip_contents(ring.cut(), false).problem == "the ring holds no context snapshot to start from");
  // A snapshot, then frames: the clip starts there.
  const std::vector<std::uint8_t> snapshot{1, 2, 3, 4};
  ring.add_snapshot(snapshot);
  ring.set_time(Timestamp{3'050'000});
  ring.on_frame(protocol::Direction::serverbound, protocol::PacketKind::chat_message_c2s, 0x07,
                std::vector<std::uint8_t>{0x07, 'h', 'i'}, false);
  ClipContents mid = adapters::clip_contents(ring.cut(), false);
  CHECK(mid.problem == "");
  CHECK(mid.restores_context);
  REQUIRE(mid.frames.size() == 2 + 2);  // prologue (2), snapshot, chat
  CHECK(mid.frames[2].context);
  CHECK(mid.frames[2].bytes == snapshot);
  CHECK(mid.frames[3].chat);
  ClipContents redacted = adapters::clip_contents(ring.cut(), true);
  CHECK(redacted.frames.size() == 3);
  CHECK(redacted.chat_left_out == 1);
}

TEST_CASE("a packed snapshot round-trips and a bad one is refused", "[clips][cut]") {
  std::vector<std::uint8_t> raw(5000);
  for (std::size_t i = 0; i < raw.size(); ++i) raw[i] = static_cast<std::uint8_t>(i % 7);
  const auto packed = adapters::pack_snapshot(raw);
  CHECK(packed.size() < raw.size() / 10);
  REQUIRE(adapters::unpack_snapshot(packed));
  CHECK(*adapters::unpack_snapshot(packed) == raw);
  CHECK(!adapters::unpack_snapshot(packed, 4000));  // over the cap
  std::vector<std::uint8_t> cut(packed.begin(), packed.end() - 3);
  CHECK(!adapters::unpack_snapshot(cut));
  CHECK(!adapters::unpack_snapshot(std::vector<std::uint8_t>{1, 2, 3}));
  // The note carries it as base64.
  adapters::recording::Note n;
  n.kind = adapters::recording::NoteKind::context;
  n.context = packed;
  const std::string text = adapters::recording::encode(n);
  const auto parsed = adapters::recording::parse({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
  REQUIRE(parsed);
  CHECK(parsed->kind == adapters::recording::NoteKind::context);
  CHECK(parsed->context == packed);
  for (const std::string bad : {"RUSTGUARD/1 context \n", "RUSTGUARD/1 context abc\n", "RUSTGUARD/1 context ab=c\n",
                                "RUSTGUARD/1 context ab==cd==\n"}) {
    INFO(bad);
    CHECK(!adapters::recording::parse({reinterpret_cast<const std::uint8_t*>(bad.data()), bad.size()}));
  }
}

}  // namespace clip_cut_test
