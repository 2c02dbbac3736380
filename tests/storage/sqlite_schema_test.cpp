#include <catch2/catch.hpp>
#include <string>

#include "rustguard/adapters/sqlite_schema.hpp"
#include "rustguard/adapters/violation_log.hpp"
#include "storage_test_support.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace sqlite_schema_test {

using namespace rustguard;
using namespace rustguard::adapters;
using namespace rustguard::storage_test;

namespace {

// A version-1 file as the first release wrote it, typed out here rather than
// taken from the migration code, so the test checks the real upgrade path.
void create_v1_file(const std::string& path) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  const char* sql = R"sql(
    CREATE TABLE players (uuid TEXT PRIMARY KEY, last_name TEXT NOT NULL, first_seen_ms INTEGER NOT NULL,
                          last_seen_ms INTEGER NOT NULL) WITHOUT ROWID;
    CREATE INDEX players_by_name ON players (last_name COLLATE NOCASE);
    CREATE TABLE sessions (id INTEGER PRIMARY KEY, player_uuid TEXT REFERENCES players (uuid), player_name TEXT,
                           address TEXT, protocol_version INTEGER, start_ms INTEGER, end_ms INTEGER,
                           source TEXT CHECK (source IN ('live', 'replay')), capture_file TEXT);
    CREATE INDEX sessions_by_player ON sessions (player_uuid, start_ms);
    CREATE TABLE violations (id INTEGER PRIMARY KEY, session_id INTEGER NOT NULL REFERENCES sessions (id),
                             time_ms INTEGER NOT NULL, check_name TEXT NOT NULL, type TEXT NOT NULL,
                             vl REAL NOT NULL, detail TEXT NOT NULL, numbers_json TEXT NOT NULL);
    CREATE INDEX violations_by_time ON violations (time_ms);
    CREATE INDEX violations_by_session ON violations (session_id, time_ms);
    CREATE TABLE actions (id INTEGER PRIMARY KEY, session_id INTEGER NOT NULL REFERENCES sessions (id),
                          violation_id INTEGER REFERENCES violations (id), time_ms INTEGER NOT NULL,
                          action TEXT NOT NULL CHECK (action IN ('alert', 'cancel', 'kick', 'command')),
                          detail TEXT NOT NULL, result TEXT NOT NULL);
    CREATE INDEX actions_by_session ON actions (session_id, time_ms);
    INSERT INTO players VALUES ('00000000-0000-1111-0000-000000000007', 'OldTimer', 1000, 2000);
    INSERT INTO sessions VALUES (5, '00000000-0000-1111-0000-000000000007', 'OldTimer', '198.51.100.1:40000',
                                 47, 1000, 2000, 'live', NULL);
    INSERT INTO violations VALUES (40, 5, 1500, 'reach', 'distance', 3.5, 'reach 3.4 > 3.1', '{"reach":3.4}');
    INSERT INTO violations VALUES (41, 5, 1600, 'timer', 'balance', 1.0, 'balance -400 ms', '{"balance_ms":-400}');
    INSERT INTO actions VALUES (42, 5, 40, 1700, 'kick', 'Reach', 'ok');
    PRAGMA user_version = 1;
  )sql";
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
  INFO((err ? err : ""));
  sqlite3_free(err);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

}  // namespace

TEST_CASE("a fresh file gets the current schema") {
  TempDir dir;
  SqliteDatabase db;
  REQUIRE(db.open(dir.file("fresh.db")).ok());
  REQUIRE(migrate_schema(db).ok());
  std::int64_t version = 0;
  REQUIRE(read_schema_version(db, version).ok());
  CHECK(version == kSchemaVersion);
  // Running it again is a no-op.
  REQUIRE(migrate_schema(db).ok());
}

TEST_CASE("migration from version 1 keeps every row and adds the columns, actions and indexes of versions 2 to 6") {
  TempDir dir;
  const std::string path = dir.file("old.db");
  create_v1_file(path);

  std::string error;
  ViolationLogOptions o;
  o.database_path = path;
  auto log = ViolationLog::start(o, error);
  REQUIRE(log);
  // Ids continue after the old rows (max id 42).
  const auto session = log->begin_session(make_session("OldTimer", 7, 3000));
  CHECK(session == 43);
  REQUIRE(log->set_client_brand(session, "fabric"));
  auto v = make_violation(session, 3100, "timer", "balance -350 ms");
  v.ping_ms = 87;
  REQUIRE(log->log_violation(v) == 44);
  // Version 4: a ladder's strike is an action the old CHECK refused.
  REQUIRE(log->log_action({0, session, 44, 3100, ActionKind::strike, "combat", "ok"}) == 45);
  log->stop();

  Inspector check{path};
  CHECK(check.integer("PRAGMA user_version") == kSchemaVersion);
  CHECK(check.text("SELECT detail FROM actions WHERE id = 45 AND action = 'strike'") == "combat");
  CHECK(check.text("SELECT action || ' ' || detail FROM actions WHERE id = 42") == "kick Reach");
  CHECK(check.integer("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'actions_by_session'") == 1);
  CHECK(check.integer("SELECT count(*) FROM violations") == 3);
  CHECK(check.text("SELECT detail FROM violations WHERE id = 40") == "reach 3.4 > 3.1");
  CHECK(check.text("SELECT numbers_json FROM violations WHERE id = 41") == R"({"balance_ms":-400})");
  CHECK(check.text("SELECT coalesce(ping_ms, 'none') FROM violations WHERE id = 41") == "none");
  CHECK(check.integer("SELECT ping_ms FROM violations WHERE id = 44") == 87);
  CHECK(check.text("SELECT client_brand FROM sessions WHERE id = 43") == "fabric");
  CHECK(check.text("SELECT coalesce(client_brand, 'none') FROM sessions WHERE id = 5") == "none");
  CHECK(check.text("SELECT result FROM actions WHERE id = 42") == "ok");
  CHECK(check.integer("SELECT count(*) FROM actions WHERE clip IS NULL") == 2);  // version 5: no clips yet
  CHECK(check.integer("SELECT first_seen_ms FROM players WHERE last_name = 'OldTimer'") == 1000);
  CHECK(check.integer("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'violations_by_check'") ==
        1);
  CHECK(check.integer("SELECT count FROM violations WHERE id = 40") == 1);  // the column's default
  CHECK(check.integer("SELECT count FROM violations WHERE id = 44") == 1);
  CHECK(check.text("SELECT coalesce(end_reason, 'none') FROM sessions WHERE id = 5") == "none");
  CHECK(check.integer("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'sessions_open'") == 1);
  // Version 6: the strikes' partial index, which the strike book's read uses.
  CHECK(check.integer("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'actions_strikes'") == 1);
  // Only WAL is recorded in the file; a rollback journal mode is per
  // connection, so a reader sees SQLite's default. What matters: not WAL.
  CHECK(check.text("PRAGMA journal_mode") == "delete");
}

TEST_CASE("a file from a newer schema is left alone and the records are spilled") {
  TempDir dir;
  const std::string path = dir.file("future.db");
  {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, "CREATE TABLE t (x); PRAGMA user_version = 99;", nullptr, nullptr, nullptr) ==
            SQLITE_OK);
    sqlite3_close(db);
  }
  SqliteDatabase db;
  REQUIRE(db.open(path).ok());
  const auto s = migrate_schema(db);
  CHECK_FALSE(s.ok());
  CHECK(s.message.find("99") != std::string::npos);
  db.close();

  LogLines lines;
  ViolationLogOptions o;
  o.database_path = path;
  o.log = lines.callback();
  std::string error;
  auto log = ViolationLog::start(o, error);
  REQUIRE(log);
  REQUIRE(log->log_violation(make_violation(1, 1, "timer", "kept")) != 0);
  REQUIRE(log->flush());  // flush spills when the database refuses
  log->stop();
  CHECK(log->counters().spilled == 1);
  CHECK(lines.contains("refusing to touch the file"));
  Inspector check{path};
  CHECK(check.integer("PRAGMA user_version") == 99);
  CHECK(check.integer("SELECT count(*) FROM sqlite_master WHERE name = 'violations'") == 0);
}

}  // namespace sqlite_schema_test
