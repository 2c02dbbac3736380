// The log's disk use is bounded (the spill file stops at max_spill_bytes and
// what does not fit is counted and logged, never dropped silently) and
// visible (disk_bytes()); and the report the tools print at shutdown tells a
// spill that was already imported from one that is still waiting.

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "rustguard/adapters/config.hpp"
#include "rustguard/adapters/violation_log.hpp"
#include "storage_test_support.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace disk_use_test {

using namespace rustguard;
using namespace rustguard::adapters;
using namespace rustguard::storage_test;
using namespace std::chrono_literals;

namespace {

std::uint64_t file_size(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

void set_user_version(const std::string& db, int version) {
  sqlite3* conn = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &conn) == SQLITE_OK);
  sqlite3_busy_timeout(conn, 5000);
  const std::string sql = "PRAGMA user_version = " + std::to_string(version);
  REQUIRE(sqlite3_exec(conn, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(conn);
}

// A database the writer refuses to touch (a schema version from the future)
// until the test sets the version back: records go to the spill file.
std::string refused_database(const TempDir& dir) {
  const std::string db = dir.file("rg.db");
  set_user_version(db, 99);
  return db;
}

ViolationLogOptions quick_options(const std::string& db) {
  ViolationLogOptions o;
  o.database_path = db;
  o.flush_interval = 10ms;
  o.retry_initial = 10ms;
  o.retry_max = 50ms;
  o.spill_after = 50ms;
  return o;
}

template <class F>
void wait_until(F done, std::chrono::seconds limit = 20s) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < end) std::this_thread::sleep_for(5ms);
}

}  // namespace

TEST_CASE("the spill file stops at max_spill_bytes; the rest is dropped, counted and logged") {
  TempDir dir;
  const std::string db = refused_database(dir);
  LogLines lines;
  ViolationLogOptions o = quick_options(db);
  o.max_spill_bytes = 16 * 1024;
  o.log = lines.callback();
  std::string error;
  auto log = ViolationLog::start(o, error);
  REQUIRE(log);
  constexpr int kRecords = 1000;  // about 200 bytes each in the spill: far over 16 KiB
  for (int i = 0; i < kRecords; ++i) {
    REQUIRE(log->log_violation(make_violation(1, i, "timer", "n" + std::to_string(i))) != 0);
  }
  REQUIRE(log->flush());
  const auto c = log->counters();
  CHECK(c.accepted == kRecords);
  CHECK(c.spilled > 0);
  CHECK(c.spilled < kRecords);
  CHECK(c.dropped == kRecords - c.spilled);  // every record is either spilled or counted as lost
  CHECK(c.spill_backlog == c.spilled);
  CHECK(file_size(log->spill_path()) <= o.max_spill_bytes);
  CHECK(file_size(log->spill_path()) > o.max_spill_bytes - 1024);  // filled up to the cap, not stopped early
  CHECK(lines.contains("max_spill_bytes"));
  CHECK(lines.contains("dropped"));

  // Once the database is back the spill is imported and space frees up.
  set_user_version(db, 0);
  wait_until([&] { return log->counters().spill_backlog == 0; });
  REQUIRE(log->log_violation(make_violation(1, 5000, "timer", "after")) != 0);
  REQUIRE(log->flush());
  log->stop();
  CHECK(log->counters().imported == c.spilled);
  CHECK(::access(log->spill_path().c_str(), F_OK) != 0);
  Inspector check{db};
  CHECK(check.integer("SELECT count(*) FROM violations") == static_cast<std::int64_t>(c.spilled) + 1);
  CHECK(log->stop_report().level == LogLevel::error);  // records were lost: the tools must say so
}

TEST_CASE("disk_bytes counts the database, its journal and the spill file") {
  TempDir dir;
  const std::string db = dir.file("rg.db");
  ViolationLogOptions o = quick_options(db);
  std::string error;
  auto log = ViolationLog::start(o, error);
  REQUIRE(log);
  for (int i = 0; i < 5000; ++i) REQUIRE(log->log_violation(make_violation(1, i, "timer", std::string(100, 'x'))) != 0);
  REQUIRE(log->flush());
  wait_until([&] { return log->disk_bytes() == file_size(db) + file_size(db + "-journal"); });
  CHECK(log->disk_bytes() == file_size(db) + file_size(db + "-journal"));
  CHECK(log->disk_bytes() > 5000 * 100);
  log->stop();
  CHECK(log->disk_bytes() == file_size(db) + file_size(db + "-journal"));
  log.reset();  // lets go of the writer lock

  // While the database refuses, the spill file's bytes count too.
  set_user_version(db, 99);
  auto log2 = ViolationLog::start(o, error);
  REQUIRE(log2);
  for (int i = 0; i < 100; ++i) REQUIRE(log2->log_violation(make_violation(1, i, "timer", "spilled")) != 0);
  REQUIRE(log2->flush());
  REQUIRE(file_size(log2->spill_path()) > 0);
  wait_until([&] { return log2->disk_bytes() == file_size(db) + file_size(db + "-journal") + file_size(log2->spill_path()); });
  CHECK(log2->disk_bytes() == file_size(db) + file_size(db + "-journal") + file_size(log2->spill_path()));
  log2->stop();
}

TEST_CASE("the stop report: an imported spill is not an error, a waiting one is a warning") {
  TempDir dir;
  const std::string db = refused_database(dir);
  ViolationLogOptions o = quick_options(db);
  std::string error;
  {
    auto log = ViolationLog::start(o, error);
    REQUIRE(log);
    for (int i = 0; i < 10; ++i) REQUIRE(log->log_violation(make_violation(1, i, "timer", "a")) != 0);
    REQUIRE(log->flush());
    log->stop();
    const auto report = log->stop_report();
    CHECK(log->counters().spilled == 10);
    CHECK(report.level == LogLevel::warn);
    CHECK(report.text.find("10 records wait in " + log->spill_path()) != std::string::npos);
  }
  {
    // Records spilled during this run and imported before its stop.
    auto log = ViolationLog::start(o, error);
    REQUIRE(log);
    for (int i = 0; i < 5; ++i) REQUIRE(log->log_violation(make_violation(1, i, "timer", "b")) != 0);
    wait_until([&] { return log->counters().spilled == 5; });
    set_user_version(db, 0);
    wait_until([&] { return log->counters().spill_backlog == 0; });
    log->stop();
    const auto c = log->counters();
    CHECK(c.spilled == 5);
    CHECK(c.imported == 15);  // the earlier run's 10 and this run's 5
    CHECK(c.spill_backlog == 0);
    const auto report = log->stop_report();
    CHECK(report.level == LogLevel::info);
    CHECK(report.text == "15 records written (15 of them through the spill file)");
  }
  {
    auto log = ViolationLog::start(o, error);
    REQUIRE(log);
    REQUIRE(log->log_violation(make_violation(1, 1, "timer", "c")) != 0);
    log->stop();
    const auto report = log->stop_report();
    CHECK(report.level == LogLevel::info);
    CHECK(report.text == "1 records written");
  }
  Inspector check{db};
  CHECK(check.integer("SELECT count(*) FROM violations") == 16);
}

TEST_CASE("the config's violation_log settings reach the log options") {
  Config config;
  config.database = "x.db";
  config.violation_log.max_spill_bytes = 1234567;
  config.violation_log.flush_rows = 77;
  const auto o = violation_log_options(config);
  CHECK(o.database_path == "x.db");
  CHECK(o.max_spill_bytes == 1234567);
  CHECK(o.flush_rows == 77);
  CHECK(ViolationLogOptions{}.max_spill_bytes == 256u << 20);
  CHECK(ViolationLogSettings{}.max_spill_bytes == 256u << 20);
}

}  // namespace disk_use_test
