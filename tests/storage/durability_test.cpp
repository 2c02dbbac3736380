// The "nothing is lost" guarantees, each against a real obstacle: another
// process holding the write lock, a file the kernel refuses to write (the
// immutable attribute, which binds root too), and SIGTERM mid-stream.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include "rustguard/adapters/violation_log.hpp"
#include "storage_test_support.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace durability_test {

using namespace rustguard;
using namespace rustguard::adapters;
using namespace rustguard::storage_test;
using namespace std::chrono_literals;

namespace {

// Polls until `done` holds or a generous limit passes; the caller then
// asserts the state, so this never asserts on time itself.
template <class F>
void wait_until(F done, std::chrono::seconds limit = 30s) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < end) std::this_thread::sleep_for(5ms);
}

void write_byte(int fd) {
  const char c = 1;
  REQUIRE(::write(fd, &c, 1) == 1);
}
void read_byte(int fd) {
  char c = 0;
  REQUIRE(::read(fd, &c, 1) == 1);
}

// A child process that, when told, takes the database's write lock with
// BEGIN IMMEDIATE, reports that it holds it, and keeps it for five seconds.
// Forked before the log starts any thread.
struct LockHolder {
  pid_t pid = -1;
  int go_fd = -1;
  int locked_fd = -1;

  explicit LockHolder(const std::string& db) {
    int go[2];
    int locked[2];
    REQUIRE(::pipe(go) == 0);
    REQUIRE(::pipe(locked) == 0);
    pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::close(go[1]);
      ::close(locked[0]);
      char c = 0;
      if (::read(go[0], &c, 1) != 1) ::_exit(2);
      sqlite3* conn = nullptr;
      if (sqlite3_open(db.c_str(), &conn) != SQLITE_OK) ::_exit(3);
      sqlite3_busy_timeout(conn, 10000);
      if (sqlite3_exec(conn, "BEGIN IMMEDIATE; INSERT INTO players VALUES ('lock-holder', 'x', 0, 0);", nullptr,
                       nullptr, nullptr) != SQLITE_OK) {
        ::_exit(4);
      }
      if (::write(locked[1], &c, 1) != 1) ::_exit(5);
      ::sleep(5);
      if (sqlite3_exec(conn, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) ::_exit(6);
      sqlite3_close(conn);
      ::_exit(0);
    }
    ::close(go[0]);
    ::close(locked[1]);
    go_fd = go[1];
    locked_fd = locked[0];
  }
  void lock_now() {
    write_byte(go_fd);
    read_byte(locked_fd);
  }
  int wait() {
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    ::close(go_fd);
    ::close(locked_fd);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
  }
};

void create_schema(const std::string& db) {
  SqliteRecordSink sink;
  REQUIRE(sink.open(db).ok());
}

void locked_for_five_seconds(std::chrono::milliseconds spill_after) {
  TempDir dir;
  const std::string db = dir.file("rg.db");
  create_schema(db);
  LockHolder holder{db};

  LogLines lines;
  ViolationLogOptions o;
  o.database_path = db;
  o.flush_interval = 20ms;
  o.retry_initial = 20ms;
  o.retry_max = 400ms;
  o.spill_after = spill_after;
  o.log = lines.callback();
  std::string error;
  auto log = ViolationLog::start(o, error);
  REQUIRE(log);
  const auto session = log->begin_session(make_session("Steve", 1, 1));
  REQUIRE(log->flush());

  holder.lock_now();
  // Keep producing for the whole time the lock is held, and a bit beyond.
  int accepted = 0;
  const auto end = std::chrono::steady_clock::now() + 6s;
  while (std::chrono::steady_clock::now() < end) {
    for (int i = 0; i < 200; ++i) {
      if (log->log_violation(make_violation(session, accepted, "timer", "n" + std::to_string(accepted))) != 0) {
        ++accepted;
      }
    }
    std::this_thread::sleep_for(10ms);
  }
  REQUIRE(holder.wait() == 0);
  REQUIRE(log->flush());
  log->stop();

  const auto c = log->counters();
  CHECK(c.retried > 0);
  CHECK(c.dropped == 0);
  CHECK(lines.contains("will retry"));
  Inspector check{db};
  CHECK(check.integer("SELECT count(*) FROM violations") == accepted);
  CHECK(check.integer("SELECT count(DISTINCT detail) FROM violations") == accepted);
  CHECK(check.integer("SELECT count(*) FROM players WHERE uuid = 'lock-holder'") == 1);
  if (spill_after < 5s) {
    CHECK(c.spilled > 0);
    CHECK(c.imported == c.spilled);
    CHECK(c.written + c.imported == c.accepted);
  } else {
    CHECK(c.spilled == 0);
    CHECK(c.written == c.accepted);
  }
  CHECK(::access(log->spill_path().c_str(), F_OK) != 0);
}

}  // namespace

TEST_CASE("a database locked by another process for 5 s loses nothing (retry only)") {
  locked_for_five_seconds(60s);
}

TEST_CASE("a database locked by another process for 5 s loses nothing (spill and import)") {
  locked_for_five_seconds(1s);
}

TEST_CASE("an unwritable database file that becomes writable again loses nothing") {
  TempDir dir;
  const std::string db = dir.file("rg.db");
  ViolationLogOptions o;
  o.database_path = db;
  o.flush_interval = 20ms;
  o.retry_initial = 20ms;
  o.retry_max = 200ms;
  o.spill_after = 300ms;
  LogLines lines;
  o.log = lines.callback();
  std::string error;
  std::uint64_t session = 0;
  {
    auto log = ViolationLog::start(o, error);
    REQUIRE(log);
    session = log->begin_session(make_session("Steve", 1, 1));
    for (int i = 0; i < 100; ++i) REQUIRE(log->log_violation(make_violation(session, i, "timer", "a" + std::to_string(i))));
  }
  Immutable guard;
  // Root ignores permission bits, so chmod proves nothing here; the immutable
  // attribute is enforced by the file system for everyone.
  if (!chattr("+i", db)) {
    WARN("chattr +i is not available on this file system; the unwritable-file test did not run");
    return;
  }
  guard.paths.push_back(db);

  auto log = ViolationLog::start(o, error);
  REQUIRE(log);
  // Phase 1: the file is unwritable from the start.
  for (int i = 0; i < 1000; ++i) REQUIRE(log->log_violation(make_violation(session, i, "timer", "b" + std::to_string(i))));
  wait_until([&] { return log->counters().spilled >= 1000; });
  CHECK(log->counters().spilled == 1000);
  {
    Inspector check{db};
    CHECK(check.integer("SELECT count(*) FROM violations") == 100);
  }
  REQUIRE(chattr("-i", db));
  wait_until([&] { return log->counters().imported >= 1000; });
  CHECK(log->counters().imported == 1000);

  // Phase 2: the file and its journal become unwritable while the log has
  // the database open.
  for (int i = 0; i < 500; ++i) REQUIRE(log->log_violation(make_violation(session, i, "timer", "c" + std::to_string(i))));
  REQUIRE(log->flush());
  const auto spilled_before = log->counters().spilled;
  REQUIRE(chattr("+i", db));
  REQUIRE(chattr("+i", db + "-journal"));
  guard.paths.push_back(db + "-journal");
  for (int i = 0; i < 2000; ++i) REQUIRE(log->log_violation(make_violation(session, i, "timer", "d" + std::to_string(i))));
  wait_until([&] { return log->counters().spilled >= spilled_before + 2000; });
  CHECK(log->counters().spilled == spilled_before + 2000);
  REQUIRE(chattr("-i", db));
  REQUIRE(chattr("-i", db + "-journal"));
  REQUIRE(log->flush());
  wait_until([&] { return log->counters().imported >= 3000; });
  log->stop();

  const auto c = log->counters();
  CHECK(c.imported == 3000);
  CHECK(c.dropped == 0);
  CHECK(lines.contains("spilling to"));
  CHECK(lines.contains("writable again"));
  Inspector check{db};
  CHECK(check.integer("SELECT count(*) FROM violations") == 3600);
  CHECK(check.integer("SELECT count(DISTINCT detail) FROM violations") == 3600);
  CHECK(::access(log->spill_path().c_str(), F_OK) != 0);
}

namespace {

constexpr int kSigtermProducers = 2;

// The child: two producers at full speed; SIGTERM is taken by sigwait on the
// main thread (the handler-thread pattern the tools use), which stops the log
// and reports how many violations each producer had accepted.
[[noreturn]] void sigterm_child(const std::string& db, int report_fd, int ready_fd) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  ViolationLogOptions o;
  o.database_path = db;
  o.overflow_capacity = 1 << 22;
  std::string error;
  auto log = ViolationLog::start(o, error);
  if (!log) ::_exit(10);
  std::atomic<bool> stop{false};
  std::array<std::uint64_t, kSigtermProducers> accepted{};
  std::vector<std::thread> producers;
  for (int t = 0; t < kSigtermProducers; ++t) {
    producers.emplace_back([&, t] {
      const auto session = log->begin_session(make_session("P" + std::to_string(t), 10 + t, 0));
      std::uint64_t n = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        Violation v = make_violation(session, static_cast<std::int64_t>(n), "timer",
                                     std::to_string(t) + ":" + std::to_string(n));
        if (log->log_violation(std::move(v)) != 0) ++accepted[static_cast<std::size_t>(t)];
        ++n;
      }
    });
  }
  const char c = 1;
  if (::write(ready_fd, &c, 1) != 1) ::_exit(11);
  int sig = 0;
  sigwait(&set, &sig);
  log->stop();  // everything accepted so far is stored when this returns
  stop.store(true);
  for (auto& p : producers) p.join();
  const auto counters = log->counters();
  std::array<std::uint64_t, kSigtermProducers + 1> report{};
  for (int t = 0; t < kSigtermProducers; ++t) report[static_cast<std::size_t>(t)] = accepted[static_cast<std::size_t>(t)];
  report[kSigtermProducers] = counters.dropped;
  if (::write(report_fd, report.data(), sizeof report) != static_cast<ssize_t>(sizeof report)) ::_exit(12);
  log.reset();
  ::_exit(0);
}

}  // namespace

TEST_CASE("SIGTERM during heavy writing loses nothing") {
  TempDir dir;
  const std::string db = dir.file("rg.db");
  int report[2];
  int ready[2];
  REQUIRE(::pipe(report) == 0);
  REQUIRE(::pipe(ready) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(report[0]);
    ::close(ready[0]);
    sigterm_child(db, report[1], ready[1]);
  }
  ::close(report[1]);
  ::close(ready[1]);
  read_byte(ready[0]);
  std::this_thread::sleep_for(400ms);  // let it write at full speed for a while
  REQUIRE(::kill(pid, SIGTERM) == 0);

  std::array<std::uint64_t, kSigtermProducers + 1> accepted{};
  std::size_t got = 0;
  auto* bytes = reinterpret_cast<char*>(accepted.data());
  while (got < sizeof accepted) {
    const ssize_t n = ::read(report[0], bytes + got, sizeof accepted - got);
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  ::close(report[0]);
  ::close(ready[0]);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  REQUIRE(got == sizeof accepted);
  CHECK(accepted[kSigtermProducers] == 0);  // nothing dropped
  CHECK(accepted[0] > 0);

  // Whatever went to the spill file is imported by the next start.
  start_and_stop(db);
  Inspector check{db};
  for (int t = 0; t < kSigtermProducers; ++t) {
    const std::string prefix = "'" + std::to_string(t) + ":%'";
    INFO("producer " << t);
    CHECK(check.integer("SELECT count(*) FROM violations WHERE detail LIKE " + prefix) ==
          static_cast<std::int64_t>(accepted[static_cast<std::size_t>(t)]));
    CHECK(check.integer("SELECT count(DISTINCT detail) FROM violations WHERE detail LIKE " + prefix) ==
          static_cast<std::int64_t>(accepted[static_cast<std::size_t>(t)]));
  }
}

}  // namespace durability_test
