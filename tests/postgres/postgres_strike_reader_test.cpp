// A fleet's strikes read back from a real PostgreSQL 15 store
// (postgres_strike_reader.hpp): two instances' violation logs write strikes
// into one database; each instance's reader tells its own strikes from the
// other's by the rows' ids, skips expired ones and non-strike actions, finds
// nothing (and no error) in a database no writer has migrated yet, and the
// strike book then counts both sets for a player.

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "../storage/storage_test_support.hpp"
#include "postgres_test_support.hpp"
#include "rustguard/adapters/postgres_log_database.hpp"
#include "rustguard/adapters/postgres_strike_reader.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace postgres_strike_reader_test {

using namespace rustguard;
using namespace rustguard::adapters;
using namespace rustguard::postgres_test;
using rustguard::storage_test::make_session;
using rustguard::storage_test::TempDir;

namespace {

constexpr std::int64_t kT0 = 1'700'000'000'000;

// Instance `instance`'s log gives player `player` one strike in `group` at
// `time_ms` (and a kick, which is not a strike).
void give_strike(const std::string& conninfo, const std::string& spill, std::uint32_t instance, std::uint64_t player,
                 const std::string& group, std::int64_t time_ms) {
  auto log = start_log(pg_options(conninfo, spill, instance));
  const std::uint64_t session = log->begin_session(make_session("P" + std::to_string(player), player, time_ms));
  REQUIRE(session != 0);
  ActionRecord strike;
  strike.session_id = session;
  strike.time_ms = time_ms;
  strike.kind = ActionKind::strike;
  strike.detail = group;
  strike.result = "ok";
  REQUIRE(log->log_action(strike) != 0);
  ActionRecord kick = strike;
  kick.kind = ActionKind::kick;
  REQUIRE(log->log_action(kick) != 0);
  REQUIRE(log->flush());
  log->stop();
}

std::string uuid_of(std::uint64_t low) { return protocol::Uuid{0x1111, low}.to_string(); }

StoreStrikes read_as(const std::string& conninfo, std::uint32_t instance, std::int64_t since_ms) {
  PostgresStrikeReader reader(conninfo, InstanceIds{instance}, std::chrono::seconds(5));
  StoreStrikes out;
  const auto s = reader.read(since_ms, out);
  INFO(s.message);
  REQUIRE(s.ok());
  return out;
}

}  // namespace

TEST_CASE("postgres strikes: each instance reads its own strikes apart from the fleet's") {
  REQUIRE_POSTGRES(server);
  TempDir dir;
  const std::string conninfo = server->fresh_database();
  give_strike(conninfo, dir.file("one.spill"), 1, 7, "combat", kT0);
  give_strike(conninfo, dir.file("two.spill"), 2, 7, "combat", kT0 + 1'000);
  give_strike(conninfo, dir.file("two.spill"), 2, 8, "movement", kT0 + 2'000);
  give_strike(conninfo, dir.file("one.spill"), 1, 8, "combat", kT0 - 10'000);  // expired for the reads below

  const StoreStrikes one = read_as(conninfo, 1, kT0 - 5'000);
  CHECK(one.rows == 3);
  REQUIRE(one.own.size() == 1);
  CHECK(one.own.at(uuid_of(7)) == std::vector<Strike>{{"combat", kT0}});
  REQUIRE(one.shared.size() == 2);
  CHECK(one.shared.at(uuid_of(7)) == std::vector<Strike>{{"combat", kT0 + 1'000}});
  CHECK(one.shared.at(uuid_of(8)) == std::vector<Strike>{{"movement", kT0 + 2'000}});

  const StoreStrikes two = read_as(conninfo, 2, kT0 - 5'000);
  CHECK(two.own.size() == 2);
  REQUIRE(two.shared.size() == 1);
  CHECK(two.shared.at(uuid_of(7)) == std::vector<Strike>{{"combat", kT0}});

  // A third instance owns none of them; with an older horizon the expired
  // one is back.
  const StoreStrikes three = read_as(conninfo, 3, kT0 - 20'000);
  CHECK(three.own.empty());
  CHECK(three.rows == 4);
  CHECK(three.shared.at(uuid_of(8)).size() == 2);

  // The book of instance 1 after its start: its own strike and the fleet's
  // count together for player 7; the next read replaces the fleet's.
  StrikeBook book;
  for (auto& [uuid, list] : one.own) {
    for (auto& strike : list) book.add_loaded(uuid, strike);
  }
  book.replace_shared(one.shared);
  CHECK(book.of(uuid_of(7), kT0 - 5'000) == std::vector<Strike>{{"combat", kT0}, {"combat", kT0 + 1'000}});
  give_strike(conninfo, dir.file("two.spill"), 2, 7, "combat", kT0 + 3'000);
  book.replace_shared(read_as(conninfo, 1, kT0 - 5'000).shared);
  CHECK(book.of(uuid_of(7), kT0 - 5'000).size() == 3);
  CHECK(book.of(uuid_of(8), kT0 - 5'000) == std::vector<Strike>{{"movement", kT0 + 2'000}});
}

TEST_CASE("postgres strikes: a store no writer has migrated holds no strikes; a server that is gone is an error") {
  REQUIRE_POSTGRES(server);
  const std::string conninfo = server->fresh_database();
  const StoreStrikes none = read_as(conninfo, 1, 0);
  CHECK(none.rows == 0);
  CHECK(none.own.empty());
  CHECK(none.shared.empty());

  PostgresStrikeReader reader("postgresql:///nothing?host=/nonexistent-socket-dir&connect_timeout=1", InstanceIds{1},
                              std::chrono::seconds(1));
  StoreStrikes out;
  const auto s = reader.read(0, out);
  CHECK_FALSE(s.ok());
  CHECK(s.message.find("connect") != std::string::npos);
}

TEST_CASE("postgres strikes: the schema has the strikes' partial index on both engines' migration") {
  REQUIRE_POSTGRES(server);
  TempDir dir;
  const std::string conninfo = server->fresh_database();
  give_strike(conninfo, dir.file("one.spill"), 1, 1, "combat", kT0);
  PgConnection db = connect(conninfo);
  CHECK(pg_int(db, "SELECT count(*) FROM pg_indexes WHERE indexname = 'actions_strikes'") == 1);
  CHECK(pg_int(db, "SELECT max(version) FROM rustguard_schema_version") == kSchemaVersion);
}

}  // namespace postgres_strike_reader_test
