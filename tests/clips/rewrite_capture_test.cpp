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

namespace fs = std::filesystem;
using namespace rustguard;
using rustguard::adapters::PcapngWriter;

namespace {

// Every chunk the reassembler delivers, per flow, in capture order.
struct Chunk {
  protocol::Direction direction;
  std::int64_t time_ns;
  std::vector<std::uint8_t> bytes;
};
struct Flow {
  replay::FlowInfo info;
  std::vector<Chunk> chunks;
  bool closed = false;
  replay::FlowEnd end = replay::FlowEnd::end_of_capture;
  std::int64_t close_ns = 0;
};

class FlowCollector final : public replay::StreamSink {
 public:
  void on_open(const replay::FlowInfo& flow) override { flows[flow.id].info = flow; }
  void on_data(const replay::FlowInfo& flow, replay::Direction dir, std::span<const std::uint8_t> bytes,
               std::int64_t time_ns) override {
    const auto d = dir == replay::Direction::client_to_server ? protocol::Direction::serverbound
                                                              : protocol::Direction::clientbound;
    flows[flow.id].chunks.push_back({d, time_ns, {bytes.begin(), bytes.end()}});
  }
  void on_gap(const replay::FlowInfo&, replay::Direction, std::uint64_t, std::int64_t) override { ++gaps; }
  void on_close(const replay::FlowInfo& flow, replay::FlowEnd why, std::int64_t time_ns) override {
    Flow& f = flows[flow.id];
    f.closed = true;
    f.end = why;
    f.close_ns = time_ns;
  }

  std::map<std::uint64_t, Flow> flows;
  int gaps = 0;
};

struct TempDir {
  fs::path path;
  TempDir() {
    static int counter = 0;
    path = fs::temp_directory_path() /
           ("rustguard-clips-rewrite-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

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

replay::ReplaySettings settings() {
  // flying-squid's 1.8 chunks compress ~830:1 (captures/README.md).
  return replay::ReplaySettings{adapters::parse_config("", "test", {{"limits.max_compression_ratio", "1000"}})};
}

}  // namespace

TEST_CASE("cheaters' connections rewritten as pcapng replay to the verdicts of the original capture",
          "[clips][pcapng][replay]") {
  const auto [capture, cheater, check] = GENERATE(table<const char*, const char*, const char*>({
      {"speed-1.21.4.pcap", "spee1214_cheat", "movement.speed"},
      {"speed-1.8.8.pcap", "spee188_cheat", "movement.speed"},
      {"reach-1.21.4.pcap", "rea1214_rch", "combat.reach"},
      {"fly-1.21.4.pcap", "fly1214_cheat", "movement.fly"},
  }));
  INFO(capture);
  const std::string original = std::string(RUSTGUARD_SOURCE_DIR) + "/captures/" + capture;
  const replay::ReplaySettings s = settings();
  const replay::CaptureReport expected = replay::replay_capture(original, s);
  REQUIRE(expected.totals.errors.empty());
  REQUIRE(expected.players.size() >= 2);

  FlowCollector collected;
  {
    replay::TcpReassembler reassembler{collected};
    replay::CaptureReader reader{original};
    replay::CaptureStats stats;
    REQUIRE(replay::feed_capture(reader, reassembler, stats).empty());
    reassembler.finish(0);
  }
  REQUIRE(collected.gaps == 0);
  for (const auto& [id, flow] : collected.flows) {
    // Classic pcap is microseconds, as the writer: the times go over exactly.
    CHECK(flow.info.start_ns % 1000 == 0);
    for (const Chunk& c : flow.chunks) CHECK(c.time_ns % 1000 == 0);
  }

  TempDir dir;
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
    REQUIRE(got.checks.size() == want.checks.size());
    for (const auto& [key, tally] : want.checks) {
      INFO(key);
      REQUIRE(got.checks.count(key) == 1);
      CHECK(got.checks.at(key).count == tally.count);
      CHECK(got.checks.at(key).max_vl == tally.max_vl);
      CHECK(got.checks.at(key).alerts == tally.alerts);
    }
    if (want.name == cheater) {
      for (const auto& [key, tally] : want.checks) {
        if (key.rfind(check, 0) == 0 && tally.alerts > 0) cheater_flagged = true;
      }
    }
  }
  // The comparison means something only if the original flags the cheater.
  CHECK(cheater_flagged);
}
