#pragma once
// Reads the punishment strikes of a fleet's shared PostgreSQL store (the
// actions rows of kind 'strike', by the session's player) for the strike book
// (strike_book.hpp): at start, this instance's own strikes of earlier runs;
// then, every punishments.strike_sync, the strikes every other instance gave
// (tools/proxy/strike_sync.hpp). Which instance gave a strike is told by its
// row's id: each instance assigns ids from its own ranges (InstanceIds).
//
// Its own connection, never the violation log's: the log's writer thread
// must not wait for a read, nor a read for a batch. Like the sink, every
// failure is a PgStatus; nothing is thrown.

#include <charconv>
#include <chrono>
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "rustguard/adapters/postgres_connection.hpp"
#include "rustguard/adapters/strike_book.hpp"
#include "rustguard/adapters/violation_log.hpp"

namespace rustguard::adapters {

struct StoreStrikes {
  // By the player's UUID text, oldest first.
  std::unordered_map<std::string, std::vector<Strike>> own;     // given by this instance (any run)
  std::unordered_map<std::string, std::vector<Strike>> shared;  // given by every other instance
  std::size_t rows = 0;
};

class PostgresStrikeReader {
 public:
  // Why a cap: the whole set is read at every sync, so a flood of
  // throw-away accounts that each earn a strike must not make every read
  // hold millions of rows. The strike book keeps at most 100,000 players
  // (StrikeBook::kDefaultMaxPlayers); twice that many strikes, the newest,
  // cover them with room for the players who have several.
  static constexpr std::int64_t kMaxRows = 2 * static_cast<std::int64_t>(StrikeBook::kDefaultMaxPlayers);

  PostgresStrikeReader(std::string conninfo, InstanceIds own, std::chrono::milliseconds answer_timeout)
      : conninfo_(std::move(conninfo)), own_(own), answer_timeout_(answer_timeout) {}

  // Every strike at or after `since_ms`. A database whose schema no
  // writer has created yet holds no strikes: that is an empty answer, not
  // an error. A failed read closes the connection; the next one reconnects.
  PgStatus read(std::int64_t since_ms, StoreStrikes& out) {
    out = {};
    try {
      if (!db_.is_open()) {
        db_.set_answer_timeout(answer_timeout_);
        if (auto s = db_.open(conninfo_, connect_timeout_s()); !s.ok()) return s;
      }
      PgResult r;
      // The newest kMaxRows, returned oldest first (the book keeps order).
      const std::string sql =
          "SELECT * FROM (SELECT s.player_uuid, a.detail, a.time_ms, a.id FROM actions a "
          "JOIN sessions s ON s.id = a.session_id "
          "WHERE a.action = 'strike' AND a.time_ms >= $1 AND s.player_uuid IS NOT NULL "
          "ORDER BY a.time_ms DESC, a.id DESC LIMIT " +
          std::to_string(kMaxRows) + ") AS newest ORDER BY time_ms, id";
      PgStatus s = db_.exec_params(sql, {{std::to_string(since_ms)}}, {kPgInt8}, "read strikes", &r);
      if (!s.ok()) {
        if (s.sqlstate == "42P01") {  // undefined_table: no writer has migrated the store yet
          return {};
        }
        if (s.connection_lost) db_.close();
        return s;
      }
      const int n = PQntuples(r.get());
      for (int i = 0; i < n; ++i) {
        std::int64_t time_ms = 0;
        std::uint64_t id = 0;
        if (!integer(r, i, 2, time_ms) || !integer(r, i, 3, id)) {
          return pg_error("read strikes: a row's time or id is not an integer");
        }
        auto& book = own_.owns(id) ? out.own : out.shared;
        book[PQgetvalue(r.get(), i, 0)].push_back({PQgetvalue(r.get(), i, 1), time_ms});
      }
      out.rows = static_cast<std::size_t>(n);
      return {};
    } catch (const std::exception& e) {  // std::bad_alloc from a huge answer
      db_.close();
      out = {};
      return pg_error(std::string{"read strikes: "} + e.what());
    }
  }

 private:
  template <class Int>
  static bool integer(const PgResult& r, int row, int column, Int& value) {
    const std::string_view v{PQgetvalue(r.get(), row, column)};
    return std::from_chars(v.data(), v.data() + v.size(), value).ec == std::errc{};
  }
  int connect_timeout_s() const {
    const auto s = std::chrono::duration_cast<std::chrono::seconds>(answer_timeout_).count();
    return s < 1 ? 1 : static_cast<int>(s);
  }

  std::string conninfo_;
  InstanceIds own_;
  std::chrono::milliseconds answer_timeout_;
  PgConnection db_;
};

}  // namespace rustguard::adapters
