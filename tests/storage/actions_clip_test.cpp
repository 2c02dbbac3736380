// The evidence clip of an action (schema version 5, actions.clip): a version-4
// file migrates with its rows kept and no clips, the SQLite sink and the
// spill file carry the clip's name, and SessionRecorder names it per action
// kind when the live proxy gave it a namer (and never otherwise).

#include <catch2/catch.hpp>

#include <cstdint>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "rustguard/adapters/session_recorder.hpp"
#include "rustguard/adapters/spill_file.hpp"
#include "rustguard/adapters/sqlite_record_sink.hpp"
#include "rustguard/adapters/sqlite_schema.hpp"
#include "rustguard/adapters/violation_log.hpp"
#include "storage_test_support.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace actions_clip_test {

using namespace rustguard;
using namespace rustguard::adapters;
using namespace rustguard::storage_test;

namespace {

// A version-4 file as that schema wrote it, typed out here (not taken from
// the migration code) so the test runs the real 4 -> 5 step.
void create_v4_file(const std::string& path) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  const char* sql = R"sql(
    CREATE TABLE players (uuid TEXT PRIMARY KEY, last_name TEXT NOT NULL, first_seen_ms INTEGER NOT NULL,
                          last_seen_ms INTEGER NOT NULL) WITHOUT ROWID;
    CREATE INDEX players_by_name ON players (last_name COLLATE NOCASE);
    CREATE TABLE sessions (id INTEGER PRIMARY KEY, player_uuid TEXT REFERENCES players (uuid), player_name TEXT,
                           address TEXT, protocol_version INTEGER, start_ms INTEGER, end_ms INTEGER,
                           source TEXT CHECK (source IN ('live', 'replay')), capture_file TEXT,
                           client_brand TEXT, end_reason TEXT);
    CREATE INDEX sessions_by_player ON sessions (player_uuid, start_ms);
    CREATE INDEX sessions_open ON sessions (id) WHERE end_ms IS NULL;
    CREATE TABLE violations (id INTEGER PRIMARY KEY, session_id INTEGER NOT NULL REFERENCES sessions (id),
                             time_ms INTEGER NOT NULL, check_name TEXT NOT NULL, type TEXT NOT NULL,
                             vl REAL NOT NULL, detail TEXT NOT NULL, numbers_json TEXT NOT NULL,
                             ping_ms INTEGER, count INTEGER NOT NULL DEFAULT 1);
    CREATE INDEX violations_by_time ON violations (time_ms);
    CREATE INDEX violations_by_session ON violations (session_id, time_ms);
    CREATE INDEX violations_by_check ON violations (check_name, time_ms);
    CREATE TABLE actions (id INTEGER PRIMARY KEY, session_id INTEGER NOT NULL REFERENCES sessions (id),
                          violation_id INTEGER REFERENCES violations (id), time_ms INTEGER NOT NULL,
                          action TEXT NOT NULL CHECK (action IN ('alert', 'cancel', 'setback', 'kick', 'command',
                                                                 'strike')),
                          detail TEXT NOT NULL, result TEXT NOT NULL);
    CREATE INDEX actions_by_session ON actions (session_id, time_ms);
    INSERT INTO players VALUES ('00000000-0000-1111-0000-000000000007', 'OldTimer', 1000, 2000);
    INSERT INTO sessions VALUES (5, '00000000-0000-1111-0000-000000000007', 'OldTimer', '198.51.100.1:40000',
                                 765, 1000, 2000, 'live', NULL, 'vanilla', NULL);
    INSERT INTO violations VALUES (40, 5, 1500, 'reach', 'distance', 3.5, 'reach 3.4 > 3.1', '{"reach":3.4}', 60, 2);
    INSERT INTO actions VALUES (41, 5, 40, 1500, 'setback', 'reach distance VL 3.5', 'ok');
    INSERT INTO actions VALUES (42, 5, 40, 1700, 'kick', 'Reach', 'ok');
    PRAGMA user_version = 4;
  )sql";
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
  INFO((err ? err : ""));
  sqlite3_free(err);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

ActionRecord clipped_kick(std::uint64_t id, std::uint64_t session, std::string clip) {
  ActionRecord a{id, session, 0, 2'000, ActionKind::kick, "Kicked by RustGuard", "ok"};
  a.clip = std::move(clip);
  return a;
}

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

session::PlayerLoggedIn login(std::int64_t at_ms) {
  return session::PlayerLoggedIn{Timestamp::from_millis(at_ms), "Steve", protocol::Uuid{0x1111, 9}, 765, {}};
}

// One violation whose outcome is every verdict the recorder turns into a row
// (alert, cancel, setback, kick) and whose ladder fired an alert, a strike
// and a command; then the kick it caused.
std::vector<session::Event> every_kind(std::int64_t at_ms) {
  Violation v = make_violation(0, at_ms, "movement.speed", "moved 0.91 > 0.62", 12.5);
  v.outcome = Outcome::alert | Outcome::cancel | Outcome::setback | Outcome::kick;
  v.cancelled = 2;
  v.actions = {actions::FiredAction{actions::FiredKind::alert, "movement", "Steve is speeding"},
               actions::FiredAction{actions::FiredKind::strike, "movement", ""},
               actions::FiredAction{actions::FiredKind::command, "movement", "tempban Steve 1h"}};
  std::vector<session::Event> out;
  out.emplace_back(login(at_ms - 100));
  out.emplace_back(session::ViolationFound{std::move(v)});
  out.emplace_back(session::PlayerKicked{Timestamp::from_millis(at_ms), "speeding", "movement.speed"});
  return out;
}

// "kind=clip" per action row, by id ("kind=NULL" without one).
std::vector<std::string> clips_by_kind(const std::string& db) {
  Inspector check{db};
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(check.get(), "SELECT action, coalesce(clip, 'NULL') FROM actions ORDER BY id", -1,
                             &stmt, nullptr) == SQLITE_OK);
  std::vector<std::string> out;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    out.push_back(std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0))) + "=" +
                  reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1)));
  }
  sqlite3_finalize(stmt);
  return out;
}

}  // namespace

TEST_CASE("a version-4 file migrates to 5 and on: its rows are kept, without clips", "[storage][clip]") {
  TempDir dir;
  const std::string path = dir.file("v4.db");
  create_v4_file(path);

  auto log = start_log(path);
  REQUIRE(log->log_action(clipped_kick(0, 5, "clip-5-kick.pcapng")) == 43);  // ids continue after 42
  log->stop();

  Inspector check{path};
  CHECK(check.integer("PRAGMA user_version") == kSchemaVersion);
  CHECK(check.integer("SELECT count(*) FROM actions") == 3);
  CHECK(check.integer("SELECT count(*) FROM actions WHERE id IN (41, 42) AND clip IS NULL") == 2);
  CHECK(check.text("SELECT action || ' ' || detail || ' ' || result FROM actions WHERE id = 42") == "kick Reach ok");
  CHECK(check.text("SELECT detail FROM actions WHERE id = 41 AND action = 'setback'") == "reach distance VL 3.5");
  CHECK(check.text("SELECT clip FROM actions WHERE id = 43") == "clip-5-kick.pcapng");
  CHECK(check.integer("SELECT count FROM violations WHERE id = 40") == 2);
  CHECK(check.text("SELECT client_brand FROM sessions WHERE id = 5") == "vanilla");
  CHECK(check.integer("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'actions_by_session'") == 1);
}

TEST_CASE("the SQLite sink writes an action's clip, and NULL without one", "[storage][clip]") {
  TempDir dir;
  const std::string db = dir.file("rg.db");
  {
    SqliteRecordSink sink;
    REQUIRE(sink.open(db).ok());
    auto s = make_session("Steve", 1, 1'000);
    s.id = 1;
    std::vector<StorageRecord> records{StorageRecord{s}, StorageRecord{clipped_kick(2, 1, "steve-2000-kick.pcapng")},
                                       StorageRecord{clipped_kick(3, 1, "")}};
    REQUIRE(sink.write(records).ok());
    // Applied again (a redone import): nothing changes.
    REQUIRE(sink.write(records).ok());
  }
  Inspector check{db};
  CHECK(check.integer("PRAGMA user_version") == kSchemaVersion);
  CHECK(check.integer("SELECT count(*) FROM actions") == 2);
  CHECK(check.text("SELECT clip FROM actions WHERE id = 2") == "steve-2000-kick.pcapng");
  CHECK(check.integer("SELECT clip IS NULL FROM actions WHERE id = 3") == 1);
}

TEST_CASE("the spill file keeps an action's clip; action entries without one read as before", "[storage][clip]") {
  TempDir dir;
  const std::string path = dir.file("clip.spill");
  {
    SpillWriter w{path};
    std::string error;
    std::vector<StorageRecord> records{StorageRecord{clipped_kick(2, 1, "steve-2000-kick.pcapng")},
                                       StorageRecord{clipped_kick(3, 1, "")}};
    REQUIRE(w.append(records, error));
  }
  {
    // An action entry as builds before clips wrote it: kind 5, no clip.
    std::vector<std::uint8_t> payload;
    protocol::Writer pw{payload};
    pw.u8(5).u64(4).u64(1).u64(0).i64(2'500).u8(static_cast<std::uint8_t>(ActionKind::alert));
    pw.string("old entry").string("ok");
    std::vector<std::uint8_t> entry;
    protocol::Writer w{entry};
    w.bytes(detail::kSpillMagic);
    w.i32(static_cast<std::int32_t>(payload.size()));
    w.i32(static_cast<std::int32_t>(detail::crc32(payload)));
    w.bytes(payload);
    std::ofstream out{path, std::ios::binary | std::ios::app};
    out.write(reinterpret_cast<const char*>(entry.data()), static_cast<std::streamsize>(entry.size()));
  }
  std::vector<StorageRecord> back;
  SpillReadStats stats;
  std::string error;
  REQUIRE(read_spill_file(
      path, [&](StorageRecord&& r) { back.push_back(std::move(r)); return true; }, {}, stats, error));
  REQUIRE(back.size() == 3);
  CHECK(stats.skipped_bytes == 0);
  CHECK(stats.max_id == 4);
  const auto& clipped = std::get<ActionRecord>(back[0]);
  CHECK(clipped.clip == "steve-2000-kick.pcapng");
  CHECK(clipped.kind == ActionKind::kick);
  CHECK(clipped.detail == "Kicked by RustGuard");
  CHECK(clipped.result == "ok");
  CHECK(std::get<ActionRecord>(back[1]).clip.empty());
  CHECK(std::get<ActionRecord>(back[2]).clip.empty());
  CHECK(std::get<ActionRecord>(back[2]).detail == "old entry");

  // A log whose database is unavailable spills the clip; the next start
  // imports it into the row.
  const std::string db = dir.file("rg.db");
  ::rename(path.c_str(), (db + ".spill").c_str());
  start_and_stop(db);
  Inspector check{db};
  CHECK(check.text("SELECT clip FROM actions WHERE id = 2") == "steve-2000-kick.pcapng");
  CHECK(check.integer("SELECT count(*) FROM actions WHERE id IN (3, 4) AND clip IS NULL") == 2);
}

TEST_CASE("SessionRecorder names each action's clip through its namer, and none without one", "[storage][clip]") {
  const auto namer = [](ActionKind kind) -> std::string {
    if (kind == ActionKind::strike || kind == ActionKind::cancel) return {};  // no clip for these
    return "steve-" + std::string(to_string(kind)) + ".pcapng";
  };

  SECTION("live, with a namer and a command runner") {
    TempDir dir;
    const std::string db = dir.file("rg.db");
    auto log = start_log(db);
    SessionRecorder recorder(log.get(), RecorderOrigin{SessionSource::live, "192.0.2.1:1000", {}});
    recorder.set_clip_namer(namer);
    std::vector<ActionRecord> handed;
    recorder.set_command_runner([&](ActionRecord row) {
      handed.push_back(row);
      row.result = "sent";
      log->log_action(std::move(row));
    });
    auto events = every_kind(5'000);
    recorder.record(events);
    recorder.end(Timestamp::from_millis(6'000));
    log->stop();
    REQUIRE(handed.size() == 1);
    CHECK(handed[0].clip == "steve-command.pcapng");
    CHECK(clips_by_kind(db) == std::vector<std::string>{"alert=steve-alert.pcapng", "cancel=NULL",
                                                        "setback=steve-setback.pcapng", "alert=steve-alert.pcapng",
                                                        "strike=NULL", "command=steve-command.pcapng",
                                                        "kick=steve-kick.pcapng"});
  }
  SECTION("live, with a namer and no RCON: the command row still names its clip") {
    TempDir dir;
    const std::string db = dir.file("rg.db");
    auto log = start_log(db);
    SessionRecorder recorder(log.get(), RecorderOrigin{SessionSource::live, "192.0.2.1:1000", {}});
    recorder.set_clip_namer(namer);
    auto events = every_kind(5'000);
    recorder.record(events);
    log->stop();
    Inspector check{db};
    CHECK(check.text("SELECT clip || ' ' || result FROM actions WHERE action = 'command'") ==
          "steve-command.pcapng failed: RCON is not enabled");
  }
  SECTION("without a namer (the replay, or clips off) every clip is NULL") {
    for (const SessionSource source : {SessionSource::live, SessionSource::replay}) {
      TempDir dir;
      const std::string db = dir.file("rg.db");
      auto log = start_log(db);
      SessionRecorder recorder(log.get(), RecorderOrigin{source, "192.0.2.1:1000", {}});
      auto events = every_kind(5'000);
      recorder.record(events);
      log->stop();
      Inspector check{db};
      CHECK(check.integer("SELECT count(*) FROM actions") == 7);
      CHECK(check.integer("SELECT count(*) FROM actions WHERE clip IS NOT NULL") == 0);
    }
  }
}

}  // namespace actions_clip_test
