// The replay on top of the capture layer: handshake detection, one session
// per Minecraft connection, the player summary, the database rows (and their
// determinism), expectations and tuning. Uses the committed regression
// captures in captures/ (real mineflayer bots and servers, see its README).

#include <sqlite3.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

// config_loader.hpp first: it names rustguard::LogLevel unqualified inside
// rustguard::adapters, where violation_log.hpp declares another LogLevel.
#include "rustguard/adapters/config_loader.hpp"
//
#include "replay/expectations.hpp"
#include "replay/handshake_probe.hpp"
#include "replay/replay_analysis.hpp"
#include "replay/replay_output.hpp"
#include "replay/tune.hpp"
#include "rustguard/adapters/violation_log.hpp"
#include "rustguard/protocol/writer.hpp"
#include "../support/database_rows.hpp"
#include "../support/temp_dir.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace replay_tool_test {

namespace fs = std::filesystem;
using namespace rustguard;
using namespace rustguard::replay;
using rustguard::test::dump_rows;
using rustguard::test::TempDir;

namespace {

std::string capture(const std::string& name) { return std::string(RUSTGUARD_SOURCE_DIR) + "/captures/" + name; }

ReplaySettings settings_with(std::vector<adapters::ConfigOverride> overrides = {}) {
  return ReplaySettings{adapters::parse_config("", "test", overrides)};
}

// flying-squid's 1.8 chunks (~197 KB) compress ~830:1 (see captures/README.md).
// A 64:1 bomb guard above 128 KiB closes such sessions after the first
// chunk, which the tests use as a real "stops decoding" case; the 1.8.8
// expectations raise the ratio the same way as settings_for_188.
ReplaySettings settings_strict() {
  return settings_with({{"limits.max_compression_ratio", "64"}, {"limits.compression_ratio_floor", "131072"}});
}
ReplaySettings settings_for_188() { return settings_with({{"limits.max_compression_ratio", "1000"}}); }

std::vector<std::uint8_t> handshake_frame(std::int32_t protocol, const std::string& host, std::int32_t intent) {
  std::vector<std::uint8_t> body;
  protocol::Writer w{body};
  w.varint(0).varint(protocol).string(host).u16(25565).varint(intent);
  std::vector<std::uint8_t> frame;
  protocol::Writer{frame}.varint(static_cast<std::int32_t>(body.size())).bytes(body);
  return frame;
}

const PlayerReport* find_player(const CaptureReport& r, const std::string& name) {
  for (const auto& p : r.players) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

std::vector<std::string> replay_into(const std::string& db_path, const std::vector<std::string>& captures) {
  adapters::ViolationLogOptions options;
  options.database_path = db_path;
  std::string error;
  auto log = adapters::ViolationLog::start(options, error);
  REQUIRE(log != nullptr);
  const ReplaySettings settings = settings_for_188();
  for (const auto& c : captures) replay_capture(c, settings, ReplayOptions{log.get(), {}});
  log->stop();
  REQUIRE(log->counters().dropped == 0);
  return dump_rows(db_path);
}

}  // namespace

TEST_CASE("probe_handshake accepts only a complete Intention frame", "[replay][handshake]") {
  const auto frame = handshake_frame(769, "localhost", 2);
  CHECK(probe_handshake(frame) == HandshakeProbe::handshake);
  for (std::size_t cut = 0; cut < frame.size(); ++cut) {
    CHECK(probe_handshake(std::span(frame).first(cut)) == HandshakeProbe::need_more);
  }
  // Followed by Login Start in the same segment: still a handshake.
  auto with_more = frame;
  with_more.insert(with_more.end(), {0x05, 0x00, 0x03, 'a', 'b', 'c'});
  CHECK(probe_handshake(with_more) == HandshakeProbe::handshake);

  const std::vector<std::uint8_t> legacy_ping{0xFE, 0x01, 0xFA};
  CHECK(probe_handshake(legacy_ping) == HandshakeProbe::not_handshake);
  const std::string http = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  CHECK(probe_handshake(std::span(reinterpret_cast<const std::uint8_t*>(http.data()), http.size())) ==
        HandshakeProbe::not_handshake);
  auto bad_intent = handshake_frame(769, "localhost", 7);
  CHECK(probe_handshake(bad_intent) == HandshakeProbe::not_handshake);
}

TEST_CASE("a capture of non-Minecraft TCP traffic yields no players and counts every flow as skipped",
          "[replay][flows]") {
  const CaptureReport r = replay_capture(std::string(RUSTGUARD_TEST_DATA_DIR) + "/replay/captures/lo_ethernet.pcap",
                                         settings_with());
  CHECK(r.totals.errors.empty());
  CHECK(r.players.empty());
  CHECK(r.totals.tcp_flows == 7);
  CHECK(r.totals.minecraft_flows == 0);
  CHECK(r.totals.skipped_flows == 7);
}

TEST_CASE("replaying honest 26.1 play finds both players with identity, version and packets", "[replay][players]") {
  const CaptureReport r = replay_capture(capture("honest-26.1.pcap"), settings_with());
  REQUIRE(r.totals.errors.empty());
  REQUIRE(r.players.size() == 2);
  CHECK(r.totals.minecraft_flows == 2);
  CHECK(r.totals.skipped_flows == 0);
  for (const char* name : {"h261_a", "h261_b"}) {
    const PlayerReport* p = find_player(r, name);
    REQUIRE(p != nullptr);
    CHECK(p->protocol == 775);
    CHECK(p->release.rfind("26.1", 0) == 0);
    CHECK(p->uuid.size() == 36);
    CHECK(p->reached_play);
    CHECK(p->closed_by_core.empty());
    CHECK(p->stream_problem.empty());
    CHECK(p->packets_serverbound > 30);
    CHECK(p->packets_clientbound > 60);
    CHECK(p->kinds.at("set_position_c2s") > 10);
    CHECK(p->duration_s() > 1.0);
    CHECK(p->address.rfind("127.0.0.1:", 0) == 0);
  }
  CHECK(r.totals.packets == r.players[0].packets_serverbound + r.players[0].packets_clientbound +
                                r.players[1].packets_serverbound + r.players[1].packets_clientbound);
}

TEST_CASE("both legs of a proxy capture give the same players and packets", "[replay][proxy]") {
  const ReplaySettings s = settings_with();
  const CaptureReport client_side = replay_capture(capture("honest-1.20.4-proxy-client-side.pcap"), s);
  const CaptureReport backend_side = replay_capture(capture("honest-1.20.4-proxy-backend-side.pcap"), s);
  REQUIRE(client_side.players.size() == 2);
  REQUIRE(backend_side.players.size() == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    const PlayerReport& a = client_side.players[i];
    const PlayerReport& b = backend_side.players[i];
    CHECK(a.name == b.name);
    CHECK(a.uuid == b.uuid);
    CHECK(a.protocol == 765);
    CHECK(a.packets_serverbound == b.packets_serverbound);
    CHECK(a.packets_clientbound == b.packets_clientbound);
    CHECK(a.kinds == b.kinds);
    // Different legs: the client talks to the proxy, the proxy to the backend.
    CHECK(a.address != b.address);
    // And the engine judges both the same way. This session was recorded
    // (2026-11-30) by bots.mjs before it kept its hits within reach (commit
    // 36647e8; it hit after 2 s of walking whatever the distance): each bot hit once
    // with the other about 4 blocks away where the server's packets had put
    // it (4.218 and 4.002 blocks to the nearest box point, range 3), which a
    // vanilla client cannot, so combat.reach flags those hits, once each, far
    // below its alert. Nothing else flags; a re-recording with today's
    // bots.mjs should leave both legs empty.
    REQUIRE(a.checks.size() == b.checks.size());
    for (const auto& [key, tally] : a.checks) {
      INFO(key);
      CHECK(key == "combat.reach");
      CHECK(tally.count <= 1);
      CHECK(tally.alerts == 0);
      const auto other = b.checks.find(key);
      REQUIRE(other != b.checks.end());
      CHECK(other->second.count == tally.count);
      CHECK(other->second.max_vl == tally.max_vl);
      CHECK(other->second.alerts == tally.alerts);
    }
  }
}

TEST_CASE("the detection engine judges replays: cheaters flagged by the right check, honest players clean",
          "[replay][engine]") {
  const ReplaySettings s = settings_for_188();
  const double alert = s.config.checks.alert_vl("movement.speed");
  REQUIRE(alert > 0);
  for (const char* file : {"speed-1.21.4.pcap", "speed-1.8.8.pcap"}) {
    INFO(file);
    const CaptureReport r = replay_capture(capture(file), s);
    REQUIRE(r.players.size() == 2);
    for (const PlayerReport& p : r.players) {
      INFO(p.name);
      CHECK(p.closed_by_core.empty());
      if (p.name.find("_cheat") != std::string::npos) {
        REQUIRE(p.checks.count("movement.speed") == 1);
        const CheckTally& t = p.checks.at("movement.speed");
        CHECK(t.max_vl >= alert);
        CHECK(t.alerts > 0);
        CHECK(p.checks.size() == 1);  // nothing else
      } else {
        CHECK(p.checks.empty());
      }
    }
    CHECK(r.totals.violations > 0);
  }
  // The engine's alert threshold comes from the config: raised above what
  // the cheater reaches, the same violations are no longer alerts.
  const ReplaySettings high = settings_with({{"limits.max_compression_ratio", "1000"},
                                             {"checks.movement.speed.alert_vl", "1000"}});
  const CaptureReport r = replay_capture(capture("speed-1.8.8.pcap"), high);
  const PlayerReport* cheat = find_player(r, "spee188_cheat");
  REQUIRE(cheat != nullptr);
  REQUIRE(cheat->checks.count("movement.speed") == 1);
  CHECK(cheat->checks.at("movement.speed").count > 0);
  CHECK(cheat->checks.at("movement.speed").alerts == 0);
}

TEST_CASE("a replay records the actions live would have taken, marked not executed", "[replay][engine][actions]") {
  // The speed cheater reaches its alert VL: every alert the proxy would have
  // raised is an action row, linked to its violation, never carried out.
  TempDir dir{"rustguard-replay-test"};
  const std::string db = (dir.path / "actions.db").string();
  const auto rows = replay_into(db, {capture("speed-1.21.4.pcap")});
  std::size_t alerts = 0, actions = 0;
  for (const std::string& row : rows) {
    if (row.rfind("SELECT * FROM actions", 0) != 0) continue;
    ++actions;
    INFO(row);
    CHECK(row.find("|not executed") != std::string::npos);
    if (row.find("|alert|") != std::string::npos) ++alerts;
  }
  CHECK(alerts > 0);
  CHECK(actions >= alerts);
  // The report counts the same alerts, one per record stamped Outcome::alert.
  const CaptureReport r = replay_capture(capture("speed-1.21.4.pcap"), settings_for_188());
  std::uint64_t reported = 0;
  for (const auto& p : r.players) {
    for (const auto& [check, tally] : p.checks) reported += tally.alerts;
  }
  CHECK(reported == alerts);
}

TEST_CASE("a 64:1 compression guard above 128 KiB closes flying-squid 1.8.8 sessions; raising it lets them through",
          "[replay][limits]") {
  const CaptureReport strict = replay_capture(capture("honest-1.8.8.pcap"), settings_strict());
  REQUIRE(strict.players.size() == 2);
  for (const auto& p : strict.players) CHECK(p.closed_by_core.find("compression_ratio") != std::string::npos);
  const CaptureReport relaxed = replay_capture(capture("honest-1.8.8.pcap"), settings_for_188());
  REQUIRE(relaxed.players.size() == 2);
  for (const auto& p : relaxed.players) {
    CHECK(p.closed_by_core.empty());
    CHECK(p.protocol == 47);
    CHECK(p.packets_serverbound > 100);
  }
}

TEST_CASE("replaying into two fresh databases gives identical rows, ids included", "[replay][database]") {
  TempDir dir{"rustguard-replay-test"};
  const std::vector<std::string> captures{capture("honest-1.8.8.pcap"), capture("speed-1.21.4.pcap"),
                                          capture("honest-26.1.pcap")};
  const auto first = replay_into((dir.path / "a.db").string(), captures);
  const auto second = replay_into((dir.path / "b.db").string(), captures);
  CHECK(first == second);

  // One session row per player, marked as a replay of its capture file.
  std::size_t sessions = 0;
  for (const auto& row : first) {
    if (row.rfind("SELECT * FROM sessions", 0) != 0) continue;
    ++sessions;
    CHECK(row.find("|replay|") != std::string::npos);
    CHECK(row.find(".pcap") != std::string::npos);
  }
  CHECK(sessions == 6);
  // The speed cheater's violations are among the rows compared: 57 flags
  // over 3 s, folded into a record at once and about two a second after.
  std::size_t violations = 0;
  for (const auto& row : first) {
    if (row.rfind("SELECT * FROM violations", 0) == 0 && row.find("movement.speed") != std::string::npos) ++violations;
  }
  CHECK(violations >= 4);
  CHECK(violations <= 10);
}

TEST_CASE("session rows carry the player, the capture's times and the capture file", "[replay][database]") {
  TempDir dir{"rustguard-replay-test"};
  const std::string db = (dir.path / "r.db").string();
  replay_into(db, {capture("honest-26.1.pcap")});
  const CaptureReport r = replay_capture(capture("honest-26.1.pcap"), settings_with());
  sqlite3* h = nullptr;
  REQUIRE(sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(h,
                             "SELECT player_name, player_uuid, protocol_version, start_ms, end_ms, source, "
                             "capture_file FROM sessions ORDER BY id",
                             -1, &st, nullptr) == SQLITE_OK);
  std::size_t i = 0;
  while (sqlite3_step(st) == SQLITE_ROW) {
    REQUIRE(i < r.players.size());
    const PlayerReport& p = r.players[i++];
    CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))) == p.name);
    CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 1))) == p.uuid);
    CHECK(sqlite3_column_int(st, 2) == 775);
    CHECK(sqlite3_column_int64(st, 3) >= p.start_ns / 1'000'000);
    CHECK(sqlite3_column_int64(st, 4) == p.end_ns / 1'000'000);
    CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 5))) == "replay");
    CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 6))) == "honest-26.1.pcap");
  }
  CHECK(i == 2);
  sqlite3_finalize(st);
  sqlite3_close(h);
}

TEST_CASE("expectations parse and report errors with their line", "[replay][expectations]") {
  Expectations e;
  const auto err = parse_expectations(
      "# comment\nplayers 2\nplayer a protocol=47 serverbound>=10 set_position_c2s>=3\nclean a\n"
      "flag b speed vl>=5 count>=2\nflag b timer\nset limits.max_compression_ratio=1000\n",
      e);
  REQUIRE_FALSE(err);
  CHECK(e.players == 2u);
  REQUIRE(e.present.size() == 1);
  CHECK(e.present[0].protocol == 47);
  CHECK(e.present[0].at_least.at("serverbound") == 10);
  CHECK(e.present[0].at_least.at("set_position_c2s") == 3);
  CHECK(e.clean == std::vector<std::string>{"a"});
  REQUIRE(e.flagged.size() == 2);
  CHECK(e.flagged[0].min_vl == 5);
  CHECK(e.flagged[0].min_count == 2);
  CHECK(e.flagged[1].min_count == 1);
  REQUIRE(e.overrides.size() == 1);
  CHECK(e.overrides[0].first == "limits.max_compression_ratio");

  Expectations bad;
  const auto e1 = parse_expectations("players 2\nplayer a serverbound<5\n", bad);
  REQUIRE(e1);
  CHECK(e1->line == 2);
  const auto e2 = parse_expectations("\n\nflagg a speed\n", bad);
  REQUIRE(e2);
  CHECK(e2->line == 3);
  CHECK(e2->message.find("flagg") != std::string::npos);
}

TEST_CASE("compare lists every difference between a replay and its expectations", "[replay][expectations]") {
  CaptureReport r;
  r.capture = "x.pcap";
  PlayerReport a;
  a.name = "a";
  a.protocol = 47;
  a.packets_serverbound = 50;
  a.kinds["set_position_c2s"] = 20;
  PlayerReport b = a;
  b.name = "b";
  b.checks["speed"] = CheckTally{3, 7.5, 2};
  r.players = {a, b};

  Expectations ok;
  REQUIRE_FALSE(parse_expectations("players 2\nplayer a protocol=47 serverbound>=50 set_position_c2s>=20\n"
                                   "clean a\nflag b speed vl>=7 count>=3\n",
                                   ok));
  CHECK(compare(ok, r).empty());

  Expectations wrong;
  REQUIRE_FALSE(parse_expectations("players 3\nplayer a serverbound>=51\nplayer c\nclean b\n"
                                   "flag a speed\nflag b speed vl>=8\nflag b timer\n",
                                   wrong));
  const auto diff = compare(wrong, r);
  REQUIRE(diff.size() == 7);
  CHECK(diff[0].find("expected 3 player") != std::string::npos);
  CHECK(diff[1].find("serverbound >= 51") != std::string::npos);
  CHECK(diff[1].find("got 50") != std::string::npos);
  CHECK(diff[2].find("expected player c") != std::string::npos);
  CHECK(diff[3].find("expected b clean") != std::string::npos);
  CHECK(diff[4].find("speed never flagged") != std::string::npos);
  CHECK(diff[5].find("max VL 7.50") != std::string::npos);
  CHECK(diff[6].find("timer never flagged") != std::string::npos);
}

TEST_CASE("a capture that stops decoding fails its packet minimums", "[replay][expectations]") {
  // Under the strict guard the 1.8.8 sessions are closed after a few
  // packets, which is exactly what a decoding regression looks like.
  Expectations e;
  REQUIRE_FALSE(parse_expectations("players 2\nplayer h188_a serverbound>=100\n", e));
  const auto diff = compare(e, replay_capture(capture("honest-1.8.8.pcap"), settings_strict()));
  REQUIRE(diff.size() == 1);
  CHECK(diff[0].find("closed by the core") != std::string::npos);
  const auto clean = compare(e, replay_capture(capture("honest-1.8.8.pcap"), settings_for_188()));
  CHECK(clean.empty());
}

TEST_CASE("tuning sweeps a key and finds where the core starts closing connections", "[replay][tune]") {
  CHECK(sweep_values(0, 1000, 5) == std::vector<std::string>{"0", "250", "500", "750", "1000"});
  CHECK(sweep_values(0.5, 1.5, 3) == std::vector<std::string>{"0.5", "1", "1.5"});

  TuneResult result;
  result.key = "limits.max_compression_ratio";
  result.values = sweep_values(200, 1000, 5);  // 200 400 600 800 1000
  for (std::size_t i = 0; i < result.values.size(); ++i) {
    const ReplaySettings s =
        settings_with({{"limits.compression_ratio_floor", "131072"}, {result.key, result.values[i]}});
    add_tune_step(result, i, {replay_capture(capture("honest-1.8.8.pcap"), s)});
  }
  REQUIRE(result.rows.size() == 2);
  for (const TuneRow& row : result.rows) {
    // flying-squid's flat 1.8 chunk compresses ~830:1.
    CHECK(row.cells[0].closed);
    CHECK(row.cells[3].closed);
    CHECK_FALSE(row.cells[4].closed);
    CHECK(flag_range(result, row) == "flagged at 200 .. 800");
  }
  const std::string table = format_tune_table(result);
  CHECK(table.find("h188_a") != std::string::npos);
  const std::string svg = format_tune_svg(result);
  CHECK(svg.rfind("<svg", 0) == 0);
  CHECK(svg.find("</svg>") != std::string::npos);
  CHECK(svg.find("h188_b") != std::string::npos);
}

TEST_CASE("the JSON summary carries players and totals", "[replay][output]") {
  const CaptureReport r = replay_capture(capture("honest-26.1.pcap"), settings_with());
  const std::string json = format_json({r});
  CHECK(json.find("\"name\":\"h261_a\"") != std::string::npos);
  CHECK(json.find("\"protocol\":775") != std::string::npos);
  CHECK(json.find("\"minecraft_flows\":2") != std::string::npos);
  CHECK(json_string("a\"b\\c\n\x01") == "\"a\\\"b\\\\c\\n\\u0001\"");
  const std::string text = format_text({r});
  CHECK(text.find("h261_b") != std::string::npos);
  CHECK(text.find("total: 1 capture(s)") != std::string::npos);
}

}  // namespace replay_tool_test
