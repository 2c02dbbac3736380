// What a clip must do (issue 14): a connection written through the pcapng
// writer replays to the same verdict as the traffic it was written from. The
// regression captures (captures/, tcpdump on loopback while real bots played)
// are reassembled flow by flow, each Minecraft connection is written to a
// pcapng file of its own with the capture's times, and the replay of each
// file must report the same player as the replay of the original capture:
// identity, packets, bytes, kinds, and every check's flags, VL and alerts.

#include <unistd.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

// config_loader.hpp first: it names rustguard::LogLevel unqualified inside
// rustguard::adapters, where violation_log.hpp declares another LogLevel.
#include "rustguard/adapters/config_loader.hpp"
//
#include "replay/capture_feed.hpp"
#include "replay/replay_analysis.hpp"
#include "rustguard/adapters/pcapng_writer.hpp"
#include "../support/captured_flows.hpp"
#include "cheater_captures.hpp"
#include "../support/temp_dir.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace rewrite_capture_test {

namespace fs = std::filesystem;
using namespace rustguard;
using rustguard::adapters::PcapngWriter;
using rustguard::test::Chunk;
using rustguard::test::FlowCollector;
using rustguard::test::TempDir;

namespace {

Timestamp at(std::int64_t time_ns) { return Timestamp{time_ns / 1000}; }

// One file per flow that carried bytes: the handshake at the SYN's time, the
// chunks at theirs, FINs where the connection ended with them, else the file
// just stops (a connection still open when the capture ended).
std::vector<fs::path> write_flows(const FlowCollector& collected, const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& [id, flow] : collected.flows) {
    if (flow.chunks.empty()) continue;
    const fs::path path = dir / ("flow-" + std::to_string(id) + ".pcapng");
    adapters::PcapngOptions options;
    options.comment = "RustGuard test: flow " + std::to_string(id);
    PcapngWriter w{path.string(), {flow.info.client, flow.info.server}, options};
    REQUIRE(w.handshake(at(flow.info.start_ns)));
    for (const Chunk& c : flow.chunks) REQUIRE(w.write(c.direction, c.bytes, at(c.time_ns)));
    const bool ended = flow.closed && flow.end != replay::FlowEnd::end_of_capture;
    INFO(w.error());
    REQUIRE((ended ? w.finish(at(flow.close_ns)) : w.close()));
    files.push_back(path);
  }
  return files;
}


}  // namespace

TEST_CASE("cheaters' connections rewritten as pcapng replay to the verdicts of the original capture",
          "[clips][pcapng][replay]") {
  const test::CheaterCapture which = GENERATE(from_range(test::cheater_captures()));
  const std::string capture = which.capture, cheater = which.cheater, check = which.check;
  INFO(capture);
  const std::string original = std::string(RUSTGUARD_SOURCE_DIR) + "/captures/" + capture;
  const replay::ReplaySettings s = test::capture_replay_settings();
  const replay::CaptureReport expected = replay::replay_capture(original, s);
  REQUIRE(expected.totals.errors.empty());
  REQUIRE(expected.players.size() >= 2);

  const FlowCollector collected = rustguard::test::collect_flows(original);
  REQUIRE(collected.gaps == 0);
  for (const auto& [id, flow] : collected.flows) {
    // Classic pcap is microseconds, as the writer: the times go over exactly.
    CHECK(flow.info.start_ns % 1000 == 0);
    for (const Chunk& c : flow.chunks) CHECK(c.time_ns % 1000 == 0);
  }

  TempDir dir{"rustguard-clips-rewrite"};
  std::map<std::string, replay::PlayerReport> rewritten;
  for (const fs::path& file : write_flows(collected, dir.path)) {
    const replay::CaptureReport r = replay::replay_capture(file, s);
    INFO(file);
    CHECK(r.totals.errors.empty());
    CHECK(r.totals.tcp_flows == 1);
    CHECK(r.totals.gaps == 0);
    for (const auto& p : r.players) rewritten[p.name] = p;
  }

  bool cheater_flagged = false;
  for (const replay::PlayerReport& want : expected.players) {
    INFO(want.name);
    REQUIRE(rewritten.count(want.name) == 1);
    const replay::PlayerReport& got = rewritten.at(want.name);
    CHECK(got.uuid == want.uuid);
    CHECK(got.address == want.address);
    CHECK(got.protocol == want.protocol);
    CHECK(got.brand == want.brand);
    CHECK(got.packets_serverbound == want.packets_serverbound);
    CHECK(got.packets_clientbound == want.packets_clientbound);
    CHECK(got.bytes_serverbound == want.bytes_serverbound);
    CHECK(got.bytes_clientbound == want.bytes_clientbound);
    CHECK(got.start_ns == want.start_ns);
    CHECK(got.reached_play == want.reached_play);
    CHECK(got.closed_by_core == want.closed_by_core);
    CHECK(got.stream_problem == want.stream_problem);
    CHECK(got.kinds == want.kinds);
    const bool alerted = test::same_check_tallies(want, got, check);
    if (want.name == cheater && alerted) cheater_flagged = true;
  }
  // The comparison means something only if the original flags the cheater.
  CHECK(cheater_flagged);
}

}  // namespace rewrite_capture_test
