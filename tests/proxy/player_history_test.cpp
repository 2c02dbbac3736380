// GET /players?name=X's history (tools/proxy/player_history_service.hpp,
// adapters/player_history.hpp) from a real SQLite file written by the real
// violation log: the player's violations newest first, by name without
// case, no other player's, at most the page's rows; read on the service's
// thread while the asking coroutine's context goes on; rendered as JSON in
// the admin answer. (The fleet's PostgreSQL store: tests/postgres.)

#include <catch2/catch.hpp>

#include <asio/bind_executor.hpp>
#include <asio/io_context.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "../../tools/proxy/admin_http.hpp"
#include "../../tools/proxy/metrics.hpp"
#include "../../tools/proxy/player_directory.hpp"
#include "../../tools/proxy/player_history_service.hpp"
#include "../support/temp_dir.hpp"
#include "rustguard/adapters/violation_log.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace player_history_test {

using namespace rustguard;
using namespace rustguard::adapters;

namespace {

constexpr std::int64_t kT0 = 1'700'000'000'000;

// `violations` violations of player `name` (uuid low part `low`) in one
// session starting at `start_ms`, one a second, through the real log.
void play(ViolationLog& log, const std::string& name, std::uint64_t low, std::int64_t start_ms, int violations) {
  SessionStart s;
  s.player_uuid = protocol::Uuid{0x2222, low};
  s.player_name = name;
  s.address = "203.0.113.9:40000";
  s.protocol_version = 769;
  s.start_ms = start_ms;
  const std::uint64_t session = log.begin_session(s);
  REQUIRE(session != 0);
  for (int i = 0; i < violations; ++i) {
    Violation v;
    v.session_id = session;
    v.player_name = name;
    v.player_uuid = s.player_uuid;
    v.numbers_json = "{}";
    v.protocol_version = 769;
    v.time_ms = start_ms + 1'000 * (i + 1);
    v.check = "combat.reach";
    v.type = "distance";
    v.vl = 1.5 + i;
    v.detail = "reach \"" + std::to_string(3.2 + i * 0.1).substr(0, 3) + "\" > 3.0";
    REQUIRE(log.log_violation(v) != 0);
  }
  REQUIRE(log.end_session(session, start_ms + 1'000 * (violations + 2)));
}

std::string write_store(const test::TempDir& dir) {
  const std::string db = (dir.path / "rg.db").string();
  ViolationLogOptions o;
  o.database_path = db;
  std::string error;
  auto log = ViolationLog::start(o, error);
  INFO(error);
  REQUIRE(log);
  play(*log, "Steve", 1, kT0, 3);
  play(*log, "Alex", 2, kT0 + 500, 2);
  play(*log, "steve", 1, kT0 + 60'000, 2);  // the same account later, its name in other case
  REQUIRE(log->flush());
  log->stop();
  return db;
}

}  // namespace

TEST_CASE("player history from a SQLite store: newest first, by name without case, that player only", "[admin]") {
  test::TempDir dir{"rustguard-history"};
  SqlitePlayerHistory store(write_store(dir));
  std::vector<PastViolation> out;
  REQUIRE(store.read("STEVE", 50, out).empty());
  REQUIRE(out.size() == 5);
  CHECK(out[0].time_ms == kT0 + 60'000 + 2'000);
  CHECK(out[4].time_ms == kT0 + 1'000);
  for (std::size_t i = 1; i < out.size(); ++i) CHECK(out[i - 1].time_ms > out[i].time_ms);
  for (const auto& v : out) {
    CHECK(v.player_uuid == protocol::Uuid{0x2222, 1}.to_string());
    CHECK(v.check == "combat.reach");
    CHECK(v.instance == 0);
  }
  CHECK(out[4].vl == Approx(1.5));
  CHECK(out[4].detail == "reach \"3.2\" > 3.0");

  REQUIRE(store.read("steve", 2, out).empty());
  CHECK(out.size() == 2);
  REQUIRE(store.read("Nobody", 50, out).empty());
  CHECK(out.empty());

  SqlitePlayerHistory missing((dir.path / "none.db").string());
  CHECK(missing.read("Steve", 50, out).empty());  // nothing written yet: no history, no error
  CHECK(out.empty());
}

TEST_CASE("the history service reads on its own thread; the admin answer carries it as JSON", "[admin]") {
  test::TempDir dir{"rustguard-history"};
  // The asker's context outlives the service, as in the proxy (main.cpp
  // makes the service after the pool): the service's thread, joined when it
  // goes, may still be inside its post() to this context after the answer
  // ran, and a context destroyed first would race with it.
  asio::io_context main;
  proxy::PlayerHistoryService service(std::make_unique<SqlitePlayerHistory>(write_store(dir)));
  std::optional<proxy::PlayerHistory> answer;
  std::thread::id answered_on;
  service.async_lookup("alex", asio::bind_executor(main, [&](proxy::PlayerHistory got) {
    answered_on = std::this_thread::get_id();
    answer = std::move(got);
  }));
  main.run();  // returns once the answer is handed back: the lookup kept it running till then
  REQUIRE(answer);
  CHECK(answered_on == std::this_thread::get_id());  // on the asker's context, not the service's thread
  const proxy::PlayerHistory& h = *answer;
  CHECK(h.store == "sqlite");
  CHECK(h.error.empty());
  REQUIRE(h.violations.size() == 2);

  proxy::Metrics m;
  proxy::PlayerDirectory players;
  const std::string response = proxy::admin_response("GET /players?name=alex HTTP/1.1\r\n\r\n", m, players, nullptr, &h);
  const std::string body = response.substr(response.find("\r\n\r\n") + 4);
  CHECK(body.rfind("{\"name\":\"alex\",\"online\":[],\"history\":{\"store\":\"sqlite\",\"error\":null,\"violations\":[{"
                   "\"time_ms\":" + std::to_string(kT0 + 500 + 2'000) + ",\"instance\":0,\"name\":\"Alex\",",
                   0) == 0);
  CHECK(body.find("\"detail\":\"reach \\\"3.3\\\" > 3.0\"") != std::string::npos);
  CHECK(body.find("\"vl\":2.500,\"count\":1") != std::string::npos);
  REQUIRE(body.size() > 4);
  CHECK(body.substr(body.size() - 4) == "]}}\n");

  // Only a player name is asked about.
  CHECK(proxy::players_query_name("GET /players?name=Al_ex9 HTTP/1.1\r\n\r\n") == "Al_ex9");
  CHECK(proxy::players_query_name("GET /players?name=a%20b HTTP/1.1\r\n\r\n").empty());
  CHECK(proxy::players_query_name("GET /players HTTP/1.1\r\n\r\n").empty());
}

}  // namespace player_history_test
