// Session recordings (issue 14): a pcapng file of one connection as the live
// core read it, with notes beside the bytes (adapters/recording_control.hpp),
// replays to exactly the live database rows, times included.
//
// Each test plays the proxy: it drives a live session::PlayerSession
// (EngineMode::originate) with a regression capture's real traffic, flow by
// flow, stores its events through the proxy's SessionRecorder into a fresh
// database, makes the calls the proxy makes besides the bytes (host_late,
// add_prior_strike at login), and writes every chunk and every call to a
// PcapngWriter as the proxy's recorder does: handshake, core-input note,
// bytes and notes in call order, FINs. rustguard-replay's replay_capture then
// runs the file into another fresh database, and every row of both must be
// the same. The live side records with the replay's origin (source, address,
// capture file), so that the rows compare whole; the proxy's own rows differ
// from a replay's only there and in the actions' result column.

#include <sqlite3.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

// config_loader.hpp first: it names rustguard::LogLevel unqualified inside
// rustguard::adapters, where violation_log.hpp declares another LogLevel.
#include "rustguard/adapters/config_loader.hpp"
//
#include "replay/capture_feed.hpp"
#include "replay/replay_analysis.hpp"
#include "replay/replay_output.hpp"
#include "rustguard/adapters/pcapng_writer.hpp"
#include "rustguard/adapters/recording_control.hpp"
#include "rustguard/adapters/session_recorder.hpp"
#include "../support/captured_flows.hpp"
#include "../support/database_rows.hpp"
#include "../support/temp_dir.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace session_recording_test {

namespace fs = std::filesystem;
using namespace rustguard;
using adapters::PcapngWriter;
namespace recording = adapters::recording;
using test::CapturedFlow;
using test::Chunk;
using test::connections_of;
using test::dump_rows;
using test::TempDir;

namespace {

std::size_t rows_matching(const std::vector<std::string>& rows, std::string_view table, std::string_view text) {
  std::size_t n = 0;
  for (const std::string& r : rows) {
    if (r.find(std::string("FROM ") + std::string(table) + " ") != std::string::npos &&
        r.find(text) != std::string::npos) {
      ++n;
    }
  }
  return n;
}

std::unique_ptr<adapters::ViolationLog> open_log(const fs::path& db) {
  adapters::ViolationLogOptions options;
  options.database_path = db.string();
  std::string error;
  auto log = adapters::ViolationLog::start(options, error);
  INFO(error);
  REQUIRE(log != nullptr);
  return log;
}

std::vector<std::string> close_log(std::unique_ptr<adapters::ViolationLog> log, const fs::path& db) {
  log->stop();
  REQUIRE(log->counters().dropped == 0);
  return dump_rows(db);
}

// What the proxy is told besides the bytes, and what this test adds to the file.
struct Script {
  // host_late(t, delay) before the first serverbound chunk at least
  // `late_after` after the login, as the proxy calls it before a feed.
  std::optional<Micros> late;
  Micros late_after{0};
  bool write_late_note = true;  // false: the recording leaves the call out
  // add_prior_strike(group, at) when the login comes out.
  std::optional<std::string> prior_strike_group;
  Timestamp prior_strike_at{};
  // Noise the replay must count and ignore.
  bool malformed_note = false;          // a note on the connection that does not parse
  bool note_before_connection = false;  // a note before the SYN: no open connection
  bool core_input_after_bytes = false;  // core-input written after the first chunk instead of before
  // The proxy's timer: advance() halfway through every gap of 50 ms or more
  // between chunks; with `late`, the host_late call comes right after such an
  // advance instead of before a feed (the proxy's watchdog reports its lag
  // there too), and the recording writes the advance before it.
  bool timer_advances = false;
};

struct LiveResult {
  std::vector<std::string> rows;
  std::uint64_t flags_held = 0;  // TimingFlagsHeld: flags the host's lateness held
  std::uint64_t notes = 0;       // well-formed notes written on the connection
  bool logged_in = false;
  bool late_called = false;
};

// Plays one connection as the live proxy would, into `db`, and writes what
// the core read to `recording`.
LiveResult live_run(const CapturedFlow& flow, const replay::ReplaySettings& settings, const Script& script,
                    const fs::path& db, const fs::path& recording) {
  LiveResult result;
  auto log = open_log(db);
  const auto engine = std::make_shared<const engine::EngineConfig>(settings.config.checks);
  session::PlayerSession session(settings.config.limits, engine, engine::EngineMode::originate);
  adapters::SessionRecorder recorder(
      log.get(), adapters::RecorderOrigin{adapters::SessionSource::replay, flow.info.client.to_string(),
                                          recording.filename().string()});
  PcapngWriter w{recording.string(), {flow.info.client, flow.info.server}};
  const auto note = [&](const recording::Note& n, Timestamp at) {
    const std::string text = recording::encode(n);
    REQUIRE(w.datagram(protocol::Direction::serverbound,
                       std::span{reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}, at));
    ++result.notes;
  };
  const auto raw_note = [&](std::string_view text, Timestamp at) {
    REQUIRE(w.datagram(protocol::Direction::clientbound,
                       std::span{reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}, at));
  };

  const Timestamp start{flow.info.start_ns / 1000};
  if (script.note_before_connection) raw_note("RUSTGUARD/1 host-late 1000000\n", start);
  REQUIRE(w.handshake(start));
  if (!script.core_input_after_bytes) note({recording::NoteKind::core_input, {}, {}, {}}, start);
  if (script.malformed_note) raw_note("RUSTGUARD/1 host-late soon\n", start);

  session::Output out;
  std::optional<Timestamp> login_at;
  Timestamp now = start;
  bool closed = false;
  for (std::size_t i = 0; i < flow.chunks.size() && !closed; ++i) {
    const Chunk& c = flow.chunks[i];
    if (script.timer_advances && i > 0 && c.at() - now >= Micros{50'000}) {
      const Timestamp tick = now + (c.at() - now) / 2;
      session.advance(tick, out);
      recorder.record(out.events);
      closed = out.close.has_value();
      out.clear();
      if (closed) break;
      if (script.late && !result.late_called && login_at && tick >= *login_at + script.late_after) {
        // As session_recording.hpp writes it: the advance, then the report.
        note({recording::NoteKind::advance, {}, {}, {}}, tick);
        session.host_late(tick + Micros{1'000}, *script.late);
        note({recording::NoteKind::host_late, *script.late, {}, {}}, tick + Micros{1'000});
        result.late_called = true;
      }
    }
    now = c.at();
    if (script.late && !script.timer_advances && !result.late_called && login_at &&
        c.direction == protocol::Direction::serverbound && c.at() >= *login_at + script.late_after) {
      session.host_late(c.at(), *script.late);
      if (script.write_late_note) note({recording::NoteKind::host_late, *script.late, {}, {}}, c.at());
      result.late_called = true;
    }
    session.feed(c.direction, c.bytes, c.at(), out);
    REQUIRE(w.write(c.direction, c.bytes, c.at()));
    if (i == 0 && script.core_input_after_bytes) note({recording::NoteKind::core_input, {}, {}, {}}, c.at());
    for (const session::Event& e : out.events) {
      if (std::holds_alternative<session::PlayerLoggedIn>(e)) {
        login_at = c.at();
        result.logged_in = true;
        // The proxy hands the player's unexpired strikes over when the
        // login comes out, before any play packet.
        if (script.prior_strike_group) {
          session.add_prior_strike(*script.prior_strike_group, script.prior_strike_at);
          note({recording::NoteKind::prior_strike, {}, script.prior_strike_at, *script.prior_strike_group}, c.at());
        }
      }
      if (const auto* held = std::get_if<session::TimingFlagsHeld>(&e)) result.flags_held += held->count;
    }
    recorder.record(out.events);
    closed = out.close.has_value();  // the proxy closes both sockets: nothing more is read
    out.clear();
  }
  // The connection ends where the capture's did, or where the core closed it.
  const Timestamp end = closed ? now : flow.fin_at().value_or(now);
  session.advance(end, out);
  session.finish(out);
  recorder.record(out.events);
  recorder.end(end);
  INFO(w.error());
  REQUIRE(w.finish(end));
  result.rows = close_log(std::move(log), db);
  return result;
}

struct ReplayResult {
  std::vector<std::string> rows;
  replay::CaptureReport report;
};

ReplayResult replay_run(const fs::path& recording, const replay::ReplaySettings& settings, const fs::path& db) {
  auto log = open_log(db);
  ReplayResult r;
  r.report = replay::replay_capture(recording, settings, replay::ReplayOptions{log.get(), {}});
  r.rows = close_log(std::move(log), db);
  INFO(replay::format_text({r.report}));
  CHECK(r.report.totals.errors.empty());
  return r;
}

// A movement ladder whose strikes step needs one strike more than a session
// of the capture gives: it fires only when the login brought one along.
replay::ReplaySettings ladder_settings() {
  return replay::ReplaySettings{adapters::parse_config(R"yaml(
punishments:
  strike_expiry: 7d
  groups:
    movement:
      checks: ["movement.*"]
      cooldown: 60s
      steps:
        - vl: 5
          within: 60s
          strike: true
          do:
            - alert: "%player% struck in %group%"
        - strikes: 2
          do:
            - command: "ban %player% (RustGuard: %check%)"
)yaml",
                                                       "test")};
}

replay::ReplaySettings default_settings() { return replay::ReplaySettings{adapters::parse_config("", "test")}; }

}  // namespace

TEST_CASE("a session recording replays to the live rows exactly, a prior strike's ladder step included",
          "[replay][recording]") {
  const replay::ReplaySettings settings = ladder_settings();
  TempDir dir{"rustguard-recording-test"};
  std::size_t strikes_fired = 0, violations = 0;
  int n = 0;
  for (const CapturedFlow& flow : connections_of("speed-1.21.4.pcap")) {
    const std::string name = "flow-" + std::to_string(++n);
    INFO(name);
    Script script;
    script.prior_strike_group = "movement";
    script.prior_strike_at = Timestamp{flow.info.start_ns / 1000} - Micros{3'600'000'000};
    const fs::path recording = dir.path / (name + ".pcapng");
    const LiveResult live = live_run(flow, settings, script, dir.path / (name + "-live.db"), recording);
    REQUIRE(live.logged_in);
    const ReplayResult replayed = replay_run(recording, settings, dir.path / (name + "-replay.db"));

    CHECK(replayed.rows == live.rows);
    REQUIRE(replayed.report.players.size() == 1);
    const replay::PlayerReport& p = replayed.report.players[0];
    CHECK(p.session_recording);
    CHECK(p.recording_problem.empty());
    CHECK(replayed.report.totals.notes == live.notes);
    CHECK(replayed.report.totals.malformed_notes == 0);
    CHECK(replayed.report.totals.unmatched_notes == 0);
    CHECK(replayed.report.totals.refused_notes == 0);
    CHECK(replayed.report.totals.minecraft_flows == 1);
    CHECK(replay::format_text({replayed.report}).find("mode: live (session recording)") != std::string::npos);
    CHECK(replay::format_json({replayed.report}).find("\"mode\":\"live (session recording)\"") != std::string::npos);

    strikes_fired += rows_matching(live.rows, "actions", "|command|ban ");
    violations += rows_matching(live.rows, "violations", "movement.");

    // Without the prior strike the strikes step stays quiet: the note is
    // what made the live rows.
    if (rows_matching(live.rows, "actions", "|command|ban ") > 0) {
      Script no_strike;
      fs::create_directories(dir.path / "no-strike");
      const LiveResult plain = live_run(flow, settings, no_strike, dir.path / "no-strike" / (name + "-live.db"),
                                        dir.path / "no-strike" / recording.filename());
      CHECK(rows_matching(plain.rows, "actions", "|command|ban ") == 0);
      CHECK(plain.rows != live.rows);
    }
  }
  // The comparison means something only if the cheater was flagged and the
  // prior strike fired the step.
  CHECK(violations > 0);
  CHECK(strikes_fired > 0);
}

TEST_CASE("a host-late note holds the timing flags in the replay as it did live; without it they come back",
          "[replay][recording]") {
  const replay::ReplaySettings settings = default_settings();
  TempDir dir{"rustguard-recording-test"};
  std::uint64_t held = 0;
  int n = 0;
  for (const CapturedFlow& flow : connections_of("timer-1.21.4.pcap")) {
    const std::string name = "flow-" + std::to_string(++n);
    INFO(name);
    Script script;
    script.late = Micros{20'000'000};  // the event loop 20 s behind: holds for the rest of the capture
    script.late_after = Micros{500'000};
    const fs::path recording = dir.path / (name + ".pcapng");
    const LiveResult live = live_run(flow, settings, script, dir.path / (name + "-live.db"), recording);
    REQUIRE(live.logged_in);
    REQUIRE(live.late_called);
    const ReplayResult replayed = replay_run(recording, settings, dir.path / (name + "-replay.db"));
    CHECK(replayed.rows == live.rows);
    CHECK(replayed.report.totals.notes == 2);  // core-input, host-late
    held += live.flags_held;
    if (live.flags_held == 0) continue;

    // The same bytes without the call: the live proxy that was not late.
    // Each file has the recording's name in a folder of its own, since the
    // name is in the sessions row.
    for (const char* sub : {"on-time", "unnoted"}) fs::create_directories(dir.path / sub);
    Script on_time;
    const LiveResult unheld = live_run(flow, settings, on_time, dir.path / "on-time" / (name + "-live.db"),
                                       dir.path / "on-time" / recording.filename());
    CHECK(unheld.flags_held == 0);
    CHECK(rows_matching(unheld.rows, "violations", "timer.") > rows_matching(live.rows, "violations", "timer."));

    // A recording that leaves the note out replays to those rows, not to the
    // live ones: the note is what carries the difference.
    Script unnoted = script;
    unnoted.write_late_note = false;
    const fs::path without = dir.path / "unnoted" / recording.filename();
    const LiveResult live_again =
        live_run(flow, settings, unnoted, dir.path / "unnoted" / (name + "-live.db"), without);
    CHECK(live_again.rows == live.rows);
    const ReplayResult blind = replay_run(without, settings, dir.path / "unnoted" / (name + "-replay.db"));
    CHECK(blind.rows != live.rows);
    CHECK(blind.rows == unheld.rows);
  }
  CHECK(held > 0);  // the host's lateness held at least one flag
}

TEST_CASE("a host-late report right after the proxy's timer ran ticks: the advance note keeps them unheld",
          "[replay][recording]") {
  const replay::ReplaySettings settings = default_settings();
  TempDir dir{"rustguard-recording-test"};
  int n = 0;
  std::uint64_t held = 0;
  for (const CapturedFlow& flow : connections_of("timer-1.21.4.pcap")) {
    const std::string name = "flow-" + std::to_string(++n);
    INFO(name);
    Script script;
    script.timer_advances = true;
    script.late = Micros{20'000'000};
    script.late_after = Micros{500'000};
    const fs::path recording = dir.path / (name + ".pcapng");
    const LiveResult live = live_run(flow, settings, script, dir.path / (name + "-live.db"), recording);
    REQUIRE(live.logged_in);
    REQUIRE(live.late_called);
    const ReplayResult replayed = replay_run(recording, settings, dir.path / (name + "-replay.db"));
    CHECK(replayed.rows == live.rows);
    CHECK(replayed.report.totals.notes == 3);  // core-input, advance, host-late
    CHECK(replayed.report.totals.malformed_notes == 0);
    held += live.flags_held;
  }
  CHECK(held > 0);  // the report did hold flags: the order of the calls mattered to the rows
}

TEST_CASE("notes that do not parse or match no open connection are counted and ignored", "[replay][recording]") {
  const replay::ReplaySettings settings = default_settings();
  TempDir dir{"rustguard-recording-test"};
  const auto flows = connections_of("speed-1.21.4.pcap");
  Script script;
  script.malformed_note = true;
  script.note_before_connection = true;
  const fs::path recording = dir.path / "noisy.pcapng";
  const LiveResult live = live_run(flows.back(), settings, script, dir.path / "live.db", recording);
  const ReplayResult replayed = replay_run(recording, settings, dir.path / "replay.db");
  CHECK(replayed.rows == live.rows);
  CHECK(replayed.report.totals.notes == 1);  // core-input
  CHECK(replayed.report.totals.malformed_notes == 1);
  CHECK(replayed.report.totals.unmatched_notes == 1);
  CHECK(replayed.report.totals.refused_notes == 0);
  const std::string text = replay::format_text({replayed.report});
  INFO(text);
  CHECK(text.find(", 1 notes (ignored: 1 malformed, 1 for no open connection)") != std::string::npos);
  const std::string json = replay::format_json({replayed.report});
  CHECK(json.find("\"notes\":1,\"malformed_notes\":1,\"unmatched_notes\":1,\"refused_notes\":0") != std::string::npos);
}

TEST_CASE("a core-input note after the connection's first bytes is refused and said; the replay observes",
          "[replay][recording]") {
  const replay::ReplaySettings settings = default_settings();
  TempDir dir{"rustguard-recording-test"};
  const auto flows = connections_of("speed-1.21.4.pcap");
  Script script;
  script.core_input_after_bytes = true;
  const fs::path recording = dir.path / "late-core-input.pcapng";
  live_run(flows.back(), settings, script, dir.path / "live.db", recording);
  const ReplayResult replayed = replay_run(recording, settings, dir.path / "replay.db");
  CHECK(replayed.report.totals.refused_notes == 1);
  CHECK(replayed.report.totals.notes == 0);
  REQUIRE(replayed.report.players.size() == 1);
  const replay::PlayerReport& p = replayed.report.players[0];
  CHECK_FALSE(p.session_recording);
  CHECK(p.recording_problem == "core-input note after the connection's first bytes: ignored, replayed in observe mode");
  CHECK(replay::format_text({replayed.report}).find(p.recording_problem) != std::string::npos);
  CHECK(replay::format_json({replayed.report}).find("\"mode\":\"observe\"") != std::string::npos);
}

TEST_CASE("notes parse as written, and what is not a note is refused", "[replay][recording]") {
  const auto bytes = [](std::string_view s) { return std::vector<std::uint8_t>(s.begin(), s.end()); };
  for (const recording::Note& n :
       {recording::Note{recording::NoteKind::core_input, {}, {}, {}},
        recording::Note{recording::NoteKind::host_late, Micros{2'500'000}, {}, {}},
        recording::Note{recording::NoteKind::prior_strike, {}, Timestamp{1'700'000'000'000'000}, "movement group"},
        recording::Note{recording::NoteKind::advance, {}, {}, {}}}) {
    const auto text = bytes(recording::encode(n));
    const auto back = recording::parse(text);
    REQUIRE(back);
    CHECK(back->kind == n.kind);
    CHECK(back->delay == n.delay);
    CHECK(back->at == n.at);
    CHECK(back->group == n.group);
  }
  for (const char* bad : {"RUSTGUARD/1 core-input", "RUSTGUARD/1 core-input x\n", "RUSTGUARD/1 host-late\n",
                          "RUSTGUARD/1 host-late -5\n", "RUSTGUARD/1 host-late 5 6\n", "RUSTGUARD/1 host-late 5x\n",
                          "RUSTGUARD/1 prior-strike 5\n", "RUSTGUARD/1 prior-strike x movement\n",
                          "RUSTGUARD/1 prior-strike 5 mo\tvement\n", "RUSTGUARD/1 what\n", "RUSTGUARD/1 \n",
                          "RUSTGUARD/1 advance 5\n"}) {
    INFO(bad);
    CHECK(recording::is_note(bytes(bad)));
    CHECK_FALSE(recording::parse(bytes(bad)));
  }
  CHECK_FALSE(recording::is_note(bytes("RUSTGUARD/2 core-input\n")));
  CHECK_FALSE(recording::parse(bytes("hello\n")));
}

}  // namespace session_recording_test
