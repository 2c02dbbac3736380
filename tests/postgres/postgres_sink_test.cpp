// The PostgreSQL sink against a real PostgreSQL 15 (postgres_test_support.hpp
// starts one in a temporary directory): the schema from nothing and by
// migration, batches that land as SQLite stores the same records, batches
// written twice, text PostgreSQL cannot store, and a server stopped under
// the sink and started again.

#include <libpq-fe.h>
#include <signal.h>
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "../storage/storage_test_support.hpp"
#include "postgres_test_support.hpp"
#include "rustguard/adapters/postgres_record_sink.hpp"
#include "rustguard/adapters/postgres_schema.hpp"
#include "rustguard/adapters/sqlite_record_sink.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace postgres_sink_test {

using namespace rustguard;
using namespace rustguard::adapters;
using namespace rustguard::postgres_test;
using rustguard::storage_test::make_session;
using rustguard::storage_test::make_violation;
using rustguard::storage_test::TempDir;

namespace {

// The shortest text that reads back as the same double: SQLite's REAL and
// PostgreSQL's float8 print differently, their values must not differ.
std::string double_text(double v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

// Every row of `table` as one line "v1|v2|...", NULL as "NULL", in id order.
std::vector<std::string> pg_rows(PgConnection& db, const std::string& table, const std::string& order = "id") {
  PgResult r;
  const auto s = db.exec_params("SELECT * FROM " + table + " ORDER BY " + order, {}, {}, "read", &r);
  INFO(s.message);
  REQUIRE(s.ok());
  std::vector<std::string> rows;
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    std::string line;
    for (int c = 0; c < PQnfields(r.get()); ++c) {
      if (c != 0) line += '|';
      if (PQgetisnull(r.get(), i, c)) {
        line += "NULL";
      } else if (PQftype(r.get(), c) == kPgFloat8) {
        line += double_text(std::strtod(PQgetvalue(r.get(), i, c), nullptr));
      } else {
        line += PQgetvalue(r.get(), i, c);
      }
    }
    rows.push_back(line);
  }
  return rows;
}

std::vector<std::string> sqlite_rows(sqlite3* db, const std::string& table, const std::string& order = "id") {
  sqlite3_stmt* stmt = nullptr;
  const std::string sql = "SELECT * FROM " + table + " ORDER BY " + order;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
  std::vector<std::string> rows;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    std::string line;
    for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
      if (c != 0) line += '|';
      switch (sqlite3_column_type(stmt, c)) {
        case SQLITE_NULL: line += "NULL"; break;
        case SQLITE_INTEGER: line += std::to_string(sqlite3_column_int64(stmt, c)); break;
        case SQLITE_FLOAT: line += double_text(sqlite3_column_double(stmt, c)); break;
        default: line += reinterpret_cast<const char*>(sqlite3_column_text(stmt, c)); break;
      }
    }
    rows.push_back(line);
  }
  sqlite3_finalize(stmt);
  return rows;
}

std::vector<std::string> pg_columns(PgConnection& db, const std::string& table) {
  PgResult r;
  const auto s = db.exec_params(
      "SELECT column_name || ' ' || data_type FROM information_schema.columns WHERE table_schema = "
      "current_schema() AND table_name = $1 ORDER BY ordinal_position",
      {PgParam{table, false}}, {kPgText}, "columns", &r);
  REQUIRE(s.ok());
  std::vector<std::string> out;
  for (int i = 0; i < PQntuples(r.get()); ++i) out.emplace_back(PQgetvalue(r.get(), i, 0));
  return out;
}

std::vector<std::string> sqlite_columns(sqlite3* db, const std::string& table) {
  std::vector<std::string> out;
  for (const std::string& row : sqlite_rows(db, "pragma_table_info('" + table + "')", "cid")) {
    // cid|name|type|notnull|dflt_value|pk
    const auto a = row.find('|');
    const auto b = row.find('|', a + 1);
    const auto c = row.find('|', b + 1);
    std::string type = row.substr(b + 1, c - b - 1);
    type = type == "INTEGER" ? "bigint" : type == "REAL" ? "double precision" : "text";
    out.push_back(row.substr(a + 1, b - a - 1) + " " + type);
  }
  return out;
}

const char* const kTables[] = {"players", "sessions", "violations", "actions"};

// A little of everything the recorder writes, with ids as the log would
// assign them: two players (one with two sessions, renamed), a replayed
// session, brands, ends, violations (folded, with and without ping) and
// every action kind, with and without a violation and a clip. `base` offsets
// every id and time so two calls give disjoint batches.
std::vector<StorageRecord> sample_batch(std::uint64_t base, int violations_per_session = 25) {
  std::vector<StorageRecord> out;
  std::uint64_t next = base;
  const auto t = static_cast<std::int64_t>(1'700'000'000'000 + base * 1000);
  std::vector<std::uint64_t> sessions;
  for (int i = 0; i < 3; ++i) {
    SessionStart s = make_session(i == 2 ? "Alex" : (i == 0 ? "Steve" : "Steve_renamed"), i == 2 ? 2 : 1, t + i * 100);
    s.id = next++;
    if (i == 2) {
      s.source = SessionSource::replay;
      s.capture_file = "captures/speed.pcapng";
    }
    sessions.push_back(s.id);
    out.emplace_back(s);
    out.emplace_back(SessionBrand{s.id, i == 1 ? "fabric" : "vanilla"});
  }
  const ActionKind kinds[] = {ActionKind::alert,   ActionKind::cancel, ActionKind::kick,
                              ActionKind::command, ActionKind::strike, ActionKind::setback};
  for (int i = 0; i < violations_per_session * 3; ++i) {
    const std::uint64_t session = sessions[static_cast<std::size_t>(i % 3)];
    Violation v =
        make_violation(session, t + 1000 + i, i % 2 ? "movement.speed" : "timer.balance",
                       "detail " + std::to_string(i) + " \"quoted\" 'single' \\ ü\ttab\nline\r", 0.1 * i + 1.0 / 3);
    v.count = static_cast<std::uint32_t>(1 + i % 4);
    v.ping_ms = i % 5 == 0 ? 0 : 40 + i;
    ViolationRecord vr{next++, v};
    out.emplace_back(vr);
    ActionRecord a;
    a.id = next++;
    a.session_id = session;
    a.violation_id = i % 7 == 0 ? 0 : vr.id;
    a.time_ms = t + 1000 + i;
    a.kind = kinds[static_cast<std::size_t>(i) % 6];
    a.detail = "action " + std::to_string(i);
    a.result = i % 3 ? "ok" : "not executed";
    a.clip = i % 4 == 0 ? "clip-" + std::to_string(i) + ".pcapng" : "";
    out.emplace_back(a);
  }
  for (int i = 0; i < 2; ++i) out.emplace_back(SessionEnd{sessions[static_cast<std::size_t>(i)], t + 9000 + i});
  return out;
}

}  // namespace

TEST_CASE("postgres_dialect rewrites every SQLite-only part of each migration step") {
  for (std::int64_t v = 0; v < kSchemaVersion; ++v) {
    const std::string sql = postgres_migration(v);
    INFO("step to " << v + 1 << ":\n" << sql);
    CHECK(sql.find("INTEGER") == std::string::npos);
    CHECK(sql.find(" REAL") == std::string::npos);
    CHECK(sql.find("REFERENCES") == std::string::npos);
    CHECK(sql.find("WITHOUT ROWID") == std::string::npos);
    CHECK(sql.find("NOCASE") == std::string::npos);
  }
  const std::string first = postgres_migration(0);
  CHECK(first.find("id           BIGINT PRIMARY KEY") != std::string::npos);
  CHECK(first.find("vl           DOUBLE PRECISION NOT NULL") != std::string::npos);
  CHECK(first.find("CREATE INDEX players_by_name ON players (lower(last_name));") != std::string::npos);
  CHECK(first.find("session_id   BIGINT NOT NULL,") != std::string::npos);
  // The SQLite text itself is untouched.
  CHECK(std::string{detail::kMigrations[0]}.find("WITHOUT ROWID") != std::string::npos);
}

TEST_CASE("postgres_text keeps valid UTF-8 and replaces what PostgreSQL refuses") {
  CHECK(postgres_text("Steve ü € 😀") == "Steve ü € 😀");
  CHECK(postgres_text(std::string{"a\0b", 3}) ==
        "a\xEF\xBF\xBD"
        "b");
  CHECK(postgres_text("\xff"
                      "x") ==
        "\xEF\xBF\xBD"
        "x");
  CHECK(postgres_text("\xC0\xAF") == "\xEF\xBF\xBD\xEF\xBF\xBD");                  // overlong '/'
  CHECK(postgres_text("\xED\xA0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate
  CHECK(postgres_text("\xE2\x82") == "\xEF\xBF\xBD\xEF\xBF\xBD");                  // cut short
  CHECK(postgres_text("\xF4\x90\x80\x80").find("\xF4") == std::string::npos);      // above U+10FFFF
}

TEST_CASE("a PostgreSQL sink that cannot connect says why, and writes nothing") {
  PostgresRecordSink pg;
  const auto bad_url = pg.open("postgresql://[no-such-host");
  CHECK_FALSE(bad_url.ok());
  CHECK(bad_url.message.find("connect: ") == 0);
  const auto no_socket = pg.open("host=/nonexistent/rustguard port=5432 user=rustguard");
  CHECK_FALSE(no_socket.ok());
  CHECK(no_socket.connection_lost);
  CHECK(no_socket.message.find("/nonexistent/rustguard") != std::string::npos);
  CHECK_FALSE(pg.is_open());
  const std::vector<StorageRecord> batch{StorageRecord{SessionEnd{1, 2}}};
  const auto write = pg.write(batch);
  CHECK_FALSE(write.ok());
  CHECK(write.message == "write batch: not connected");
  std::uint64_t max = 7;
  CHECK_FALSE(pg.max_id(max).ok());
}

TEST_CASE("a fresh PostgreSQL database gets the current schema, with SQLite's tables and columns") {
  REQUIRE_POSTGRES(server);
  const std::string conninfo = server->fresh_database();
  {
    PgConnection empty = connect(conninfo);
    std::int64_t version = -1;
    REQUIRE(read_postgres_schema_version(empty, version).ok());
    CHECK(version == 0);
  }
  PostgresRecordSink sink;
  const auto s = sink.open(conninfo);
  INFO(s.message);
  REQUIRE(s.ok());
  PgConnection& db = sink.connection();
  CHECK(pg_int(db, "SELECT version FROM rustguard_schema_version") == kSchemaVersion);
  std::int64_t version = -1;
  REQUIRE(read_postgres_schema_version(db, version).ok());
  CHECK(version == kSchemaVersion);
  CHECK(pg_int(db, "SELECT count(*) FROM rustguard_schema_version") == 1);

  TempDir dir;
  SqliteDatabase lite;
  REQUIRE(lite.open(dir.file("same.db")).ok());
  REQUIRE(migrate_schema(lite).ok());
  for (const char* table : kTables) {
    INFO(table);
    CHECK(pg_columns(db, table) == sqlite_columns(lite.get(), table));
  }
  const auto indices =
      pg_rows(db, "pg_indexes WHERE schemaname = current_schema() AND indexname NOT LIKE '%pkey'", "indexname");
  std::vector<std::string> names;
  for (const auto& row : indices) {
    const auto a = row.find('|') + 1;
    const auto b = row.find('|', a) + 1;
    names.push_back(row.substr(b, row.find('|', b) - b));
  }
  CHECK(names == std::vector<std::string>{"actions_by_session", "actions_strikes", "players_by_name", "sessions_by_player",
                                          "sessions_open", "violations_by_check", "violations_by_session",
                                          "violations_by_time"});

  // Opening again migrates nothing and keeps the version.
  PostgresRecordSink again;
  REQUIRE(again.open(conninfo).ok());
  CHECK(pg_int(again.connection(), "SELECT version FROM rustguard_schema_version") == kSchemaVersion);
}

TEST_CASE("proxies opening one empty PostgreSQL database at once migrate it once, in turn") {
  REQUIRE_POSTGRES(server);
  const std::string conninfo = server->fresh_database();
  constexpr int kProxies = 4;
  std::vector<PgStatus> results(kProxies);
  std::vector<PostgresRecordSink> sinks(kProxies);
  {
    std::vector<std::jthread> threads;
    for (int i = 0; i < kProxies; ++i) {
      threads.emplace_back(
          [&, i] { results[static_cast<std::size_t>(i)] = sinks[static_cast<std::size_t>(i)].open(conninfo); });
    }
  }
  for (const PgStatus& s : results) {
    INFO(s.message);
    CHECK(s.ok());
  }
  CHECK(pg_int(sinks[0].connection(), "SELECT version FROM rustguard_schema_version") == kSchemaVersion);
  CHECK(pg_int(sinks[0].connection(), "SELECT count(*) FROM pg_indexes WHERE indexname = 'actions_by_session'") == 1);
}

TEST_CASE("migration from version 2 on PostgreSQL keeps every row and adds the columns and actions of 3 to 5") {
  REQUIRE_POSTGRES(server);
  const std::string conninfo = server->fresh_database();
  PgConnection db = connect(conninfo);
  REQUIRE(migrate_postgres_schema(db, 2).ok());
  CHECK(pg_int(db, "SELECT version FROM rustguard_schema_version") == 2);
  REQUIRE(db.exec("INSERT INTO players VALUES ('00000000-0000-1111-0000-000000000007', 'OldTimer', 1000, 2000);"
                  "INSERT INTO sessions VALUES (5, '00000000-0000-1111-0000-000000000007', 'OldTimer', "
                  "'198.51.100.1:40000', 47, 1000, 2000, 'live', NULL, 'lunar');"
                  "INSERT INTO violations VALUES (40, 5, 1500, 'reach', 'distance', 3.5, 'reach 3.4 > 3.1', "
                  "'{\"reach\":3.4}', 80);"
                  "INSERT INTO actions VALUES (42, 5, 40, 1700, 'kick', 'Reach', 'ok');",
                  "old rows")
              .ok());
  // Version 2 refuses a strike, as the SQLite file did.
  CHECK_FALSE(db.exec("INSERT INTO actions VALUES (43, 5, 40, 1700, 'strike', 'combat', 'ok')", "strike").ok());

  PostgresRecordSink sink;
  const auto s = sink.open(conninfo);
  INFO(s.message);
  REQUIRE(s.ok());
  PgConnection& now = sink.connection();
  CHECK(pg_int(now, "SELECT version FROM rustguard_schema_version") == kSchemaVersion);
  CHECK(pg_rows(now, "players", "uuid") ==
        std::vector<std::string>{"00000000-0000-1111-0000-000000000007|OldTimer|1000|2000"});
  CHECK(pg_rows(now, "sessions") ==
        std::vector<std::string>{"5|00000000-0000-1111-0000-000000000007|OldTimer|198.51.100.1:40000|47|1000|2000|"
                                 "live|NULL|lunar|NULL"});
  CHECK(pg_rows(now, "violations") ==
        std::vector<std::string>{"40|5|1500|reach|distance|3.5|reach 3.4 > 3.1|{\"reach\":3.4}|80|1"});
  CHECK(pg_rows(now, "actions") == std::vector<std::string>{"42|5|40|1700|kick|Reach|ok|NULL"});
  CHECK(now.exec("INSERT INTO actions VALUES (43, 5, 40, 1700, 'strike', 'combat', 'ok', 'c.pcapng')", "strike").ok());
  CHECK(now.exec("INSERT INTO actions VALUES (44, 5, 40, 1700, 'setback', 'back', 'ok', NULL)", "setback").ok());
  CHECK_FALSE(now.exec("INSERT INTO actions VALUES (45, 5, 40, 1700, 'ban', 'x', 'ok', NULL)", "ban").ok());
}

TEST_CASE("a migration step that fails on PostgreSQL leaves the database at the last completed version") {
  REQUIRE_POSTGRES(server);
  const std::string conninfo = server->fresh_database();
  PgConnection db = connect(conninfo);
  REQUIRE(migrate_postgres_schema(db, 2).ok());
  // Step 3 adds violations.count, sessions.end_reason and the index
  // sessions_open; a table of that name already there makes its last
  // statement fail.
  REQUIRE(db.exec("CREATE TABLE sessions_open (x BIGINT)", "obstacle").ok());
  const auto s = migrate_postgres_schema(db);
  CHECK_FALSE(s.ok());
  CHECK(s.message.find("migrate to version 3") == 0);
  CHECK(db.transaction_status() == PQTRANS_IDLE);
  CHECK(pg_int(db, "SELECT version FROM rustguard_schema_version") == 2);
  CHECK(pg_int(db,
               "SELECT count(*) FROM information_schema.columns WHERE table_name = 'violations' AND "
               "column_name = 'count'") == 0);
  // Once the obstacle is gone the migration carries on from version 2.
  REQUIRE(db.exec("DROP TABLE sessions_open", "obstacle").ok());
  REQUIRE(migrate_postgres_schema(db).ok());
  CHECK(pg_int(db, "SELECT version FROM rustguard_schema_version") == kSchemaVersion);
}

TEST_CASE("a PostgreSQL database newer than this build is refused and left untouched") {
  REQUIRE_POSTGRES(server);
  const std::string conninfo = server->fresh_database();
  {
    PostgresRecordSink sink;
    REQUIRE(sink.open(conninfo).ok());
    REQUIRE(sink.connection().exec("UPDATE rustguard_schema_version SET version = 99", "newer").ok());
  }
  PostgresRecordSink sink;
  const auto s = sink.open(conninfo);
  CHECK_FALSE(s.ok());
  CHECK(s.message.find("schema version 99") != std::string::npos);
  CHECK(s.message.find("refusing to touch the database") != std::string::npos);
  CHECK_FALSE(sink.is_open());
  PgConnection db = connect(conninfo);
  CHECK(pg_int(db, "SELECT version FROM rustguard_schema_version") == 99);
}

TEST_CASE("batches land in PostgreSQL as SQLite stores them, and writing them again duplicates nothing") {
  REQUIRE_POSTGRES(server);
  const std::string conninfo = server->fresh_database();
  PostgresRecordSink pg;
  const auto opened = pg.open(conninfo);
  INFO(opened.message);
  REQUIRE(opened.ok());
  TempDir dir;
  SqliteRecordSink lite;
  REQUIRE(lite.open(dir.file("same.db")).ok());

  const std::vector<StorageRecord> first = sample_batch(100);
  std::vector<StorageRecord> later = sample_batch(10'000, 4);
  // Out of order, as a spill import after newer batches: the end of a
  // session of the first batch, and a brand before its session's start.
  later.insert(later.begin(), StorageRecord{SessionBrand{20'000, "forge"}});
  later.emplace_back(SessionEnd{102, 1'700'000'200'000});
  SessionStart late = make_session("Late", 9, 1'700'000'300'000);
  late.id = 20'000;
  later.emplace_back(late);
  const std::vector<StorageRecord> second = std::move(later);
  for (const auto* batch : {&first, &second}) {
    const auto s = pg.write(*batch);
    INFO(s.message);
    REQUIRE(s.ok());
    REQUIRE(lite.write(*batch).ok());
  }
  const auto compare = [&] {
    for (const char* table : kTables) {
      INFO(table);
      const std::string order = std::string{table} == "players" ? "uuid" : "id";
      const auto expected = sqlite_rows(lite.database().get(), table, order);
      CHECK(pg_rows(pg.connection(), table, order) == expected);
      CHECK_FALSE(expected.empty());
    }
  };
  compare();
  CHECK(pg_int(pg.connection(), "SELECT count(*) FROM violations") == 75 + 12);
  CHECK(pg_int(pg.connection(), "SELECT count(*) FROM sessions WHERE end_ms IS NULL") == 2);
  std::uint64_t max_id = 0;
  REQUIRE(pg.max_id(max_id).ok());
  CHECK(max_id == 20'000);

  // The same batches again, in the other order: nothing is duplicated.
  for (const auto* batch : {&second, &first}) {
    const auto s = pg.write(*batch);
    INFO(s.message);
    REQUIRE(s.ok());
  }
  compare();
  CHECK(pg_int(pg.connection(), "SELECT count(*) FROM violations") == 75 + 12);
  CHECK(pg_int(pg.connection(), "SELECT count(*) FROM actions") == 75 + 12);

  // Half old, half new (a spill import that overlaps what landed): the new
  // rows land, the old ones stay as they are.
  std::vector<StorageRecord> mixed = sample_batch(100);
  for (const StorageRecord& r : sample_batch(30'000, 2)) mixed.push_back(r);
  {
    const auto s = pg.write(mixed);
    INFO(s.message);
    REQUIRE(s.ok());
    REQUIRE(lite.write(mixed).ok());
  }
  compare();
  CHECK(pg_int(pg.connection(), "SELECT count(*) FROM violations") == 75 + 12 + 6);

  // A batch that fails on its last row fails whole: nothing of it lands,
  // and the connection is ready for the next one. (The records cannot
  // break the schema, so a constraint added here refuses one action.)
  std::vector<StorageRecord> bad = sample_batch(50'000, 1);
  ActionRecord refused;
  refused.id = 60'000;
  refused.session_id = 50'000;
  bad.emplace_back(refused);
  const std::int64_t before = pg_int(pg.connection(), "SELECT count(*) FROM actions");
  REQUIRE(pg.connection().exec("ALTER TABLE actions ADD CONSTRAINT not_60000 CHECK (id <> 60000)", "c").ok());
  const auto s = pg.write(bad);
  CHECK_FALSE(s.ok());
  CHECK_FALSE(s.connection_lost);
  CHECK(s.sqlstate == "23514");  // check_violation
  CHECK(s.message.find("not_60000") != std::string::npos);
  CHECK(pg.connection().transaction_status() == PQTRANS_IDLE);
  CHECK(pg_int(pg.connection(), "SELECT count(*) FROM actions") == before);
  CHECK(pg_int(pg.connection(), "SELECT count(*) FROM sessions WHERE id >= 50000") == 0);
  // Without the constraint the same batch lands, once.
  REQUIRE(pg.connection().exec("ALTER TABLE actions DROP CONSTRAINT not_60000", "c").ok());
  REQUIRE(pg.write(bad).ok());
  CHECK(pg_int(pg.connection(), "SELECT count(*) FROM actions") == before + 4);
  CHECK(pg_int(pg.connection(), "SELECT count(*) FROM violations WHERE id >= 50000") == 3);
}

TEST_CASE("sessions a crashed run left open are closed on PostgreSQL as on SQLite") {
  REQUIRE_POSTGRES(server);
  PostgresRecordSink pg;
  REQUIRE(pg.open(server->fresh_database()).ok());
  TempDir dir;
  SqliteRecordSink lite;
  REQUIRE(lite.open(dir.file("same.db")).ok());
  // The earlier run: sessions 100 and 101 ended, 102 (violations and
  // actions) and 5 (only a brand: no start, no times) left open. This run
  // starts at id 10000; its own open session 10002 stays open.
  std::vector<StorageRecord> batch = sample_batch(100, 3);
  batch.emplace_back(SessionBrand{5, "vanilla"});
  for (const StorageRecord& r : sample_batch(10'000, 2)) batch.push_back(r);
  REQUIRE(pg.write(batch).ok());
  REQUIRE(lite.write(batch).ok());
  std::uint64_t pg_closed = 0;
  std::uint64_t lite_closed = 0;
  const auto s = pg.close_crashed_sessions(10'000, pg_closed);
  INFO(s.message);
  REQUIRE(s.ok());
  REQUIRE(lite.close_crashed_sessions(10'000, lite_closed).ok());
  CHECK(pg_closed == 2);
  CHECK(lite_closed == 2);
  CHECK(pg_rows(pg.connection(), "sessions") == sqlite_rows(lite.database().get(), "sessions"));
  CHECK(pg_rows(pg.connection(), "players", "uuid") == sqlite_rows(lite.database().get(), "players", "uuid"));
  CHECK(pg_int(pg.connection(), "SELECT count(*) FROM sessions WHERE end_reason = 'crashed' AND end_ms IS NULL") == 1);
  // Nothing left to close the second time.
  REQUIRE(pg.close_crashed_sessions(10'000, pg_closed).ok());
  CHECK(pg_closed == 0);
}

TEST_CASE("a large batch whose first row is already there takes the staging path, whatever COPY had sent") {
  REQUIRE_POSTGRES(server);
  PostgresRecordSink pg;
  REQUIRE(pg.open(server->fresh_database()).ok());
  const std::vector<StorageRecord> first{
      StorageRecord{ViolationRecord{1, make_violation(1, 1, "movement.speed", "landed before")}}};
  REQUIRE(pg.write(first).ok());
  // Several MiB of COPY data: the server refuses the first row (23505) while
  // the sink is still sending the rest.
  std::vector<StorageRecord> large = first;
  const std::string detail(400, 'x');
  for (std::uint64_t id = 2; id <= 30'000; ++id) {
    large.emplace_back(ViolationRecord{id, make_violation(1, static_cast<std::int64_t>(id), "movement.speed", detail)});
  }
  for (int round = 0; round < 2; ++round) {
    const auto s = pg.write(large);
    INFO(s.message);
    REQUIRE(s.ok());
    CHECK(pg_int(pg.connection(), "SELECT count(*) FROM violations") == 30'000);
  }
}

TEST_CASE("text PostgreSQL cannot store is written as U+FFFD instead of failing the batch") {
  REQUIRE_POSTGRES(server);
  PostgresRecordSink pg;
  REQUIRE(pg.open(server->fresh_database()).ok());
  SessionStart s = make_session(std::string{"Bad\xff\0name", 9}, 3, 1000);
  s.id = 1;
  const std::vector<StorageRecord> batch{StorageRecord{s}, StorageRecord{SessionBrand{1,
                                                                                      "\xC0\xAF"
                                                                                      "brand"}}};
  const auto st = pg.write(batch);
  INFO(st.message);
  REQUIRE(st.ok());
  CHECK(pg_rows(pg.connection(), "sessions")[0].find("Bad\xEF\xBF\xBD\xEF\xBF\xBDname") != std::string::npos);
  CHECK(pg_rows(pg.connection(), "sessions")[0].find("\xEF\xBF\xBD\xEF\xBF\xBD"
                                                     "brand") != std::string::npos);
}

TEST_CASE("a PostgreSQL server stopped under the sink: clear errors, no crash, and after a restart each row once") {
  REQUIRE_POSTGRES(server);
  const std::string conninfo = server->fresh_database();
  PostgresRecordSink pg;
  REQUIRE(pg.open(conninfo).ok());
  const std::vector<StorageRecord> before = sample_batch(100, 5);
  const std::vector<StorageRecord> during = sample_batch(1'000, 5);
  REQUIRE(pg.write(before).ok());

  std::string error;
  if (!server->stop(error)) FAIL("pg_ctl stop: " << error);
  const auto failed = pg.write(during);
  CHECK_FALSE(failed.ok());
  CHECK(failed.connection_lost);
  CHECK_FALSE(failed.message.empty());
  std::cout << "postgres down, write: " << failed.message << "\n";
  // Again on the broken connection, and a reconnect while the server is down.
  CHECK_FALSE(pg.write(during).ok());
  pg.close();
  CHECK_FALSE(pg.write(during).ok());
  const auto reopen = pg.open(conninfo);
  CHECK_FALSE(reopen.ok());
  CHECK(reopen.connection_lost);
  CHECK(reopen.message.find("connect: ") == 0);
  std::cout << "postgres down, open: " << reopen.message << "\n";
  CHECK_FALSE(pg.is_open());

  if (!server->start(error)) FAIL("pg_ctl start: " << error);
  const auto back = pg.open(conninfo);
  INFO(back.message);
  REQUIRE(back.ok());
  REQUIRE(pg.write(during).ok());
  REQUIRE(pg.write(before).ok());  // a retry of a batch that had landed
  CHECK(pg_int(pg.connection(), "SELECT count(*) FROM violations") == 30);
  CHECK(pg_int(pg.connection(), "SELECT count(*) FROM actions") == 30);
  CHECK(pg_int(pg.connection(), "SELECT count(*) FROM sessions") == 6);
}

TEST_CASE("a connection the server ends (pg_terminate_backend) is reported as lost, and a new one writes") {
  REQUIRE_POSTGRES(server);
  const std::string conninfo = server->fresh_database();
  PostgresRecordSink pg;
  REQUIRE(pg.open(conninfo).ok());
  REQUIRE(pg.write(sample_batch(100, 2)).ok());
  PgConnection admin = connect(conninfo);
  REQUIRE(pg_int(admin,
                 "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = "
                 "'rustguard' AND datname = current_database() AND pid <> pg_backend_pid()") == 1);
  const auto lost = pg.write(sample_batch(1'000, 2));
  CHECK_FALSE(lost.ok());
  CHECK(lost.connection_lost);
  std::cout << "postgres backend terminated, write: " << lost.message << "\n";
  pg.close();
  REQUIRE(pg.open(conninfo).ok());
  REQUIRE(pg.write(sample_batch(1'000, 2)).ok());
  CHECK(pg_int(admin, "SELECT count(*) FROM violations") == 12);
}

TEST_CASE("a PostgreSQL server that stops answering fails the batch after the answer timeout, not never") {
  REQUIRE_POSTGRES(server);
  const std::string conninfo = server->fresh_database();
  PostgresSinkOptions options;
  options.answer_timeout = std::chrono::milliseconds{500};
  PostgresRecordSink pg;
  REQUIRE(pg.open(conninfo, options).ok());
  REQUIRE(pg.write(sample_batch(100, 2)).ok());
  // The backend serving the sink is frozen: the connection stays open and
  // nothing answers, as with a server partitioned away.
  const int backend = PQbackendPID(pg.connection().get());
  REQUIRE(backend > 0);
  REQUIRE(::kill(backend, SIGSTOP) == 0);
  const auto t0 = std::chrono::steady_clock::now();
  const auto s = pg.write(sample_batch(1'000, 2));
  const auto waited = std::chrono::steady_clock::now() - t0;
  ::kill(backend, SIGCONT);
  CHECK_FALSE(s.ok());
  CHECK(s.connection_lost);
  CHECK(s.message.find("no answer from the server within 500 ms") != std::string::npos);
  std::cout << "postgres backend frozen, write: " << s.message << "\n";
  CHECK(waited >= std::chrono::milliseconds{500});
  CHECK(waited < std::chrono::seconds{5});
  CHECK_FALSE(pg.is_open());
  // A new connection writes the batch; it lands once.
  const auto back = pg.open(conninfo, options);
  INFO(back.message);
  REQUIRE(back.ok());
  REQUIRE(pg.write(sample_batch(1'000, 2)).ok());
  CHECK(pg_int(pg.connection(), "SELECT count(*) FROM violations") == 12);
  CHECK(pg_int(pg.connection(), "SELECT count(*) FROM sessions") == 6);
}

TEST_CASE("violations per second into PostgreSQL through the sink (a figure, printed)") {
  REQUIRE_POSTGRES(server);
  PostgresRecordSink pg;
  REQUIRE(pg.open(server->fresh_database()).ok());
  constexpr std::size_t kBatch = 4096;
  constexpr std::size_t kBatches = 12;
  std::vector<std::vector<StorageRecord>> batches(kBatches);
  std::uint64_t next = 1;
  for (auto& batch : batches) {
    for (std::size_t i = 0; i < kBatch; ++i) {
      Violation v = make_violation(1 + next % 50, static_cast<std::int64_t>(next), "movement.speed",
                                   "speed 0.71 > 0.36 (blocks/tick), on ground");
      batch.emplace_back(ViolationRecord{next++, v});
    }
  }
  const auto t0 = std::chrono::steady_clock::now();
  for (const auto& batch : batches) REQUIRE(pg.write(batch).ok());
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(pg_int(pg.connection(), "SELECT count(*) FROM violations") == static_cast<std::int64_t>(kBatch * kBatches));
  std::cout << "postgres sink: " << kBatch * kBatches << " violations in " << kBatches << " batches of " << kBatch
            << ": " << static_cast<long>(static_cast<double>(kBatch * kBatches) / seconds) << " violations/s\n";
  // The same batches again: every COPY meets rows already there and the
  // batch takes the staging table's path (a retry, a spill import redone).
  const auto t1 = std::chrono::steady_clock::now();
  for (const auto& batch : batches) REQUIRE(pg.write(batch).ok());
  const double again = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  CHECK(pg_int(pg.connection(), "SELECT count(*) FROM violations") == static_cast<std::int64_t>(kBatch * kBatches));
  std::cout << "postgres sink, the same batches again (all rows there): "
            << static_cast<long>(static_cast<double>(kBatch * kBatches) / again) << " violations/s\n";
  // New rows plus one already there (a spill import overlapping the last
  // batch that landed): the whole batch takes the staging table's path.
  for (auto& batch : batches) {
    for (auto& r : batch) std::get<ViolationRecord>(r).id += kBatch * kBatches;
    batch.front() = StorageRecord{ViolationRecord{1, make_violation(1, 1, "movement.speed", "there already")}};
  }
  const auto t2 = std::chrono::steady_clock::now();
  for (const auto& batch : batches) REQUIRE(pg.write(batch).ok());
  const double overlapping = std::chrono::duration<double>(std::chrono::steady_clock::now() - t2).count();
  CHECK(pg_int(pg.connection(), "SELECT count(*) FROM violations") ==
        static_cast<std::int64_t>(2 * (kBatch - 1) * kBatches + kBatches));
  std::cout << "postgres sink, new rows with one already there per batch: "
            << static_cast<long>(static_cast<double>(kBatch * kBatches) / overlapping) << " violations/s\n";
}

TEST_CASE("the PostgreSQL query in docs/database-schema.md runs as printed") {
  REQUIRE_POSTGRES(server);
  std::ifstream in{std::string{RUSTGUARD_SOURCE_DIR} + "/docs/database-schema.md"};
  REQUIRE(in);
  std::string line;
  std::string sql;
  bool wanted = false;
  bool in_block = false;
  while (std::getline(in, line)) {
    if (line == "<!-- postgres query: player_history -->") {
      wanted = true;
    } else if (wanted && line == "```sql") {
      in_block = true;
    } else if (in_block && line == "```") {
      break;
    } else if (in_block) {
      sql += line + "\n";
    }
  }
  REQUIRE_FALSE(sql.empty());

  const std::string conninfo = server->fresh_database();
  const std::string url = server->url(conninfo.substr(conninfo.rfind('=') + 1));
  PostgresRecordSink pg;
  const auto opened = pg.open(url);
  INFO(url << ": " << opened.message);
  REQUIRE(opened.ok());
  std::vector<StorageRecord> batch;
  SessionStart steve = make_session("STEVE", 1, 1'700'000'000'000);
  steve.id = 1;
  SessionStart alex = make_session("Alex", 2, 1'700'000'000'000);
  alex.id = 2;
  batch.emplace_back(steve);
  batch.emplace_back(alex);
  for (std::uint64_t i = 0; i < 5; ++i) {
    batch.emplace_back(
        ViolationRecord{10 + i, make_violation(i < 3 ? 1 : 2, 1'700'000'001'000 + static_cast<std::int64_t>(i),
                                               "timer.balance", "v" + std::to_string(i))});
  }
  REQUIRE(pg.write(batch).ok());
  PgResult r;
  const auto s = pg.connection().exec_params(sql, {}, {}, "doc query", &r);
  INFO(sql << s.message);
  REQUIRE(s.ok());
  REQUIRE(PQntuples(r.get()) == 3);
  CHECK(std::string{PQgetvalue(r.get(), 0, 5)} == "v2");  // newest first
  CHECK(std::string{PQgetvalue(r.get(), 2, 5)} == "v0");
  CHECK(std::string{PQgetvalue(r.get(), 0, 7)} == "live");
}

}  // namespace postgres_sink_test
