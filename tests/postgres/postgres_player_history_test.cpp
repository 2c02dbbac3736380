// A player's recent violations from a fleet's PostgreSQL store
// (postgres_player_history.hpp), against a real PostgreSQL 15: two
// instances' logs write the same player's violations; the answer has both,
// newest first, each with the instance that wrote it, by name without case;
// a database no writer has migrated has no history and no error.

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "../storage/storage_test_support.hpp"
#include "postgres_test_support.hpp"
#include "rustguard/adapters/postgres_log_database.hpp"
#include "rustguard/adapters/postgres_player_history.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace postgres_player_history_test {

using namespace rustguard;
using namespace rustguard::adapters;
using namespace rustguard::postgres_test;
using rustguard::storage_test::make_session;
using rustguard::storage_test::make_violation;
using rustguard::storage_test::TempDir;

namespace {

// Instance `instance` logs `n` violations of player 5 ("Steve") from `t_ms`.
void play_on(const std::string& conninfo, const std::string& spill, std::uint32_t instance, std::int64_t t_ms, int n) {
  auto log = start_log(pg_options(conninfo, spill, instance));
  const std::uint64_t session = log->begin_session(make_session("Steve", 5, t_ms));
  REQUIRE(session != 0);
  for (int i = 0; i < n; ++i) {
    Violation v = make_violation(session, t_ms + 100 * (i + 1), "timer.balance", "ahead " + std::to_string(i));
    v.player_uuid = protocol::Uuid{0x1111, 5};
    REQUIRE(log->log_violation(std::move(v)) != 0);
  }
  REQUIRE(log->flush());
  log->stop();
}

}  // namespace

TEST_CASE("postgres history: a player's violations on every instance, newest first, each with its instance") {
  REQUIRE_POSTGRES(server);
  TempDir dir;
  const std::string conninfo = server->fresh_database();
  PostgresPlayerHistory history(conninfo, std::chrono::seconds(5));
  std::vector<PastViolation> out;
  CHECK(history.read("Steve", 50, out).empty());  // no schema yet: no history
  CHECK(out.empty());

  play_on(conninfo, dir.file("one.spill"), 1, 1'000'000, 3);
  play_on(conninfo, dir.file("two.spill"), 2, 2'000'000, 2);
  REQUIRE(history.read("steve", 50, out).empty());
  REQUIRE(out.size() == 5);
  CHECK(out[0].instance == 2);
  CHECK(out[0].time_ms == 2'000'200);
  CHECK(out[0].detail == "ahead 1");
  CHECK(out[1].instance == 2);
  CHECK(out[2].instance == 1);
  CHECK(out[4].time_ms == 1'000'100);
  CHECK(out[4].check == "timer.balance");
  CHECK(out[4].vl == Approx(1.0));
  CHECK(out[4].player_name == "Steve");

  REQUIRE(history.read("STEVE", 3, out).empty());
  CHECK(out.size() == 3);
  REQUIRE(history.read("Alex", 50, out).empty());
  CHECK(out.empty());
}

}  // namespace postgres_player_history_test
