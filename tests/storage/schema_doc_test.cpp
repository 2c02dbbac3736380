// Runs the example queries from docs/database-schema.md, exactly as printed
// there, against a file written by the violation log.

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "rustguard/adapters/violation_log.hpp"
#include "storage_test_support.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace schema_doc_test {

using namespace rustguard;
using namespace rustguard::adapters;
using namespace rustguard::storage_test;

namespace {

// Every ```sql block that follows a "<!-- query: NAME -->" line.
std::map<std::string, std::string> doc_queries() {
  std::ifstream in{std::string{RUSTGUARD_SOURCE_DIR} + "/docs/database-schema.md"};
  REQUIRE(in);
  std::map<std::string, std::string> out;
  std::string line;
  std::string name;
  bool in_block = false;
  while (std::getline(in, line)) {
    const std::string marker = "<!-- query: ";
    if (line.rfind(marker, 0) == 0) {
      name = line.substr(marker.size(), line.find(" -->") - marker.size());
    } else if (!name.empty() && line == "```sql") {
      in_block = true;
    } else if (in_block && line == "```") {
      in_block = false;
      name.clear();
    } else if (in_block) {
      out[name] += line + "\n";
    }
  }
  return out;
}

using Rows = std::vector<std::vector<std::string>>;

Rows run(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  INFO(sql << sqlite3_errmsg(db));
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
  Rows rows;
  int rc = 0;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    std::vector<std::string> row;
    for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
      const auto* t = sqlite3_column_text(stmt, i);
      row.emplace_back(t ? reinterpret_cast<const char*>(t) : "NULL");
    }
    rows.push_back(std::move(row));
  }
  sqlite3_finalize(stmt);
  REQUIRE(rc == SQLITE_DONE);
  return rows;
}

}  // namespace

TEST_CASE("the documented example queries run and answer correctly") {
  const auto queries = doc_queries();
  REQUIRE(queries.size() == 4);

  TempDir dir;
  const std::string db = dir.file("rg.db");
  const std::int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
  const std::int64_t three_days_ago = now_ms - 3 * 86'400'000LL;
  {
    ViolationLogOptions o;
    o.database_path = db;
    std::string error;
    auto log = ViolationLog::start(o, error);
    REQUIRE(log);
    const auto old_steve = log->begin_session(make_session("Steve", 1, three_days_ago));
    REQUIRE(log->log_violation(make_violation(old_steve, three_days_ago, "reach", "old", 7)) != 0);
    REQUIRE(log->end_session(old_steve, three_days_ago + 1000));

    const auto steve = log->begin_session(make_session("Steve", 1, now_ms));
    for (int i = 1; i <= 3; ++i) REQUIRE(log->log_violation(make_violation(steve, now_ms, "timer", "t", i)) != 0);
    const auto reach = log->log_violation(make_violation(steve, now_ms, "reach", "r", 5));
    ActionRecord kick;
    kick.session_id = steve;
    kick.violation_id = reach;
    kick.time_ms = now_ms;
    kick.kind = ActionKind::kick;
    kick.detail = "Unfair advantage";
    kick.result = "ok";
    REQUIRE(log->log_action(kick) != 0);

    const auto alex = log->begin_session(make_session("Alex", 2, now_ms));
    auto folded = make_violation(alex, now_ms, "flight", "f", 10);
    folded.count = 3;  // three flags folded into one row
    REQUIRE(log->log_violation(folded) != 0);
    REQUIRE(log->log_violation(make_violation(alex, now_ms, "timer", "t", 10)) != 0);
  }
  Inspector inspector{db};

  const Rows top = run(inspector.get(), queries.at("top_offenders_today"));
  REQUIRE(top.size() == 2);
  CHECK(top[0] == std::vector<std::string>{"Alex", "00000000-0000-1111-0000-000000000002", "4", "20.0"});
  CHECK(top[1] == std::vector<std::string>{"Steve", "00000000-0000-1111-0000-000000000001", "4", "11.0"});

  const Rows history = run(inspector.get(), queries.at("player_history"));
  REQUIRE(history.size() == 5);
  CHECK(history.back()[5] == "old");
  CHECK(history.back()[1] == "reach");
  CHECK(history.back()[3] == "1");
  CHECK(history.front()[6] == "203.0.113.7:51234");
  CHECK(history.front()[7] == "live");

  const Rows hourly = run(inspector.get(), queries.at("per_check_per_hour"));
  std::map<std::string, int> per_check;
  for (const auto& row : hourly) per_check[row[1]] += std::stoi(row[2]);
  CHECK(per_check == std::map<std::string, int>{{"flight", 3}, {"reach", 1}, {"timer", 4}});

  const Rows actions = run(inspector.get(), queries.at("actions_for_player"));
  REQUIRE(actions.size() == 1);
  CHECK(actions[0][1] == "kick");
  CHECK(actions[0][2] == "Unfair advantage");
  CHECK(actions[0][3] == "ok");
  CHECK(actions[0][4] == "reach");
}

}  // namespace schema_doc_test
