// SessionRecorder (adapters/session_recorder.hpp): the core's events of one
// connection become the violation log's rows, written by a real ViolationLog
// to a real SQLite file and read back with a separate connection.

#include <catch2/catch.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "../session/recorded_session.hpp"
#include "rustguard/adapters/session_recorder.hpp"
#include "rustguard/adapters/violation_log.hpp"
#include "rustguard/protocol/frame.hpp"
#include "rustguard/protocol/writer.hpp"
#include "rustguard/session/player_session.hpp"
#include "storage_test_support.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace session_recorder_test {

using namespace rustguard;
using namespace rustguard::adapters;
using namespace rustguard::storage_test;
using protocol::Direction;
using protocol::PacketKind;

namespace {

const Timestamp kStart = Timestamp::from_millis(1'700'000'000'000);
const protocol::Uuid kUuid{0x0123456789abcdefULL, 0xfedcba9876543210ULL};

std::unique_ptr<ViolationLog> start_log(const std::string& db) {
  ViolationLogOptions o;
  o.database_path = db;
  o.flush_interval = std::chrono::milliseconds{20};
  std::string error;
  auto log = ViolationLog::start(o, error);
  INFO(error);
  REQUIRE(log);
  return log;
}

session::PlayerLoggedIn login(std::int64_t at_ms, std::string forwarded = {}) {
  return session::PlayerLoggedIn{Timestamp::from_millis(at_ms), "Steve", kUuid, 765, std::move(forwarded)};
}

session::ViolationFound found(std::int64_t at_ms, std::string check, Outcome outcome, std::uint32_t count = 1,
                              std::uint32_t cancelled = 0) {
  Violation v = make_violation(0, at_ms, std::move(check), "detail " + std::to_string(at_ms), 2.5);
  v.count = count;
  v.outcome = outcome;
  v.cancelled = cancelled;
  return session::ViolationFound{std::move(v)};
}

session::PlayerKicked kicked(std::int64_t at_ms, std::string check, std::string reason = "kicked") {
  return session::PlayerKicked{Timestamp::from_millis(at_ms), std::move(reason), std::move(check)};
}

// Records the events one by one, as a list (the recorder moves violations
// out of them, so the caller keeps its own copy when it needs one).
void record(SessionRecorder& r, std::vector<session::Event> events) { r.record(events); }

std::string q(std::uint64_t id) { return std::to_string(id); }

}  // namespace

TEST_CASE("SessionRecorder stores a live session from the core's events", "[storage][recorder]") {
  TempDir dir;
  const std::string db = dir.file("rg.db");
  auto log = start_log(db);

  // The recorded 1.20.4 session through a PlayerSession, then two pitch-150
  // looks: the first is cancelled (and alerts), the second kicks.
  auto config = std::make_shared<engine::EngineConfig>();
  config->get<checks::badpackets::PitchCheck>().limits.kick_vl = 1.5;
  session::PlayerSession player(ProtocolLimits{}, config);
  SessionRecorder recorder(log.get(), RecorderOrigin{SessionSource::live, "192.0.2.1:1000", {}});
  recorder.set_address("203.0.113.7:51234");  // what the PROXY header said
  session::Output out;
  std::vector<session::Event> seen;
  Timestamp now = kStart;
  auto feed = [&](Direction d, const std::vector<std::uint8_t>& bytes, Timestamp at) {
    now = at;
    out.clear();
    player.feed(d, bytes, at, out);
    seen.insert(seen.end(), out.events.begin(), out.events.end());
    recorder.record(out.events);
  };
  for (const auto& r : test::load_session("1.20.4")) {
    feed(r.direction, r.bytes, kStart + Micros{r.micros});
    REQUIRE_FALSE(out.close);
  }
  REQUIRE(recorder.session_id() != 0);
  const protocol::VersionInfo* version = player.tracker().version();
  REQUIRE(version);
  for (int i = 0; i < 2 && !out.close; ++i) {
    std::vector<std::uint8_t> contents;
    protocol::Writer{contents}
        .varint(0)
        .varint(version->id_of(PacketKind::set_position_rotation_c2s))
        .f64(6.5).f64(64).f64(0.5).f32(0).f32(150).boolean(true);
    std::vector<std::uint8_t> frame;
    REQUIRE(protocol::append_frame(frame, contents).ok());
    feed(Direction::serverbound, frame, now + millis(50));
  }
  REQUIRE(out.close);
  out.clear();
  player.finish(out);
  seen.insert(seen.end(), out.events.begin(), out.events.end());
  recorder.record(out.events);
  const Timestamp end = now + millis(20);
  recorder.end(end);
  REQUIRE(log->flush());

  // What the core said, to compare the rows with.
  const session::PlayerLoggedIn* in = nullptr;
  const session::ClientBrand* brand = nullptr;
  const session::PlayerKicked* kick = nullptr;
  std::vector<Violation> violations;
  for (const auto& e : seen) {
    if (const auto* x = std::get_if<session::PlayerLoggedIn>(&e)) in = x;
    if (const auto* x = std::get_if<session::ClientBrand>(&e)) brand = x;
    if (const auto* x = std::get_if<session::PlayerKicked>(&e)) kick = x;
    if (const auto* x = std::get_if<session::ViolationFound>(&e)) violations.push_back(x->violation);
  }
  REQUIRE(in);
  REQUIRE(brand);
  REQUIRE(kick);
  REQUIRE(violations.size() >= 2);
  std::int64_t flags = 0, alerts = 0, cancels = 0;
  for (const auto& v : violations) {
    flags += v.count;
    alerts += has(v.outcome, Outcome::alert) ? 1 : 0;
    cancels += v.cancelled > 0 ? 1 : 0;
  }

  Inspector check{db};
  const std::string sid = q(recorder.session_id());
  CHECK(check.integer("SELECT count(*) FROM sessions") == 1);
  CHECK(check.text("SELECT player_name || '/' || address || '/' || protocol_version || '/' || start_ms || '/' || "
                   "end_ms || '/' || source || '/' || client_brand || '/' || player_uuid FROM sessions WHERE id = " +
                   sid) == "fixture/203.0.113.7:51234/765/" + std::to_string(in->at.to_millis()) + "/" +
                               std::to_string(end.to_millis()) + "/live/" + brand->brand + "/" +
                               in->uuid->to_string());
  // One row per record the core emitted, with the session's id.
  CHECK(check.integer("SELECT count(*) FROM violations") == static_cast<std::int64_t>(violations.size()));
  CHECK(check.integer("SELECT count(*) FROM violations WHERE session_id = " + sid) ==
        static_cast<std::int64_t>(violations.size()));
  CHECK(check.integer("SELECT sum(count) FROM violations") == flags);
  // The actions the core decided, carried out: every result "ok".
  CHECK(check.integer("SELECT count(*) FROM actions WHERE action = 'alert'") == alerts);
  CHECK(check.integer("SELECT count(*) FROM actions WHERE action = 'cancel'") == cancels);
  CHECK(check.integer("SELECT count(*) FROM actions WHERE action = 'kick'") == 1);
  CHECK(check.integer("SELECT count(*) FROM actions WHERE result <> 'ok' OR session_id <> " + sid) == 0);
  CHECK(alerts >= 1);
  CHECK(cancels >= 1);

  // The first pitch record: its alert and its cancel point at it.
  const Violation* first_pitch = nullptr;
  for (const auto& v : violations) {
    if (v.check == "badpackets.pitch" && first_pitch == nullptr) first_pitch = &v;
  }
  REQUIRE(first_pitch);
  const Violation& first = *first_pitch;
  REQUIRE(first.cancelled == 1);
  REQUIRE(has(first.outcome, Outcome::alert));
  const std::string first_id = q(static_cast<std::uint64_t>(check.integer(
      "SELECT id FROM violations WHERE check_name = 'badpackets.pitch' ORDER BY id LIMIT 1")));
  CHECK(check.text("SELECT detail FROM actions WHERE action = 'cancel' AND violation_id = " + first_id) ==
        "1 packet dropped: " + violation_summary(first));
  CHECK(check.text("SELECT detail || '/' || time_ms FROM actions WHERE action = 'alert' AND violation_id = " +
                   first_id) == violation_summary(first) + "/" + std::to_string(first.time_ms));

  // The kick points at the record whose flag kicked.
  CHECK(check.text("SELECT v.check_name || '/' || v.vl || '/' || a.detail || '/' || a.time_ms FROM actions a "
                   "JOIN violations v ON v.id = a.violation_id WHERE a.action = 'kick'") ==
        "badpackets.pitch/" + check.text("SELECT max(vl) FROM violations WHERE check_name = 'badpackets.pitch'") +
            "/" + kick->reason + "/" + std::to_string(kick->at.to_millis()));
  CHECK(check.integer("SELECT v.vl >= 1.5 FROM actions a JOIN violations v ON v.id = a.violation_id "
                      "WHERE a.action = 'kick'") == 1);
  log->stop();
}

TEST_CASE("SessionRecorder: a replay's actions are recorded as not executed, and a forwarded address wins",
          "[storage][recorder]") {
  TempDir dir;
  const std::string db = dir.file("rg.db");
  auto log = start_log(db);

  SessionRecorder replay(log.get(), RecorderOrigin{SessionSource::replay, "198.51.100.2:40000", "captures/a.pcap"});
  record(replay, {login(1'000, "203.0.113.9:25565"),
                  session::ClientBrand{Timestamp::from_millis(1'001), "fabric"},
                  found(1'100, "badpackets.pitch", Outcome::alert | Outcome::cancel, 5, 5),
                  found(1'200, "timer", Outcome::kick),
                  kicked(1'200, "timer", "Timer (balance)")});
  replay.end(Timestamp::from_millis(2'000));

  // Live, with an engine limit's kick: no record to point at.
  SessionRecorder live(log.get(), RecorderOrigin{SessionSource::live, "198.51.100.3:40001", {}});
  record(live, {login(3'000), found(3'100, "badpackets.pitch", Outcome::cancel, 1, 1),
                kicked(3'200, "", "too many packets (3000/s, limit 500)")});
  live.end(Timestamp::from_millis(3'300));
  REQUIRE(log->flush());

  Inspector check{db};
  const std::string r = q(replay.session_id());
  const std::string l = q(live.session_id());
  REQUIRE(replay.session_id() != 0);
  REQUIRE(live.session_id() != 0);
  CHECK(replay.session_id() != live.session_id());
  CHECK(check.text("SELECT address || '/' || source || '/' || capture_file || '/' || client_brand || '/' || "
                   "start_ms || '/' || end_ms FROM sessions WHERE id = " + r) ==
        "203.0.113.9:25565/replay/captures/a.pcap/fabric/1000/2000");
  CHECK(check.text("SELECT address || '/' || source || '/' || ifnull(client_brand, '-') || '/' || end_ms "
                   "FROM sessions WHERE id = " + l) == "198.51.100.3:40001/live/-/3300");

  // Replay: what live would have done, not done.
  CHECK(check.integer("SELECT count(*) FROM actions WHERE session_id = " + r) == 3);
  CHECK(check.integer("SELECT count(*) FROM actions WHERE session_id = " + r + " AND result = 'not executed'") == 3);
  const std::string pitch_id =
      q(static_cast<std::uint64_t>(check.integer("SELECT id FROM violations WHERE check_name = 'badpackets.pitch' "
                                                 "AND session_id = " + r)));
  const std::string timer_id = q(static_cast<std::uint64_t>(
      check.integer("SELECT id FROM violations WHERE check_name = 'timer' AND session_id = " + r)));
  Violation pitch = found(1'100, "badpackets.pitch", Outcome::alert | Outcome::cancel, 5, 5).violation;
  CHECK(check.text("SELECT group_concat(action || '=' || detail || '@' || time_ms, ' | ') FROM "
                   "(SELECT * FROM actions WHERE violation_id = " + pitch_id + " ORDER BY id)") ==
        "alert=" + violation_summary(pitch) + "@1100 | cancel=5 packets dropped: " + violation_summary(pitch) +
            "@1100");
  CHECK(check.text("SELECT action || '/' || detail || '/' || time_ms || '/' || violation_id FROM actions WHERE "
                   "action = 'kick' AND session_id = " + r) == "kick/Timer (balance)/1200/" + timer_id);
  CHECK(check.text("SELECT count || '/' || session_id FROM violations WHERE id = " + pitch_id) == "5/" + r);

  // Live: results "ok"; the engine's own kick has no violation.
  CHECK(check.text("SELECT group_concat(action || '/' || result, ' ') FROM (SELECT * FROM actions WHERE "
                   "session_id = " + l + " ORDER BY id)") == "cancel/ok kick/ok");
  CHECK(check.text("SELECT detail FROM actions WHERE action = 'cancel' AND session_id = " + l) ==
        "1 packet dropped: " + violation_summary(found(3'100, "badpackets.pitch", Outcome::cancel, 1, 1).violation));
  CHECK(check.text("SELECT ifnull(violation_id, 0) || '/' || detail || '/' || time_ms FROM actions WHERE "
                   "action = 'kick' AND session_id = " + l) == "0/too many packets (3000/s, limit 500)/3200");
  log->stop();
}

TEST_CASE("SessionRecorder stores nothing before PlayerLoggedIn and ends a session once", "[storage][recorder]") {
  TempDir dir;
  const std::string db = dir.file("rg.db");
  auto log = start_log(db);

  SessionRecorder recorder(log.get(), RecorderOrigin{SessionSource::live, "198.51.100.4:1", {}});
  // Before the login: nothing has a session to belong to.
  record(recorder, {session::StatusRequested{}, session::ClientBrand{Timestamp::from_millis(10), "vanilla"},
                    found(20, "timer", Outcome::alert | Outcome::cancel, 1, 1), kicked(30, "timer"),
                    session::EncryptionStarted{}, session::ServerDisconnected{}});
  CHECK(recorder.session_id() == 0);
  REQUIRE(log->flush());
  {
    Inspector check{db};
    CHECK(check.integer("SELECT count(*) FROM sessions") == 0);
    CHECK(check.integer("SELECT count(*) FROM violations") == 0);
    CHECK(check.integer("SELECT count(*) FROM actions") == 0);
  }

  // The login starts the row (once), and from then on everything is stored.
  record(recorder, {login(100), login(150), found(200, "timer", Outcome::none),
                    session::StatusPinged{7}, session::StatusAnswered{"{}"}});
  REQUIRE(recorder.session_id() != 0);
  recorder.end(Timestamp::from_millis(500));
  recorder.end(Timestamp::from_millis(900));
  REQUIRE(log->flush());
  Inspector check{db};
  const std::string sid = q(recorder.session_id());
  CHECK(check.integer("SELECT count(*) FROM sessions") == 1);
  CHECK(check.text("SELECT start_ms || '/' || end_ms || '/' || ifnull(client_brand, '-') FROM sessions WHERE id = " +
                   sid) == "100/500/-");
  CHECK(check.text("SELECT session_id || '/' || time_ms || '/' || check_name FROM violations") == sid + "/200/timer");
  CHECK(check.integer("SELECT count(*) FROM actions") == 0);  // Outcome::none: nothing was done
  log->stop();
}

TEST_CASE("SessionRecorder without a log stores nothing and takes every event", "[storage][recorder]") {
  SessionRecorder recorder(nullptr, RecorderOrigin{});
  record(recorder, {login(100), found(200, "timer", Outcome::alert | Outcome::kick), kicked(200, "timer")});
  CHECK(recorder.session_id() == 0);
  recorder.end(Timestamp::from_millis(300));
}

}  // namespace session_recorder_test
