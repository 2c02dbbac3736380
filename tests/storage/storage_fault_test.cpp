// Storage faults with real files: the immutable attribute (which binds root
// too, unlike permission bits) set on the database or its journal while the
// log is writing, and a database left in WAL mode by an earlier build with an
// immutable -shm file next to it. A memory-mapped file that the kernel cannot
// serve is SIGBUS, so the log runs in a child process: a crash shows up as a
// child killed by a signal instead of taking the test runner with it.

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "rustguard/adapters/violation_log.hpp"
#include "storage_test_support.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace storage_fault_test {

using namespace rustguard;
using namespace rustguard::adapters;
using namespace rustguard::storage_test;
using namespace std::chrono_literals;

namespace {

// Whether this file system honours chattr +i at all (tmpfs and overlay
// setups often do not); the caller skips with a message when it does not.
bool immutable_supported(const TempDir& dir) {
  const std::string probe = dir.file("chattr-probe");
  { std::FILE* f = std::fopen(probe.c_str(), "w"); if (f != nullptr) std::fclose(f); }
  if (!chattr("+i", probe)) return false;
  chattr("-i", probe);
  return true;
}

void send_byte(int fd) {
  const char c = 1;
  REQUIRE(::write(fd, &c, 1) == 1);
}
bool receive_byte(int fd) {
  char c = 0;
  return ::read(fd, &c, 1) == 1;
}

// What the child tells the parent after stopping its log.
struct ChildReport {
  std::uint64_t accepted = 0;
  std::uint64_t session = 0;
  std::uint64_t dropped = 0;
  std::uint64_t retried = 0;
  std::uint64_t spilled = 0;
  std::uint64_t imported = 0;
  std::uint64_t spill_backlog = 0;
};

ViolationLogOptions fault_options(const std::string& db) {
  ViolationLogOptions o;
  o.database_path = db;
  o.flush_interval = 10ms;
  o.retry_initial = 10ms;
  o.retry_max = 100ms;
  o.spill_after = 200ms;  // so a fault of a second or two goes through the spill file too
  return o;
}

// The child: a log and one producer that writes a uniquely numbered violation
// every few hundred microseconds until the parent says stop; then stop() and
// report. `ready` is signalled once the database (and its journal) exist.
[[noreturn]] void producing_child(const std::string& db, int ready_fd, int stop_fd, int report_fd) {
  std::string error;
  auto log = ViolationLog::start(fault_options(db), error);
  if (!log) ::_exit(10);
  ChildReport report;
  report.session = log->begin_session(make_session("Steve", 1, 1));
  if (report.session == 0) ::_exit(11);
  for (int i = 0; i < 50; ++i) {
    if (log->log_violation(make_violation(report.session, i, "timer", "n" + std::to_string(report.accepted))) != 0) {
      ++report.accepted;
    }
  }
  if (!log->flush()) ::_exit(12);
  const char c = 1;
  if (::write(ready_fd, &c, 1) != 1) ::_exit(13);
  pollfd stop{stop_fd, POLLIN, 0};
  while (::poll(&stop, 1, 0) == 0) {
    for (int i = 0; i < 20; ++i) {
      const auto n = static_cast<std::int64_t>(report.accepted);
      if (log->log_violation(make_violation(report.session, n, "timer", "n" + std::to_string(report.accepted))) != 0) {
        ++report.accepted;
      }
    }
    std::this_thread::sleep_for(2ms);
  }
  log->stop();
  const auto counters = log->counters();
  report.dropped = counters.dropped;
  report.retried = counters.retried;
  report.spilled = counters.spilled;
  report.imported = counters.imported;
  report.spill_backlog = counters.spill_backlog;
  if (::write(report_fd, &report, sizeof report) != static_cast<ssize_t>(sizeof report)) ::_exit(14);
  log.reset();
  ::_exit(0);
}

// Runs the producing child, makes `targets` immutable for `hold` while it
// writes, lifts the fault, stops the child and checks that it survived and
// that every record it accepted is in the database exactly once.
void survive_fault(const std::vector<std::string>& suffixes, std::chrono::milliseconds hold) {
  TempDir dir;
  if (!immutable_supported(dir)) {
    WARN("chattr +i is not available on this file system; the storage fault test did not run");
    return;
  }
  const std::string db = dir.file("rg.db");
  int ready[2];
  int stop[2];
  int report[2];
  REQUIRE(::pipe(ready) == 0);
  REQUIRE(::pipe(stop) == 0);
  REQUIRE(::pipe(report) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(ready[0]);
    ::close(stop[1]);
    ::close(report[0]);
    producing_child(db, ready[1], stop[0], report[1]);
  }
  ::close(ready[1]);
  ::close(stop[0]);
  ::close(report[1]);
  REQUIRE(receive_byte(ready[0]));

  {
    Immutable guard;
    for (const auto& suffix : suffixes) {
      INFO("chattr +i " << db + suffix);
      REQUIRE(chattr("+i", db + suffix));
      guard.paths.push_back(db + suffix);
    }
    std::this_thread::sleep_for(hold);
  }  // the fault is lifted here
  std::this_thread::sleep_for(300ms);  // let the log notice the database is back, as it would in production
  send_byte(stop[1]);

  ChildReport r;
  std::size_t got = 0;
  auto* bytes = reinterpret_cast<char*>(&r);
  while (got < sizeof r) {
    const ssize_t n = ::read(report[0], bytes + got, sizeof r - got);
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  ::close(ready[0]);
  ::close(stop[1]);
  ::close(report[0]);
  INFO("child status " << status << (WIFSIGNALED(status) ? " (killed by signal " : " (exit ")
                       << (WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status)) << ")");
  REQUIRE_FALSE(WIFSIGNALED(status));
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  REQUIRE(got == sizeof r);

  CHECK(r.retried > 0);  // the fault was felt
  CHECK(r.spilled > 0);  // and outlasted spill_after
  CHECK(r.imported == r.spilled);
  CHECK(r.spill_backlog == 0);
  CHECK(r.dropped == 0);
  CHECK(::access((db + ".spill").c_str(), F_OK) != 0);
  Inspector check{db};
  const auto accepted = static_cast<std::int64_t>(r.accepted);
  CHECK(check.integer("SELECT count(*) FROM violations") == accepted);
  CHECK(check.integer("SELECT count(DISTINCT detail) FROM violations") == accepted);
  CHECK(check.integer("SELECT count(*) FROM violations WHERE CAST(substr(detail, 2) AS INTEGER) BETWEEN 0 AND " +
                      std::to_string(accepted - 1)) == accepted);
  CHECK(check.integer("SELECT count(*) FROM sessions") == 1);
  CHECK(check.text("PRAGMA integrity_check") == "ok");
}

}  // namespace

TEST_CASE("an immutable database file while the log writes: no crash, nothing lost or doubled") {
  survive_fault({""}, 1500ms);
}

TEST_CASE("an immutable journal while the log writes: no crash, nothing lost or doubled") {
  survive_fault({"-journal"}, 1500ms);
}

TEST_CASE("an immutable database and journal while the log writes: no crash, nothing lost or doubled") {
  survive_fault({"", "-journal"}, 1500ms);
}

namespace {

// A database as an earlier build left it after a crash: WAL mode, committed
// rows still in the -wal file, and the -shm file next to it.
void create_crashed_wal_file(const std::string& db) {
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    SqliteRecordSink schema;  // today's schema, then WAL as the earlier build had it
    if (!schema.open(db).ok()) ::_exit(2);
    schema.close();
    sqlite3* conn = nullptr;
    if (sqlite3_open(db.c_str(), &conn) != SQLITE_OK) ::_exit(3);
    if (sqlite3_exec(conn,
                     "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;"
                     "INSERT INTO sessions (id, start_ms, end_ms, source) VALUES (7, 100, 200, 'live');"
                     "INSERT INTO violations (id, session_id, time_ms, check_name, type, vl, detail, numbers_json) "
                     "VALUES (8, 7, 150, 'reach', 'distance', 1.0, 'in the wal', '{}');",
                     nullptr, nullptr, nullptr) != SQLITE_OK) {
      ::_exit(4);
    }
    ::_exit(0);  // no close: the -wal and -shm stay, as after a crash
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  REQUIRE(::access((db + "-wal").c_str(), F_OK) == 0);
  REQUIRE(::access((db + "-shm").c_str(), F_OK) == 0);
}

}  // namespace

TEST_CASE("a WAL file from an earlier build with an immutable -shm: converted without mapping it, rows kept") {
  TempDir dir;
  if (!immutable_supported(dir)) {
    WARN("chattr +i is not available on this file system; the WAL conversion fault test did not run");
    return;
  }
  const std::string db = dir.file("rg.db");
  create_crashed_wal_file(db);
  Immutable guard;
  REQUIRE(chattr("+i", db + "-shm"));
  guard.paths.push_back(db + "-shm");

  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    std::string error;
    auto log = ViolationLog::start(fault_options(db), error);
    if (!log) ::_exit(10);
    const auto session = log->begin_session(make_session("Alex", 2, 300));
    for (int i = 0; i < 100; ++i) {
      if (log->log_violation(make_violation(session, 300 + i, "timer", "new " + std::to_string(i))) == 0) ::_exit(11);
    }
    log->stop();
    const auto c = log->counters();
    ::_exit(c.written + c.imported == c.accepted && c.dropped == 0 ? 0 : 12);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  INFO("child status " << status);
  REQUIRE_FALSE(WIFSIGNALED(status));
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);

  CHECK(::access((db + "-wal").c_str(), F_OK) != 0);  // checkpointed into the file and removed
  Inspector check{db};
  CHECK(check.text("PRAGMA journal_mode") != "wal");
  CHECK(check.text("SELECT detail FROM violations WHERE id = 8") == "in the wal");
  CHECK(check.integer("SELECT count(*) FROM violations WHERE detail LIKE 'new %'") == 100);
  // Ids continued after the rows that were only in the -wal.
  CHECK(check.integer("SELECT min(id) FROM sessions WHERE id <> 7") == 9);
}

TEST_CASE("readers on another connection keep working while the log writes") {
  TempDir dir;
  const std::string db = dir.file("rg.db");
  ViolationLogOptions o;
  o.database_path = db;
  o.flush_rows = 512;
  o.flush_interval = 5ms;
  std::string error;
  auto log = ViolationLog::start(o, error);
  REQUIRE(log);
  const auto session = log->begin_session(make_session("Steve", 1, 1));
  REQUIRE(log->flush());

  // What an operator's `sqlite3 rustguard.db` does: a plain connection with
  // the default VFS and a busy timeout, counting rows again and again.
  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  std::atomic<int> read_errors{0};
  std::thread reader([&] {
    sqlite3* conn = nullptr;
    if (sqlite3_open_v2(db.c_str(), &conn, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      read_errors.fetch_add(1);
      return;
    }
    sqlite3_busy_timeout(conn, 2000);
    while (!done.load()) {
      if (sqlite3_exec(conn, "SELECT count(*), max(time_ms) FROM violations", nullptr, nullptr, nullptr) == SQLITE_OK) {
        reads.fetch_add(1);
      } else {
        read_errors.fetch_add(1);
      }
    }
    sqlite3_close_v2(conn);
  });
  constexpr int kViolations = 50'000;
  for (int i = 0; i < kViolations; ++i) {
    REQUIRE(log->log_violation(make_violation(session, i, "timer", std::to_string(i))) != 0);
    if (i % 1000 == 0) std::this_thread::sleep_for(1ms);
  }
  REQUIRE(log->flush());
  done.store(true);
  reader.join();
  log->stop();
  CHECK(read_errors.load() == 0);
  CHECK(reads.load() > 0);
  CHECK(log->counters().dropped == 0);
  Inspector check{db};
  CHECK(check.integer("SELECT count(*) FROM violations") == kViolations);
}

}  // namespace storage_fault_test
