// The strike book (adapters/strike_book.hpp): strikes read back from a real
// violation log's database, expiry on load, look-up and add, and the bound
// on the number of players it holds under an account flood.

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "rustguard/adapters/strike_book.hpp"
#include "rustguard/adapters/violation_log.hpp"
#include "storage_test_support.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace strike_book_test {

using namespace rustguard;
using namespace rustguard::adapters;
using namespace rustguard::storage_test;

namespace {

constexpr std::int64_t kT0 = 1'700'000'000'000;
constexpr std::int64_t kDay = 86'400'000;

std::string uuid_of(std::uint64_t low) { return protocol::Uuid{0x1111, low}.to_string(); }

// A database with strike rows written by the real violation log: for each
// (player, group, time) one session of that player and its strike.
struct StrikeRow {
  std::uint64_t player;
  std::string group;
  std::int64_t time_ms;
};
void write_strikes(const std::string& db, const std::vector<StrikeRow>& rows) {
  ViolationLogOptions o;
  o.database_path = db;
  std::string error;
  auto log = ViolationLog::start(o, error);
  REQUIRE(log);
  for (const StrikeRow& r : rows) {
    const std::uint64_t session = log->begin_session(make_session("p" + std::to_string(r.player), r.player, r.time_ms));
    REQUIRE(session != 0);
    ActionRecord strike;
    strike.session_id = session;
    strike.time_ms = r.time_ms;
    strike.kind = ActionKind::strike;
    strike.detail = r.group;
    strike.result = "ok";
    REQUIRE(log->log_action(strike) != 0);
    // A kick that is not a strike must not be read as one.
    ActionRecord kick = strike;
    kick.kind = ActionKind::kick;
    REQUIRE(log->log_action(kick) != 0);
  }
  REQUIRE(log->flush());
  log->stop();
}

}  // namespace

TEST_CASE("strike book reads unexpired strikes back from the violation log", "[strikes]") {
  TempDir dir;
  const std::string db = dir.file("rg.db");
  write_strikes(db, {{1, "combat", kT0 - 10 * kDay},  // expired: older than 7 days
                     {1, "combat", kT0 - 2 * kDay},
                     {1, "movement", kT0 - kDay},
                     {2, "combat", kT0 - 8 * kDay}});  // expired: player 2 is not held at all
  StrikeBook book;
  REQUIRE(book.load(db, kT0 - 7 * kDay).ok());
  CHECK(book.loaded() == 2);
  CHECK(book.players() == 1);
  CHECK(book.of(uuid_of(1), kT0 - 7 * kDay) ==
        std::vector<Strike>{{"combat", kT0 - 2 * kDay}, {"movement", kT0 - kDay}});
  CHECK(book.of(uuid_of(2), kT0 - 7 * kDay).empty());

  // A missing file is an empty book, not an error.
  StrikeBook empty;
  CHECK(empty.load(dir.file("none.db"), 0).ok());
  CHECK(empty.players() == 0);
}

TEST_CASE("strike book drops expired strikes at look-up and at add", "[strikes]") {
  StrikeBook book;
  book.add(uuid_of(1), "combat", kT0);
  book.add(uuid_of(1), "combat", kT0 + kDay);
  // A login two days later with a one-day expiry: the first strike is gone for good.
  CHECK(book.of(uuid_of(1), kT0 + 2 * kDay - kDay) == std::vector<Strike>{{"combat", kT0 + kDay}});
  CHECK(book.of(uuid_of(1), kT0 - kDay) == std::vector<Strike>{{"combat", kT0 + kDay}});

  // Adding to a player prunes what expired before the horizon of the latest look-up.
  book.add(uuid_of(2), "combat", kT0 + kDay);
  CHECK(book.of(uuid_of(3), kT0 + 3 * kDay).empty());  // another player's login moves the horizon
  book.add(uuid_of(2), "movement", kT0 + 3 * kDay);
  CHECK(book.of(uuid_of(2), kT0 + 3 * kDay) == std::vector<Strike>{{"movement", kT0 + 3 * kDay}});

  // A player whose strikes all expired is not held any more.
  CHECK(book.of(uuid_of(1), kT0 + 3 * kDay).empty());
  CHECK(book.players() == 1);

  // A strike older than the horizon is not added at all.
  book.add(uuid_of(4), "combat", kT0);
  CHECK(book.players() == 1);
}

TEST_CASE("strike book holds at most max_players under an account flood, dropping the oldest", "[strikes]") {
  StrikeBook book(1000);
  // A regular cheater struck again and again during the flood: its newest
  // strike is always recent, so it is never the one dropped.
  for (std::uint64_t i = 0; i < 50'000; ++i) {
    const std::int64_t now = kT0 + static_cast<std::int64_t>(i) * 1000;
    if (i % 500 == 0) book.add(uuid_of(999'999), "combat", now);
    book.add(uuid_of(i), "combat", now);
    REQUIRE(book.players() <= 1000);
  }
  CHECK(book.players() >= 900);
  CHECK(book.evicted() == 50'001 - book.players());
  // The newest flood accounts are held, the oldest are not.
  CHECK(book.of(uuid_of(49'999), 0).size() == 1);
  CHECK(book.of(uuid_of(0), 0).empty());
  CHECK(book.of(uuid_of(40'000), 0).empty());
  // Held with every one of its 100 strikes.
  CHECK(book.of(uuid_of(999'999), 0).size() == 100);
}

TEST_CASE("strike book sweeps expired players before it evicts live ones", "[strikes]") {
  StrikeBook book(100);
  for (std::uint64_t i = 0; i < 100; ++i) book.add(uuid_of(i), "combat", kT0);
  // A login moves the horizon past every strike above; the 101st player's
  // add then finds the book full of expired players only.
  CHECK(book.of(uuid_of(500), kT0 + 1).empty());
  book.add(uuid_of(100), "combat", kT0 + kDay);
  CHECK(book.players() == 1);
  CHECK(book.evicted() == 0);
  CHECK(book.of(uuid_of(100), kT0 + 1).size() == 1);
}

TEST_CASE("strike book load keeps the newest players when the database holds more than max_players", "[strikes]") {
  TempDir dir;
  const std::string db = dir.file("rg.db");
  std::vector<StrikeRow> rows;
  for (std::uint64_t i = 0; i < 300; ++i) rows.push_back({i + 1, "combat", kT0 + static_cast<std::int64_t>(i)});
  write_strikes(db, rows);
  StrikeBook book(100);
  REQUIRE(book.load(db, 0).ok());
  CHECK(book.loaded() == 300);
  CHECK(book.players() <= 100);
  CHECK(book.of(uuid_of(300), 0).size() == 1);  // the newest
  CHECK(book.of(uuid_of(1), 0).empty());        // the oldest
}

TEST_CASE("strike book counts the fleet's strikes with its own; each read replaces the fleet's", "[strikes]") {
  StrikeBook book;
  book.add(uuid_of(1), "combat", kT0 + 5);
  book.add_loaded(uuid_of(1), {"combat", kT0 + 1});
  CHECK(book.loaded() == 1);
  std::unordered_map<std::string, std::vector<Strike>> fleet;
  fleet[uuid_of(1)] = {{"combat", kT0 + 3}, {"movement", kT0 - kDay}};  // the second has expired
  fleet[uuid_of(2)] = {{"combat", kT0 + 2}};
  book.replace_shared(fleet);
  CHECK(book.shared_players() == 2);
  // Oldest first, both sets together; the expired one is not counted.
  CHECK(book.of(uuid_of(1), kT0) == std::vector<Strike>{{"combat", kT0 + 1}, {"combat", kT0 + 3}, {"combat", kT0 + 5}});
  CHECK(book.of(uuid_of(2), kT0) == std::vector<Strike>{{"combat", kT0 + 2}});
  // The next read no longer has player 2's strike (it expired in the store's
  // eyes): it is gone here too; player 1's own strikes stay.
  fleet.erase(uuid_of(2));
  fleet[uuid_of(1)] = {{"combat", kT0 + 3}, {"combat", kT0 + 4}};
  book.replace_shared(fleet);
  CHECK(book.of(uuid_of(2), kT0).empty());
  CHECK(book.of(uuid_of(1), kT0).size() == 4);
  CHECK(book.players() == 1);
}

TEST_CASE("strike book holds at most max_players of the fleet's players, the newest", "[strikes]") {
  StrikeBook book(100);
  std::unordered_map<std::string, std::vector<Strike>> fleet;
  for (std::uint64_t i = 0; i < 500; ++i) fleet[uuid_of(i)] = {{"combat", kT0 + static_cast<std::int64_t>(i)}};
  book.replace_shared(std::move(fleet));
  CHECK(book.shared_players() <= 100);
  CHECK(book.evicted() == 500 - book.shared_players());
  CHECK(book.of(uuid_of(499), 0).size() == 1);
  CHECK(book.of(uuid_of(0), 0).empty());
}

}  // namespace strike_book_test
