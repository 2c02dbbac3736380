#pragma once
// The violation log's schema and its forward migrations. The version lives in
// PRAGMA user_version; each step runs in its own IMMEDIATE transaction together
// with the version bump, so a crash mid-migration leaves the file at the last
// completed version and the next open resumes from there. A file newer than
// this build is refused rather than touched. docs/database-schema.md describes
// every table and the history.

#include <array>
#include <cstdint>
#include <string>

#include "rustguard/adapters/sqlite_handle.hpp"

namespace rustguard::adapters {

inline constexpr std::int64_t kSchemaVersion = 6;

namespace detail {

// Version 1: players, sessions, violations, actions. Every id is assigned by
// the writer before the row exists, which is what makes spill imports
// idempotent. Sessions' columns are nullable because a session's end or
// brand may be applied before its start (both are upserts on the id).
inline constexpr const char* kMigrationTo1 = R"sql(
CREATE TABLE players (
  uuid          TEXT PRIMARY KEY,
  last_name     TEXT NOT NULL,
  first_seen_ms INTEGER NOT NULL,
  last_seen_ms  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX players_by_name ON players (last_name COLLATE NOCASE);

CREATE TABLE sessions (
  id               INTEGER PRIMARY KEY,
  player_uuid      TEXT REFERENCES players (uuid),
  player_name      TEXT,
  address          TEXT,
  protocol_version INTEGER,
  start_ms         INTEGER,
  end_ms           INTEGER,
  source           TEXT CHECK (source IN ('live', 'replay')),
  capture_file     TEXT
);
CREATE INDEX sessions_by_player ON sessions (player_uuid, start_ms);

CREATE TABLE violations (
  id           INTEGER PRIMARY KEY,
  session_id   INTEGER NOT NULL REFERENCES sessions (id),
  time_ms      INTEGER NOT NULL,
  check_name   TEXT NOT NULL,
  type         TEXT NOT NULL,
  vl           REAL NOT NULL,
  detail       TEXT NOT NULL,
  numbers_json TEXT NOT NULL
);
CREATE INDEX violations_by_time ON violations (time_ms);
CREATE INDEX violations_by_session ON violations (session_id, time_ms);

CREATE TABLE actions (
  id           INTEGER PRIMARY KEY,
  session_id   INTEGER NOT NULL REFERENCES sessions (id),
  violation_id INTEGER REFERENCES violations (id),
  time_ms      INTEGER NOT NULL,
  action       TEXT NOT NULL CHECK (action IN ('alert', 'cancel', 'kick', 'command')),
  detail       TEXT NOT NULL,
  result       TEXT NOT NULL
);
CREATE INDEX actions_by_session ON actions (session_id, time_ms);
)sql";

// Version 2: the client brand of a session, the ping at the moment of a
// violation, and an index for per-check counts over time (the hourly chart).
inline constexpr const char* kMigrationTo2 = R"sql(
ALTER TABLE sessions ADD COLUMN client_brand TEXT;
ALTER TABLE violations ADD COLUMN ping_ms INTEGER;
CREATE INDEX violations_by_check ON violations (check_name, time_ms);
)sql";

// Version 3: how many flags a violation row stands for (the engine folds
// repeats of one check into one row), why a session ended when the proxy did
// not see it end ('crashed': closed at the next start, see
// SqliteRecordSink::close_crashed_sessions), and a partial index of the
// sessions still open, which is all that closing them has to look at.
inline constexpr const char* kMigrationTo3 = R"sql(
ALTER TABLE violations ADD COLUMN count INTEGER NOT NULL DEFAULT 1;
ALTER TABLE sessions ADD COLUMN end_reason TEXT;
CREATE INDEX sessions_open ON sessions (id) WHERE end_ms IS NULL;
)sql";

// Version 4: the punishment ladders' actions: 'setback', and 'strike' (the
// detail is the punishment group; the ladders read a player's unexpired
// strikes back at login). SQLite cannot change a CHECK in place: the table is
// rebuilt with every row and id kept.
inline constexpr const char* kMigrationTo4 = R"sql(
CREATE TABLE actions_v4 (
  id           INTEGER PRIMARY KEY,
  session_id   INTEGER NOT NULL REFERENCES sessions (id),
  violation_id INTEGER REFERENCES violations (id),
  time_ms      INTEGER NOT NULL,
  action       TEXT NOT NULL CHECK (action IN ('alert', 'cancel', 'setback', 'kick', 'command', 'strike')),
  detail       TEXT NOT NULL,
  result       TEXT NOT NULL
);
INSERT INTO actions_v4 (id, session_id, violation_id, time_ms, action, detail, result)
  SELECT id, session_id, violation_id, time_ms, action, detail, result FROM actions;
DROP TABLE actions;
ALTER TABLE actions_v4 RENAME TO actions;
CREATE INDEX actions_by_session ON actions (session_id, time_ms);
)sql";

// Version 5: the evidence clip an action's live connection wrote (a pcapng
// file name, docs/recordings.md "Evidence clips"), so an operator goes from a
// kick or an alert to the bytes that caused it. NULL: no clip (older rows,
// replays, kinds that get none, clips turned off). A plain ADD COLUMN: the
// rows and the CHECK are untouched.
inline constexpr const char* kMigrationTo5 = R"sql(
ALTER TABLE actions ADD COLUMN clip TEXT;
)sql";

// Version 6: a partial index of the strikes, which the strike book reads
// at start and a fleet's proxies every punishments.strike_sync
// (postgres_strike_reader.hpp): without it each read scans every action,
// and cancels alone are one row per cancelled hit.
inline constexpr const char* kMigrationTo6 = R"sql(
CREATE INDEX actions_strikes ON actions (time_ms) WHERE action = 'strike';
)sql";

// kMigrations[n] takes a file from version n to n + 1.
inline constexpr std::array<const char*, kSchemaVersion> kMigrations{kMigrationTo1, kMigrationTo2, kMigrationTo3,
                                                                     kMigrationTo4, kMigrationTo5, kMigrationTo6};

}  // namespace detail

inline SqliteStatus read_schema_version(SqliteDatabase& db, std::int64_t& version) {
  return db.query_int("PRAGMA user_version", version);
}

// Brings the file to kSchemaVersion one step at a time. Rows survive every
// step. Fails (and changes nothing) when the file is newer than this build.
inline SqliteStatus migrate_schema(SqliteDatabase& db) {
  for (;;) {
    std::int64_t version = 0;
    if (auto s = read_schema_version(db, version); !s.ok()) return s;
    if (version == kSchemaVersion) return {};
    if (version > kSchemaVersion || version < 0) {
      SqliteStatus s;
      s.code = SQLITE_MISMATCH;
      s.message = "schema version " + std::to_string(version) + " is not one this build knows (it writes " +
                  std::to_string(kSchemaVersion) + "); refusing to touch the file";
      return s;
    }
    if (auto s = db.exec("BEGIN IMMEDIATE"); !s.ok()) return s;
    // Re-read under the write lock: another process may have migrated meanwhile.
    std::int64_t locked_version = 0;
    if (auto s = read_schema_version(db, locked_version); !s.ok()) {
      db.exec("ROLLBACK");
      return s;
    }
    if (locked_version != version) {
      db.exec("ROLLBACK");
      continue;
    }
    const std::string bump = "PRAGMA user_version = " + std::to_string(version + 1);
    SqliteStatus s = db.exec(detail::kMigrations[static_cast<std::size_t>(version)]);
    if (s.ok()) s = db.exec(bump.c_str());
    if (s.ok()) s = db.exec("COMMIT");
    if (!s.ok()) {
      db.exec("ROLLBACK");
      return s;
    }
  }
}

}  // namespace rustguard::adapters
