#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "rustguard/adapters/violation_log.hpp"
#include "storage_test_support.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace violation_log_test {

using namespace rustguard;
using namespace rustguard::adapters;
using namespace rustguard::storage_test;

namespace {

ViolationLogOptions options_for(const std::string& db) {
  ViolationLogOptions o;
  o.database_path = db;
  o.flush_rows = 100;
  o.flush_interval = std::chrono::milliseconds{20};
  return o;
}

}  // namespace

TEST_CASE("violation log writes sessions, violations and actions in batches") {
  TempDir dir;
  const std::string db = dir.file("rg.db");
  std::string error;
  auto log = ViolationLog::start(options_for(db), error);
  REQUIRE(log);

  auto start = make_session("Steve", 1, 1'700'000'000'000);
  start.source = SessionSource::replay;
  start.capture_file = "captures/steve.rgcap";
  const std::uint64_t session = log->begin_session(start);
  REQUIRE(session != 0);
  REQUIRE(log->set_client_brand(session, "vanilla"));

  std::uint64_t first_violation = 0;
  for (int i = 0; i < 1000; ++i) {
    const auto id = log->log_violation(
        make_violation(session, 1'700'000'000'000 + i, i % 2 ? "timer" : "reach", "n=" + std::to_string(i), i * 0.5));
    REQUIRE(id != 0);
    if (i == 0) first_violation = id;
  }
  ActionRecord kick;
  kick.session_id = session;
  kick.violation_id = first_violation;
  kick.time_ms = 1'700'000'000'999;
  kick.kind = ActionKind::kick;
  kick.detail = "Timer (balance)";
  kick.result = "ok";
  REQUIRE(log->log_action(kick) != 0);
  REQUIRE(log->end_session(session, 1'700'000'100'000));

  REQUIRE(log->flush());
  {
    Inspector check{db};
    CHECK(check.integer("SELECT count(*) FROM violations") == 1000);
    CHECK(check.integer("SELECT count(DISTINCT detail) FROM violations") == 1000);
    CHECK(check.integer("SELECT count(*) FROM violations WHERE check_name = 'timer'") == 500);
    const std::string id = std::to_string(first_violation);
    CHECK(check.text("SELECT check_name || '/' || type || '/' || vl || '/' || detail || '/' || ping_ms || '/' || "
                     "session_id FROM violations WHERE id = " + id) ==
          "reach/balance/0.0/n=0/42/" + std::to_string(session));
    CHECK(check.text("SELECT numbers_json FROM violations WHERE id = " + id) ==
          R"({"balance_ms":-512.5,"limit_ms":-300})");
    CHECK(check.integer("SELECT json_extract(numbers_json, '$.limit_ms') FROM violations WHERE id = " + id) == -300);
    CHECK(check.text("SELECT player_name || '/' || source || '/' || capture_file || '/' || client_brand || '/' || "
                     "end_ms || '/' || protocol_version FROM sessions WHERE id = " + std::to_string(session)) ==
          "Steve/replay/captures/steve.rgcap/vanilla/1700000100000/763");
    CHECK(check.text("SELECT uuid || '/' || last_name || '/' || first_seen_ms || '/' || last_seen_ms FROM players") ==
          "00000000-0000-1111-0000-000000000001/Steve/1700000000000/1700000100000");
    CHECK(check.text("SELECT action || '/' || detail || '/' || result || '/' || violation_id FROM actions") ==
          "kick/Timer (balance)/ok/" + id);
  }
  log->stop();
  const auto c = log->counters();
  CHECK(c.accepted == 1004);
  CHECK(c.written == 1004);
  CHECK(c.batches >= 1);
  CHECK(c.batches < c.written);  // rows share transactions
  CHECK(c.dropped == 0);
  CHECK(c.spilled == 0);
  CHECK(c.retried == 0);
}

TEST_CASE("violation log refuses records after stop and counts them") {
  TempDir dir;
  std::string error;
  auto log = ViolationLog::start(options_for(dir.file("rg.db")), error);
  REQUIRE(log);
  REQUIRE(log->log_violation(make_violation(1, 1, "timer", "before")) != 0);
  log->stop();
  CHECK(log->log_violation(make_violation(1, 2, "timer", "after")) == 0);
  CHECK_FALSE(log->end_session(1, 3));
  CHECK(log->counters().rejected == 2);
  Inspector check{dir.file("rg.db")};
  CHECK(check.integer("SELECT count(*) FROM violations") == 1);
}

TEST_CASE("a second log on the same database is refused; a restarted log continues the ids") {
  TempDir dir;
  const std::string db = dir.file("rg.db");
  std::string error;
  std::uint64_t last_id = 0;
  {
    auto log = ViolationLog::start(options_for(db), error);
    REQUIRE(log);
    std::string second_error;
    CHECK_FALSE(ViolationLog::start(options_for(db), second_error));
    CHECK(second_error.find("another violation log") != std::string::npos);
    const auto s = log->begin_session(make_session("Alex", 2, 10));
    for (int i = 0; i < 10; ++i) last_id = log->log_violation(make_violation(s, 10 + i, "timer", "x"));
    CHECK(s == 1);  // a fresh file starts at 1
  }
  auto log = ViolationLog::start(options_for(db), error);
  REQUIRE(log);
  const auto s = log->begin_session(make_session("Alex", 2, 20));
  CHECK(s == last_id + 1);
  const auto v = log->log_violation(make_violation(s, 21, "timer", "y"));
  CHECK(v == s + 1);
  log->stop();
  Inspector check{db};
  CHECK(check.integer("SELECT count(*) FROM violations") == 11);
  CHECK(check.integer("SELECT count(*) FROM sessions") == 2);
  CHECK(check.integer("SELECT count(*) FROM players") == 1);
}

TEST_CASE("many producer threads, nothing lost or duplicated") {
  TempDir dir;
  const std::string db = dir.file("rg.db");
  auto options = options_for(db);
  options.channel_capacity = 64;  // tiny, so the overflow path is exercised too
  options.flush_rows = 512;
  std::string error;
  auto log = ViolationLog::start(options, error);
  REQUIRE(log);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 5000;
  std::vector<std::thread> producers;
  std::atomic<int> refused{0};
  for (int t = 0; t < kThreads; ++t) {
    producers.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        if (log->log_violation(make_violation(static_cast<std::uint64_t>(t + 1), i, "timer",
                                              std::to_string(t) + ":" + std::to_string(i))) == 0) {
          refused.fetch_add(1);
        }
      }
    });
  }
  for (auto& p : producers) p.join();
  log->stop();
  CHECK(refused.load() == 0);
  const auto c = log->counters();
  CHECK(c.overflowed > 0);
  CHECK(c.written == kThreads * kPerThread);
  Inspector check{db};
  CHECK(check.integer("SELECT count(*) FROM violations") == kThreads * kPerThread);
  CHECK(check.integer("SELECT count(DISTINCT detail) FROM violations") == kThreads * kPerThread);
}

TEST_CASE("a folded violation keeps its count in the database") {
  TempDir dir;
  const std::string db = dir.file("rg.db");
  std::string error;
  auto log = ViolationLog::start(options_for(db), error);
  REQUIRE(log);
  auto folded = make_violation(1, 10, "timer", "folded");
  folded.count = 12;
  const auto id = log->log_violation(folded);
  const auto single = log->log_violation(make_violation(1, 11, "timer", "single"));
  log->stop();
  Inspector check{db};
  CHECK(check.integer("SELECT count FROM violations WHERE id = " + std::to_string(id)) == 12);
  CHECK(check.integer("SELECT count FROM violations WHERE id = " + std::to_string(single)) == 1);
  CHECK(check.integer("SELECT sum(count) FROM violations") == 13);
}

TEST_CASE("an idle writer sleeps until a record comes, and the record wakes it") {
  using namespace std::chrono_literals;
  using Clock = std::chrono::steady_clock;
  TempDir dir;
  std::string error;
  auto options = options_for(dir.file("rg.db"));
  options.flush_interval = 0ms;  // a record is due as soon as the writer has it
  auto log = ViolationLog::start(options, error);
  REQUIRE(log);
  // Idle, the writer looks for work once a second (the disk sample); it
  // polled every 10 ms before, some 60 turns here.
  std::this_thread::sleep_for(600ms);
  CHECK(log->counters().writer_turns <= 4);
  // A record does not wait for that second: submit() wakes the writer. At
  // three points of the writer's second, so a wake-up lost at one of them
  // would show as a record waiting for the next disk sample.
  for (std::uint64_t i = 1; i <= 3; ++i) {
    std::this_thread::sleep_for(100ms * i);
    const auto submitted = Clock::now();
    REQUIRE(log->log_violation(make_violation(1, static_cast<std::int64_t>(i), "timer", "idle")) != 0);
    while (log->counters().written < i && Clock::now() - submitted < 5s) std::this_thread::sleep_for(1ms);
    CHECK(log->counters().written == i);
    CHECK(Clock::now() - submitted < 700ms);
  }
  log->stop();
  CHECK(log->counters().dropped == 0);
}

}  // namespace violation_log_test
