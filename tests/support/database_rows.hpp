#pragma once
// Every row of a RustGuard database, as text, for tests that compare two
// databases whole (a live run and its replay, two replays).

#include <sqlite3.h>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace rustguard::test {

// "SELECT ...|col|col|..." per row: players by uuid, then sessions,
// violations and actions by id. Every column (SELECT *), so a new one, like
// actions.clip (schema version 5, NULL unless the live proxy named a clip),
// is compared too.
inline std::vector<std::string> dump_rows(const std::string& db_path) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  std::vector<std::string> rows;
  for (const char* sql : {"SELECT * FROM players ORDER BY uuid", "SELECT * FROM sessions ORDER BY id",
                          "SELECT * FROM violations ORDER BY id", "SELECT * FROM actions ORDER BY id"}) {
    sqlite3_stmt* st = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
      std::string row = sql;
      for (int c = 0; c < sqlite3_column_count(st); ++c) {
        const unsigned char* text = sqlite3_column_text(st, c);
        row += "|" + (text ? std::string(reinterpret_cast<const char*>(text)) : std::string("NULL"));
      }
      rows.push_back(row);
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return rows;
}

}  // namespace rustguard::test
