// Sessions an earlier run never ended (it crashed or was killed) are closed
// at the next start, after that run's spill file is imported, and marked so
// an operator can tell them from sessions the proxy saw end.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>

#include "rustguard/adapters/spill_file.hpp"
#include "rustguard/adapters/violation_log.hpp"
#include "storage_test_support.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace crash_recovery_test {

using namespace rustguard;
using namespace rustguard::adapters;
using namespace rustguard::storage_test;

namespace {

struct CrashedRun {
  std::uint64_t busy = 0;      // violations and an action, never ended
  std::uint64_t quiet = 0;     // nothing but its start, never ended
  std::uint64_t finished = 0;  // ended normally
};

// A child process stores three sessions, ends one, makes sure everything is
// in the file, and is killed with SIGKILL: no stop(), no destructor.
CrashedRun run_and_kill(const std::string& db) {
  int report[2];
  REQUIRE(::pipe(report) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(report[0]);
    ViolationLogOptions o;
    o.database_path = db;
    std::string error;
    auto log = ViolationLog::start(o, error);
    if (!log) ::_exit(10);
    CrashedRun run;
    run.busy = log->begin_session(make_session("Steve", 1, 1'000));
    run.quiet = log->begin_session(make_session("Alex", 2, 2'000));
    run.finished = log->begin_session(make_session("Notch", 3, 3'000));
    log->log_violation(make_violation(run.busy, 1'500, "timer", "first"));
    const auto last = log->log_violation(make_violation(run.busy, 4'500, "reach", "last violation"));
    ActionRecord kick;
    kick.session_id = run.busy;
    kick.violation_id = last;
    kick.time_ms = 4'700;  // the action comes after the last violation
    kick.kind = ActionKind::kick;
    kick.detail = "Reach";
    kick.result = "ok";
    log->log_action(kick);
    log->end_session(run.finished, 3'500);
    if (!log->flush()) ::_exit(11);
    if (::write(report[1], &run, sizeof run) != static_cast<ssize_t>(sizeof run)) ::_exit(12);
    for (;;) ::pause();
  }
  ::close(report[1]);
  CrashedRun run;
  REQUIRE(::read(report[0], &run, sizeof run) == static_cast<ssize_t>(sizeof run));
  ::close(report[0]);
  REQUIRE(::kill(pid, SIGKILL) == 0);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFSIGNALED(status));
  return run;
}

}  // namespace

TEST_CASE("sessions left open by a killed run are closed at the next start and marked 'crashed'") {
  TempDir dir;
  const std::string db = dir.file("rg.db");
  const CrashedRun crashed = run_and_kill(db);
  {
    Inspector before{db};
    CHECK(before.integer("SELECT count(*) FROM sessions WHERE end_ms IS NULL") == 2);
  }

  LogLines lines;
  ViolationLogOptions o;
  o.database_path = db;
  o.log = lines.callback();
  std::string error;
  auto log = ViolationLog::start(o, error);
  REQUIRE(log);
  // This run's own open session is not an earlier run's crash.
  const auto current = log->begin_session(make_session("Steve", 1, 10'000));
  REQUIRE(log->flush());
  log.reset();  // stops it and lets go of the writer lock
  CHECK(lines.contains("closed 2 sessions"));

  Inspector check{db};
  const auto row = [&](std::uint64_t id) {
    return check.text("SELECT coalesce(end_ms, 'open') || '/' || coalesce(end_reason, '-') FROM sessions WHERE id = " +
                      std::to_string(id));
  };
  CHECK(row(crashed.busy) == "4700/crashed");   // its last action
  CHECK(row(crashed.quiet) == "2000/crashed");  // nothing but its start
  CHECK(row(crashed.finished) == "3500/-");     // it ended normally
  CHECK(row(current) == "open/-");
  CHECK(check.integer("SELECT last_seen_ms FROM players WHERE last_name = 'Alex'") == 2'000);
  CHECK(check.integer("SELECT last_seen_ms FROM players WHERE last_name = 'Steve'") == 10'000);

  // A further start finds nothing more to close (this run's session was left
  // open too, so it is the one closed now).
  LogLines again;
  o.log = again.callback();
  auto log2 = ViolationLog::start(o, error);
  REQUIRE(log2);
  log2->stop();
  CHECK(again.contains("closed 1 sessions"));
  CHECK(row(current) == "10000/crashed");
  CHECK(row(crashed.busy) == "4700/crashed");
}

TEST_CASE("a session whose end waits in the spill file is imported, not marked crashed") {
  TempDir dir;
  const std::string db = dir.file("rg.db");
  {
    // The database has the session's start; its end only reached the spill
    // file (the database was unwritable when the earlier run stopped).
    SqliteRecordSink sink;
    REQUIRE(sink.open(db).ok());
    auto start = make_session("Steve", 1, 1'000);
    start.id = 5;
    std::vector<StorageRecord> records{StorageRecord{start}};
    REQUIRE(sink.write(records).ok());
    SpillWriter spill{db + ".spill"};
    std::string error;
    std::vector<StorageRecord> spilled{StorageRecord{SessionEnd{5, 1'800}}};
    REQUIRE(spill.append(spilled, error));
  }
  ViolationLogOptions o;
  o.database_path = db;
  std::string error;
  auto log = ViolationLog::start(o, error);
  REQUIRE(log);
  log->stop();
  CHECK(log->counters().imported == 1);
  Inspector check{db};
  CHECK(check.text("SELECT end_ms || '/' || coalesce(end_reason, '-') FROM sessions WHERE id = 5") == "1800/-");
}

TEST_CASE("closing crashed sessions waits for a database that is unwritable at start") {
  TempDir dir;
  const std::string db = dir.file("rg.db");
  const CrashedRun crashed = run_and_kill(db);
  // A newer schema version makes the writer refuse the file; records spill.
  {
    sqlite3* conn = nullptr;
    REQUIRE(sqlite3_open(db.c_str(), &conn) == SQLITE_OK);
    REQUIRE(sqlite3_exec(conn, "PRAGMA user_version = 99", nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(conn);
  }
  ViolationLogOptions o;
  o.database_path = db;
  o.retry_initial = std::chrono::milliseconds{10};
  o.retry_max = std::chrono::milliseconds{50};
  std::string error;
  {
    auto log = ViolationLog::start(o, error);
    REQUIRE(log);
    REQUIRE(log->log_violation(make_violation(crashed.busy, 9'000, "timer", "while refused")) != 0);
    REQUIRE(log->flush());
    log->stop();
    CHECK(log->counters().spilled == 1);
  }
  {
    Inspector check{db};
    CHECK(check.integer("SELECT count(*) FROM sessions WHERE end_ms IS NULL") == 2);
  }
  {
    sqlite3* conn = nullptr;
    REQUIRE(sqlite3_open(db.c_str(), &conn) == SQLITE_OK);
    REQUIRE(sqlite3_exec(conn, "PRAGMA user_version = 3", nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(conn);
  }
  auto log = ViolationLog::start(o, error);
  REQUIRE(log);
  log->stop();
  Inspector check{db};
  // The spilled violation was imported first, so it sets the end time.
  CHECK(check.text("SELECT end_ms || '/' || end_reason FROM sessions WHERE id = " + std::to_string(crashed.busy)) ==
        "9000/crashed");
  CHECK(check.integer("SELECT count(*) FROM sessions WHERE end_ms IS NULL") == 0);
}

}  // namespace crash_recovery_test
