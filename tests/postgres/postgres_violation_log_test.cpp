// The violation log over PostgreSQL (postgres_log_database.hpp) against a
// real PostgreSQL 15 (postgres_test_support.hpp): accepted records land; a
// server stopped while records are accepted sends them to the spill file,
// and once it is back they are imported, each row once; two instances on one
// database assign ids that never collide and end only their own crashed
// sessions; a stop() while the server is down leaves everything in the spill
// file for the next log to import.

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <iostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "../storage/storage_test_support.hpp"
#include "postgres_test_support.hpp"
#include "rustguard/adapters/postgres_log_database.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace postgres_violation_log_test {

using namespace rustguard;
using namespace rustguard::adapters;
using namespace rustguard::postgres_test;
using rustguard::storage_test::make_session;
using rustguard::storage_test::make_violation;
using rustguard::storage_test::TempDir;

namespace {

// Every id in `table`, in order.
std::vector<std::uint64_t> pg_ids(PgConnection& db, const std::string& table) {
  PgResult r;
  const auto s = db.exec_params("SELECT id FROM " + table + " ORDER BY id", {}, {}, "ids", &r);
  INFO(s.message);
  REQUIRE(s.ok());
  std::vector<std::uint64_t> ids;
  for (int i = 0; i < PQntuples(r.get()); ++i) ids.push_back(std::stoull(PQgetvalue(r.get(), i, 0)));
  return ids;
}

// A session with `violations` violations and an action on the last one;
// every id the log returned goes into `ids`. No Catch2 assertion inside, so
// that two threads can log at once; false when the log refused a record.
bool log_player_quietly(ViolationLog& log, std::uint64_t player, int violations, std::set<std::uint64_t>& ids,
                        bool end, std::uint64_t& session) {
  session = log.begin_session(make_session("P" + std::to_string(player), player, 1'000));
  if (session == 0 || !log.set_client_brand(session, "vanilla")) return false;
  ids.insert(session);
  std::uint64_t last = 0;
  for (int i = 0; i < violations; ++i) {
    last = log.log_violation(make_violation(session, 2'000 + i, "timer", "ahead " + std::to_string(i)));
    if (last == 0) return false;
    ids.insert(last);
  }
  ActionRecord action;
  action.session_id = session;
  action.violation_id = last;
  action.time_ms = 9'000;
  action.kind = ActionKind::kick;
  action.detail = "kicked";
  action.result = "ok";
  const std::uint64_t a = log.log_action(action);
  if (a == 0) return false;
  ids.insert(a);
  return !end || log.end_session(session, 10'000);
}

std::uint64_t log_player(ViolationLog& log, std::uint64_t player, int violations, std::set<std::uint64_t>& ids,
                         bool end = true) {
  std::uint64_t session = 0;
  REQUIRE(log_player_quietly(log, player, violations, ids, end, session));
  return session;
}

// Every id in the three tables, checked to be there once each.
std::set<std::uint64_t> stored_ids(PgConnection& db) {
  std::set<std::uint64_t> all;
  std::size_t rows = 0;
  for (const char* table : {"sessions", "violations", "actions"}) {
    for (const std::uint64_t id : pg_ids(db, table)) {
      all.insert(id);
      ++rows;
    }
  }
  CHECK(rows == all.size());
  return all;
}

bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

// Polls `done` every 20 ms for up to 30 s.
bool eventually(const std::function<bool()>& done) {
  for (int i = 0; i < 1'500; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  return done();
}

void stop_server(PostgresServer& server) {
  std::string error;
  if (!server.stop(error)) FAIL("pg_ctl stop: " << error);
}

void start_server(PostgresServer& server) {
  std::string error;
  if (!server.start(error)) FAIL("pg_ctl start: " << error);
}

}  // namespace

TEST_CASE("postgres log: a password never reaches the log's messages") {
  CHECK(redacted_database("postgresql://guard:s3cret@db.example:5432/rg") == "postgresql://guard:***@db.example:5432/rg");
  CHECK(redacted_database("postgres://guard@db.example/rg") == "postgres://guard@db.example/rg");
  CHECK(redacted_database("postgresql://db.example/rg?user=a@b") == "postgresql://db.example/rg?user=a@b");
  CHECK(redacted_database("host=db user=guard password=s3cret dbname=rg") == "host=db user=guard password=*** dbname=rg");
  CHECK(redacted_database("postgresql://db/rg?user=guard&password=s3cret&sslmode=require") ==
        "postgresql://db/rg?user=guard&password=***&sslmode=require");
  CHECK(redacted_database("/var/lib/rustguard/rustguard.db") == "/var/lib/rustguard/rustguard.db");
}

TEST_CASE("postgres log: a server database needs a spill path; the lock is on the spill file") {
  REQUIRE_POSTGRES(server);
  TempDir dir;
  const std::string conninfo = server->fresh_database();
  std::string error;
  CHECK_FALSE(ViolationLog::start(pg_options(conninfo, ""), error));
  CHECK(error.find("spill path") != std::string::npos);

  const std::string spill = dir.file("rg.spill");
  auto log = start_log(pg_options(conninfo, spill));
  CHECK(file_exists(spill + ".writer-lock"));
  CHECK_FALSE(ViolationLog::start(pg_options(conninfo, spill), error));
  CHECK(error.find("is locked") != std::string::npos);
  ViolationLogOptions too_high = pg_options(conninfo, dir.file("other.spill"), 1024);
  CHECK_FALSE(ViolationLog::start(too_high, error));
  CHECK(error.find("instance id 1024") != std::string::npos);
}

TEST_CASE("postgres log: accepted records reach PostgreSQL, each once, and only the spill file counts on disk") {
  REQUIRE_POSTGRES(server);
  TempDir dir;
  const std::string conninfo = server->fresh_database();
  auto log = start_log(pg_options(conninfo, dir.file("rg.spill")));
  std::set<std::uint64_t> ids;
  for (std::uint64_t p = 1; p <= 10; ++p) log_player(*log, p, 300, ids);
  REQUIRE(log->flush());
  log->stop();
  const auto c = log->counters();
  CHECK(c.accepted == 10 * (1 + 1 + 300 + 1 + 1));
  CHECK(c.written == c.accepted);
  CHECK(c.spilled == 0);
  CHECK(c.dropped == 0);
  CHECK(log->disk_bytes() == 0);
  CHECK(log->stop_report().level == LogLevel::info);

  PgConnection db = connect(conninfo);
  CHECK(stored_ids(db) == ids);
  CHECK(*ids.begin() == 1);  // instance 0: ids as a single log always had them
  CHECK(pg_int(db, "SELECT count(*) FROM violations") == 3'000);
  CHECK(pg_int(db, "SELECT count(*) FROM sessions WHERE end_ms = 10000 AND client_brand = 'vanilla'") == 10);
  CHECK(pg_int(db, "SELECT count(*) FROM actions WHERE violation_id IS NOT NULL") == 10);

  // A restart continues after the largest id (the lock goes with the log).
  log.reset();
  auto again = start_log(pg_options(conninfo, dir.file("rg.spill")));
  CHECK(again->begin_session(make_session("Later", 99, 5'000)) == *ids.rbegin() + 1);
  again->stop();
}

TEST_CASE("postgres log: a server stopped while records are accepted: spilled, then imported once it is back") {
  REQUIRE_POSTGRES(server);
  TempDir dir;
  const std::string conninfo = server->fresh_database();
  const std::string spill = dir.file("rg.spill");
  auto log = start_log(pg_options(conninfo, spill));
  std::set<std::uint64_t> ids;
  const std::uint64_t open_across = log_player(*log, 1, 500, ids, false);
  REQUIRE(log->flush());
  CHECK(log->counters().written == log->counters().accepted);

  stop_server(*server);
  for (std::uint64_t p = 2; p <= 5; ++p) log_player(*log, p, 1'000, ids);
  REQUIRE(log->end_session(open_across, 11'000));
  REQUIRE(log->flush());  // stored: in the spill file, the server being down
  auto c = log->counters();
  CHECK(c.spilled == 4 * (1 + 1 + 1'000 + 1 + 1) + 1);
  CHECK(c.spill_backlog == c.spilled);
  CHECK(c.dropped == 0);
  CHECK(file_exists(spill));
  CHECK(log->disk_bytes() > 0);

  start_server(*server);
  REQUIRE(eventually([&] { return log->counters().spill_backlog == 0; }));
  std::set<std::uint64_t> after;
  log_player(*log, 6, 10, after);
  REQUIRE(log->flush());
  log->stop();
  c = log->counters();
  CHECK(c.imported == c.spilled);
  CHECK(c.written + c.imported == c.accepted);
  CHECK(c.dropped == 0);
  CHECK_FALSE(file_exists(spill));
  CHECK(log->stop_report().level == LogLevel::info);

  ids.insert(after.begin(), after.end());
  PgConnection db = connect(conninfo);
  CHECK(stored_ids(db) == ids);
  CHECK(pg_int(db, "SELECT count(*) FROM violations") == 500 + 4'000 + 10);
  CHECK(pg_int(db, "SELECT count(*) FROM sessions WHERE end_ms IS NOT NULL AND end_reason IS NULL") == 6);
  CHECK(pg_int(db, "SELECT end_ms FROM sessions WHERE id = " + std::to_string(open_across)) == 11'000);
}

TEST_CASE("postgres log: two instances on one database: no id collides, every row is there, each ends only its "
          "own crashed sessions") {
  REQUIRE_POSTGRES(server);
  TempDir dir;
  const std::string conninfo = server->fresh_database();
  std::set<std::uint64_t> ids1;
  std::set<std::uint64_t> ids2;
  std::uint64_t open1 = 0;
  std::uint64_t open2 = 0;
  {
    auto log1 = start_log(pg_options(conninfo, dir.file("one.spill"), 1));
    auto log2 = start_log(pg_options(conninfo, dir.file("two.spill"), 2));
    // Both at once, as two proxies of a fleet.
    bool ok1 = true;
    std::thread t1([&] {
      std::uint64_t ignored = 0;
      for (std::uint64_t p = 1; p <= 20; ++p) ok1 = ok1 && log_player_quietly(*log1, p, 200, ids1, true, ignored);
      ok1 = ok1 && log_player_quietly(*log1, 100, 3, ids1, false, open1);  // never ended: as after a crash
    });
    for (std::uint64_t p = 21; p <= 40; ++p) log_player(*log2, p, 200, ids2);
    open2 = log_player(*log2, 200, 3, ids2, false);
    t1.join();
    REQUIRE(ok1);
    REQUIRE(log1->flush());
    REQUIRE(log2->flush());
    // stop() stores what was accepted and ends no session: open1 and open2
    // stay open, as a crashed proxy's would.
    log1->stop();
    log2->stop();
    CHECK(log1->counters().dropped == 0);
    CHECK(log2->counters().dropped == 0);
  }
  const std::uint64_t range = std::uint64_t{1} << 40;
  CHECK(*ids1.begin() == range + 1);
  CHECK(*ids1.rbegin() < 2 * range);
  CHECK(*ids2.begin() == 2 * range + 1);
  CHECK(*ids2.rbegin() < 3 * range);
  std::set<std::uint64_t> both = ids1;
  both.insert(ids2.begin(), ids2.end());
  CHECK(both.size() == ids1.size() + ids2.size());

  PgConnection db = connect(conninfo);
  CHECK(stored_ids(db) == both);
  CHECK(pg_int(db, "SELECT count(*) FROM violations") == 2 * (20 * 200 + 3));

  // Instance 1 restarts: its ids continue after its own largest, and it
  // ends its own open session only.
  auto again = start_log(pg_options(conninfo, dir.file("one.spill"), 1));
  const std::uint64_t next = again->begin_session(make_session("Back", 1, 20'000));
  CHECK(next == *ids1.rbegin() + 1);
  REQUIRE(again->flush());
  again->stop();
  CHECK(pg_int(db, "SELECT count(*) FROM sessions WHERE end_reason = 'crashed'") == 1);
  CHECK(pg_int(db, "SELECT count(*) FROM sessions WHERE end_reason = 'crashed' AND id = " + std::to_string(open1)) == 1);
  CHECK(pg_int(db, "SELECT count(*) FROM sessions WHERE end_ms IS NULL AND id = " + std::to_string(open2)) == 1);
}

TEST_CASE("postgres log: stop() while the server is down leaves everything in the spill file; a new log imports it") {
  REQUIRE_POSTGRES(server);
  TempDir dir;
  const std::string conninfo = server->fresh_database();
  const std::string spill = dir.file("rg.spill");
  std::set<std::uint64_t> ids;
  std::uint64_t waiting = 0;
  {
    auto log = start_log(pg_options(conninfo, spill, 7));
    log_player(*log, 1, 50, ids);
    REQUIRE(log->flush());
    stop_server(*server);
    for (std::uint64_t p = 2; p <= 4; ++p) log_player(*log, p, 2'000, ids);
    log->stop();
    const auto c = log->counters();
    CHECK(c.dropped == 0);
    CHECK(c.spill_backlog == 3 * (1 + 1 + 2'000 + 1 + 1));
    CHECK(c.written + c.spill_backlog == c.accepted);
    waiting = c.spill_backlog;
    const auto report = log->stop_report();
    CHECK(report.level == LogLevel::warn);
    CHECK(report.text.find(spill) != std::string::npos);
  }
  REQUIRE(file_exists(spill));

  start_server(*server);
  auto next = start_log(pg_options(conninfo, spill, 7));
  REQUIRE(eventually([&] { return next->counters().spill_backlog == 0; }));
  // Ids continue after those in the spill file, not only those in the database.
  CHECK(next->begin_session(make_session("New", 9, 30'000)) == *ids.rbegin() + 1);
  REQUIRE(next->flush());
  next->stop();
  CHECK(next->counters().imported == waiting);
  CHECK_FALSE(file_exists(spill));

  PgConnection db = connect(conninfo);
  std::set<std::uint64_t> expected = ids;
  expected.insert(*ids.rbegin() + 1);
  CHECK(stored_ids(db) == expected);
  CHECK(pg_int(db, "SELECT count(*) FROM violations") == 50 + 3 * 2'000);
  CHECK(pg_int(db, "SELECT count(*) FROM sessions WHERE end_reason = 'crashed'") == 0);
}

// A figure, not a limit: 200,000 violations through the whole log (channel,
// writer, batches of 4,096, COPY) into the test server (fsync off), printed.
TEST_CASE("postgres log: violations per second through the whole log") {
  REQUIRE_POSTGRES(server);
  TempDir dir;
  const std::string conninfo = server->fresh_database();
  ViolationLogOptions o = pg_options(conninfo, dir.file("rg.spill"));
  o.flush_interval = std::chrono::milliseconds{250};
  auto log = start_log(o);
  const std::uint64_t session = log->begin_session(make_session("Fast", 1, 1'000));
  REQUIRE(log->flush());
  constexpr int kViolations = 200'000;
  const auto t0 = std::chrono::steady_clock::now();
  int accepted = 0;
  for (int i = 0; i < kViolations; ++i) {
    accepted += log->log_violation(make_violation(session, 2'000 + i, "timer", "ahead")) != 0 ? 1 : 0;
  }
  REQUIRE(log->flush());
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  log->stop();
  CHECK(accepted == kViolations);
  CHECK(log->counters().spilled == 0);
  PgConnection db = connect(conninfo);
  CHECK(pg_int(db, "SELECT count(*) FROM violations") == kViolations);
  std::cout << "postgres log: " << kViolations << " violations in " << seconds << " s, "
            << static_cast<long>(kViolations / seconds) << " per second (batches: " << log->counters().batches
            << ")\n";
}

TEST_CASE("postgres log: a second proxy with the same instance id is refused by the store, its rows wait in its "
          "spill file and land once the first is gone") {
  REQUIRE_POSTGRES(server);
  TempDir dir;
  const std::string conninfo = server->fresh_database();
  auto first = start_log(pg_options(conninfo, dir.file("first.spill"), 3));
  std::set<std::uint64_t> ids_first;
  log_player(*first, 1, 10, ids_first);
  REQUIRE(first->flush());

  rustguard::storage_test::LogLines lines;
  ViolationLogOptions o = pg_options(conninfo, dir.file("second.spill"), 3);
  o.log = lines.callback();
  auto second = start_log(std::move(o));
  std::set<std::uint64_t> ids_second;
  log_player(*second, 2, 10, ids_second);
  REQUIRE(second->flush());  // stored: in its spill file
  CHECK(second->counters().written == 0);
  CHECK(second->counters().spill_backlog > 0);
  CHECK(lines.contains("violation_log.instance_id 3 is in use by another connection"));
  // The second could not read its largest id, so its ids come from the
  // clock range of instance 3: none of them is one of the first's.
  for (std::uint64_t id : ids_second) CHECK(ids_first.count(id) == 0);

  first->stop();
  first.reset();  // its connection, and with it the lock, goes
  REQUIRE(eventually([&] { return second->counters().spill_backlog == 0; }));
  second->stop();
  CHECK(second->counters().dropped == 0);
  std::set<std::uint64_t> all = ids_first;
  all.insert(ids_second.begin(), ids_second.end());
  PgConnection db = connect(conninfo);
  CHECK(stored_ids(db) == all);
  CHECK(pg_int(db, "SELECT count(*) FROM violations") == 20);
}

}  // namespace postgres_violation_log_test
