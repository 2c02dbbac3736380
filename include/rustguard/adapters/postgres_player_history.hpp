#pragma once
// A player's recent violations from a fleet's PostgreSQL store
// (player_history.hpp): every instance's rows. One connection, kept open
// between requests and opened again after a failure; every wait bounded by
// the answer timeout.

#include <charconv>
#include <chrono>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "rustguard/adapters/player_history.hpp"
#include "rustguard/adapters/postgres_connection.hpp"

namespace rustguard::adapters {

class PostgresPlayerHistory final : public PlayerHistorySource {
 public:
  PostgresPlayerHistory(std::string conninfo, std::chrono::milliseconds answer_timeout)
      : conninfo_(std::move(conninfo)), answer_timeout_(answer_timeout) {}

  std::string engine() const override { return "postgresql"; }

  std::string read(std::string_view name, int limit, std::vector<PastViolation>& out) override {
    out.clear();
    try {
      if (!db_.is_open()) {
        db_.set_answer_timeout(answer_timeout_);
        if (auto s = db_.open(conninfo_, 2); !s.ok()) return s.message;
      }
      const int rows = limit < 1 ? 1 : limit > kMaxRows ? kMaxRows : limit;
      PgResult r;
      // lower(): the dialect's players_by_name index is on lower(last_name).
      const PgStatus s = db_.exec_params(detail::history_query("lower(last_name) = lower($1)", "$2"),
                                         {{std::string{name}}, {std::to_string(rows)}}, {kPgText, kPgInt8},
                                         "read history", &r);
      if (!s.ok()) {
        if (s.sqlstate == "42P01") return {};  // no writer has created the schema yet: no history
        if (s.connection_lost) db_.close();
        return s.message;
      }
      for (int i = 0; i < PQntuples(r.get()); ++i) {
        PastViolation v;
        if (!number(r, i, 0, v.id) || !number(r, i, 3, v.time_ms) || !number(r, i, 6, v.vl) ||
            !number(r, i, 7, v.count)) {
          out.clear();
          return "read history: a row's number does not parse";
        }
        v.instance = instance_of_id(v.id);
        v.player_name = PQgetvalue(r.get(), i, 1);
        v.player_uuid = PQgetvalue(r.get(), i, 2);
        v.check = PQgetvalue(r.get(), i, 4);
        v.type = PQgetvalue(r.get(), i, 5);
        v.detail = PQgetvalue(r.get(), i, 8);
        out.push_back(std::move(v));
      }
      return {};
    } catch (const std::exception& e) {
      db_.close();
      out.clear();
      return std::string{"read history: "} + e.what();
    }
  }

 private:
  template <class Number>
  static bool number(const PgResult& r, int row, int column, Number& value) {
    const std::string_view v{PQgetvalue(r.get(), row, column)};
    return std::from_chars(v.data(), v.data() + v.size(), value).ec == std::errc{};
  }

  std::string conninfo_;
  std::chrono::milliseconds answer_timeout_;
  PgConnection db_;
};

}  // namespace rustguard::adapters
