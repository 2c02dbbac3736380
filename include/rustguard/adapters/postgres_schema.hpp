#pragma once
// The violation log's schema on PostgreSQL: the same tables, columns, indices
// and step-by-step migrations as on SQLite, from the same definition. Each
// step is the SQLite step's text (sqlite_schema.hpp, detail::kMigrations)
// put through postgres_dialect(), which rewrites the few places where the
// two engines differ; nothing is typed out twice, so a new migration lands
// on both engines by writing it once (and a test runs every step on a real
// server).
//
// The version lives in a one-row table, rustguard_schema_version
// (PostgreSQL has no PRAGMA user_version; the prefix keeps it apart from
// other tools' version tables in a shared database, Flyway's
// "schema_version" for one). Each step, its version bump and the re-read
// of the version commit in one transaction (PostgreSQL's DDL is
// transactional), so a crash mid-migration leaves the database at the last
// completed version.
// Several proxies starting at once on one database take turns through an
// advisory lock. A database newer than this build is refused, untouched.

#include <cstdint>
#include <regex>
#include <string>

#include "rustguard/adapters/postgres_connection.hpp"
#include "rustguard/adapters/sqlite_schema.hpp"

namespace rustguard::adapters {

// The SQLite text of a migration step, rewritten for PostgreSQL:
//  - INTEGER -> BIGINT and REAL -> DOUBLE PRECISION: SQLite's INTEGER holds
//    64 bits and its REAL is a double; PostgreSQL's are 32-bit and float4.
//    Ids seeded from the clock in microseconds need all 64 bits.
//  - REFERENCES clauses dropped: SQLite leaves foreign keys unenforced here
//    because the writer applies records out of order (a session's end before
//    its start, a spill import after newer batches); PostgreSQL would enforce
//    them and refuse such batches.
//  - WITHOUT ROWID dropped: a SQLite storage layout, nothing to say on
//    PostgreSQL, where every table is a heap with a separate key index.
//  - an index on (col COLLATE NOCASE) becomes one on (lower(col)): look a
//    player up with lower(last_name) = lower('Steve').
inline std::string postgres_dialect(const std::string& sqlite_sql) {
  static const std::regex integer{R"(\bINTEGER\b)"};
  static const std::regex real{R"(\bREAL\b)"};
  static const std::regex references{R"( REFERENCES \w+ \(\w+\))"};
  static const std::regex without_rowid{R"(\) WITHOUT ROWID;)"};
  static const std::regex nocase{R"(\((\w+) COLLATE NOCASE\))"};
  std::string sql = std::regex_replace(sqlite_sql, references, "");
  sql = std::regex_replace(sql, without_rowid, ");");
  sql = std::regex_replace(sql, nocase, "(lower($1))");
  sql = std::regex_replace(sql, integer, "BIGINT");
  sql = std::regex_replace(sql, real, "DOUBLE PRECISION");
  return sql;
}

// The PostgreSQL text of the step from `version` to `version + 1`.
inline std::string postgres_migration(std::int64_t version) {
  return postgres_dialect(detail::kMigrations[static_cast<std::size_t>(version)]);
}

namespace detail {
// Any constant the database's other users are unlikely to pick: "RGSV".
inline constexpr std::int64_t kPostgresMigrationLock = 0x52475356;
}  // namespace detail

// The version, 0 for a database without the table (nothing created yet).
inline PgStatus read_postgres_schema_version(PgConnection& db, std::int64_t& version) {
  std::int64_t exists = 0;
  if (auto s = db.query_int("SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema() "
                            "AND tablename = 'rustguard_schema_version'",
                            exists, "read schema version");
      !s.ok()) {
    return s;
  }
  version = 0;
  if (exists == 0) return {};
  return db.query_int("SELECT max(version) FROM rustguard_schema_version", version, "read schema version");
}

// Brings the database to `target` (kSchemaVersion; tests stop earlier to
// build an old database) one step at a time. Rows survive every step. Fails,
// changing nothing, when the database is newer than this build.
inline PgStatus migrate_postgres_schema(PgConnection& db, std::int64_t target = kSchemaVersion) {
  if (target < 0 || target > kSchemaVersion) return pg_error("migrate: no schema version " + std::to_string(target));
  const auto abandon = [&db](PgStatus s) {
    db.roll_back_if_open();
    return s;
  };
  for (;;) {
    if (auto s = db.exec("BEGIN", "migrate"); !s.ok()) return abandon(s);
    const std::string lock = "SELECT pg_advisory_xact_lock(" + std::to_string(detail::kPostgresMigrationLock) + ")";
    if (auto s = db.exec(lock.c_str(), "migrate: lock"); !s.ok()) return abandon(s);
    // one_row: the table holds exactly one version, whoever writes it.
    if (auto s = db.exec("CREATE TABLE IF NOT EXISTS rustguard_schema_version ("
                         "one_row BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one_row), version BIGINT NOT NULL); "
                         "INSERT INTO rustguard_schema_version (version) VALUES (0) ON CONFLICT (one_row) DO NOTHING",
                         "migrate: version table");
        !s.ok()) {
      return abandon(s);
    }
    std::int64_t version = 0;
    if (auto s = db.query_int("SELECT version FROM rustguard_schema_version", version, "migrate: read version");
        !s.ok()) {
      return abandon(s);
    }
    if (version > kSchemaVersion || version < 0) {
      return abandon(pg_error("schema version " + std::to_string(version) + " is not one this build knows (it writes " +
                              std::to_string(kSchemaVersion) + "); refusing to touch the database"));
    }
    if (version >= target) return db.exec("COMMIT", "migrate: commit");
    const std::string step = postgres_migration(version);
    if (auto s = db.exec(step.c_str(), "migrate to version " + std::to_string(version + 1)); !s.ok()) {
      return abandon(s);
    }
    const std::string bump = "UPDATE rustguard_schema_version SET version = " + std::to_string(version + 1);
    if (auto s = db.exec(bump.c_str(), "migrate: bump version"); !s.ok()) return abandon(s);
    if (auto s = db.exec("COMMIT", "migrate: commit"); !s.ok()) return abandon(s);
  }
}

}  // namespace rustguard::adapters
