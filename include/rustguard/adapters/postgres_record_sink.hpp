#pragma once
// One PostgreSQL connection that applies batches of StorageRecords: the
// PostgreSQL counterpart of SqliteRecordSink, writing the same rows into the
// same schema (postgres_schema.hpp). Each batch is one transaction:
// violations and actions through COPY (copy_rows), sessions one statement
// each (a connection has one start, brand and end; violations are the volume).
// Every row is keyed by the id the log assigned, violations and actions with
// ON CONFLICT (id) DO NOTHING and sessions and players with upserts, so a
// batch applied twice (a retry after a commit whose answer was lost, a spill
// import redone) leaves the same rows.
//
// The violation log writes through it via PostgresLogDatabase
// (postgres_log_database.hpp); the calls are SqliteRecordSink's (open, close,
// max_id, close_crashed_sessions, write), plus the id ranges a log instance
// owns, so that a fleet of logs on one database keeps apart.
//
// Every libpq failure is returned as a PgStatus, and so is a failed
// allocation: nothing thrown here reaches the writer thread.

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "rustguard/adapters/postgres_connection.hpp"
#include "rustguard/adapters/postgres_schema.hpp"
#include "rustguard/adapters/storage_record.hpp"
#include "rustguard/adapters/utf8_repair.hpp"

namespace rustguard::adapters {

struct PostgresSinkOptions {
  int connect_timeout_s = 5;
  // A statement the server has not answered by then fails the batch and
  // closes the connection (PgConnection::set_answer_timeout).
  std::chrono::milliseconds answer_timeout{10'000};
};

// A string PostgreSQL accepts as text: valid UTF-8 without NUL bytes. Client
// brands and names come from the client's bytes; a text value PostgreSQL
// refuses would fail its whole batch again at every retry, so each byte that
// is not part of a valid UTF-8 sequence (and each NUL) becomes U+FFFD. SQLite
// stores such bytes as they are: the only place where the engines' rows
// differ.
inline std::string postgres_text(std::string_view in) { return repair_utf8(in, true); }

class PostgresRecordSink {
 public:
  // Connects (`conninfo`: a postgresql:// URL or key=value string), migrates
  // the schema and is ready to write. Fails when any step fails.
  PgStatus open(const std::string& conninfo, const PostgresSinkOptions& options = {}) {
    close();
    try {
      db_.set_answer_timeout(options.answer_timeout);
      if (auto s = db_.open(conninfo, options.connect_timeout_s); !s.ok()) return fail(s);
      if (auto s = migrate_postgres_schema(db_); !s.ok()) return fail(s);
      // This connection's staging tables for COPY (copy_rows): the
      // real tables' columns, no constraints, emptied at every commit.
      if (auto s = db_.exec("CREATE TEMP TABLE staged_violations (LIKE violations INCLUDING DEFAULTS) "
                            "ON COMMIT DELETE ROWS; "
                            "CREATE TEMP TABLE staged_actions (LIKE actions INCLUDING DEFAULTS) "
                            "ON COMMIT DELETE ROWS",
                            "open: staging tables");
          !s.ok()) {
        return fail(s);
      }
      return {};
    } catch (const std::exception& e) {
      return fail(pg_error(std::string{"open: "} + e.what()));
    }
  }

  void close() noexcept { db_.close(); }
  bool is_open() const noexcept { return db_.is_open(); }
  PgConnection& connection() noexcept { return db_; }

  // Ids from `begin` up to, not including, `end`: the ranges one log
  // instance assigns from (InstanceIds in violation_log.hpp). Bounds are
  // at most INT64_MAX.
  struct IdRange {
    std::uint64_t begin = 0;
    std::uint64_t end = static_cast<std::uint64_t>(INT64_MAX);
  };

  // The largest id in `ranges`: each table's primary key looked up per range.
  PgStatus max_id_in(std::span<const IdRange> ranges, std::uint64_t& out) {
    out = 0;
    if (ranges.empty()) return {};
    std::string sql = "SELECT max(m) FROM (";
    const char* sep = "";
    for (const char* table : {"sessions", "violations", "actions"}) {
      for (const IdRange& r : ranges) {
        sql += sep;
        sql += std::string{"SELECT max(id) AS m FROM "} + table + " WHERE id >= " + std::to_string(r.begin) +
               " AND id < " + std::to_string(r.end);
        sep = " UNION ALL ";
      }
    }
    sql += ") AS ids";
    std::int64_t v = 0;
    try {
      auto s = db_.query_int(sql, v, "max id");
      out = v > 0 ? static_cast<std::uint64_t>(v) : 0;
      return s;
    } catch (const std::exception& e) {
      return pg_error(std::string{"max id: "} + e.what());
    }
  }

  // The largest id in use, so a restarted log assigns fresh ones.
  PgStatus max_id(std::uint64_t& out) {
    std::int64_t v = 0;
    auto s = db_.query_int(
        "SELECT max(m) FROM (SELECT max(id) AS m FROM sessions UNION ALL SELECT max(id) FROM violations "
        "UNION ALL SELECT max(id) FROM actions) AS ids",
        v, "max id");
    out = v > 0 ? static_cast<std::uint64_t>(v) : 0;
    return s;
  }

  // Ends the sessions an earlier run left open, by SqliteRecordSink's rule
  // (close_crashed_sessions there): every session with an id below
  // `before_id`, no end_ms and no end_reason gets end_reason 'crashed' and,
  // as end_ms, the latest of its start and its violations' and actions'
  // times (NULL when it has none); its player's last_seen_ms follows. One
  // statement, so one transaction. Right for one instance per database only:
  // with a fleet, another instance's open sessions can have lower ids, and
  // the overload below is the one to call.
  PgStatus close_crashed_sessions(std::uint64_t before_id, std::uint64_t& closed) {
    return close_crashed_sessions(before_id, IdRange{}, IdRange{0, 0}, closed);
  }

  // The same, only for sessions whose id is in `own` or `also_own`: the
  // ranges of the instance that calls it, so a fleet's logs each end only
  // what their own earlier runs left open.
  PgStatus close_crashed_sessions(std::uint64_t before_id, IdRange own, IdRange also_own, std::uint64_t& closed) {
    closed = 0;
    static const std::string sql =
        "WITH crashed AS ("
        "  SELECT s.id, s.player_uuid,"
        "         GREATEST((SELECT max(v.time_ms) FROM violations AS v WHERE v.session_id = s.id),"
        "                  (SELECT max(a.time_ms) FROM actions AS a WHERE a.session_id = s.id), s.start_ms) AS end_ms"
        "  FROM sessions AS s WHERE s.end_ms IS NULL AND s.end_reason IS NULL AND s.id < $1"
        "  AND ((s.id >= $2 AND s.id < $3) OR (s.id >= $4 AND s.id < $5))),"
        " closed AS ("
        "  UPDATE sessions AS s SET end_ms = c.end_ms, end_reason = 'crashed' FROM crashed AS c WHERE s.id = c.id"
        "  RETURNING c.player_uuid, c.end_ms),"
        " seen AS ("
        "  UPDATE players AS p SET last_seen_ms = GREATEST(p.last_seen_ms, m.end_ms)"
        "  FROM (SELECT player_uuid, max(end_ms) AS end_ms FROM closed WHERE end_ms IS NOT NULL"
        "        GROUP BY player_uuid) AS m"
        "  WHERE p.uuid = m.player_uuid)"
        " SELECT count(*) FROM closed";
    try {
      PgResult r;
      if (auto s = db_.exec_params(sql,
                                   {id(before_id), id(own.begin), id(own.end), id(also_own.begin), id(also_own.end)},
                                   {kPgInt8, kPgInt8, kPgInt8, kPgInt8, kPgInt8}, "closing crashed sessions", &r);
          !s.ok()) {
        return s;
      }
      closed = std::strtoull(PQgetvalue(r.get(), 0, 0), nullptr, 10);
      return {};
    } catch (const std::exception& e) {
      return pg_error(std::string{"closing crashed sessions: "} + e.what());
    }
  }

  // Applies every record in one transaction: all of them land, or none does
  // (the transaction is rolled back and the caller still owns the batch).
  // After a failure with connection_lost, close() and open() again.
  PgStatus write(std::span<const StorageRecord> records) {
    if (!db_.is_open()) return pg_error("write batch: not connected", true);
    try {
      PgStatus s = write_batch(records);
      if (!s.ok()) db_.roll_back_if_open();
      return s;
    } catch (const std::exception& e) {
      db_.roll_back_if_open();
      return pg_error(std::string{"write batch: "} + e.what());
    }
  }

 private:
  PgStatus fail(PgStatus s) {
    close();
    return s;
  }

  // Ids and times are 64-bit signed on both engines; SQLite's bind takes the
  // same two's-complement reinterpretation of an unsigned id.
  static PgParam integer(std::int64_t v) { return PgParam{std::to_string(v), false}; }
  static PgParam id(std::uint64_t v) { return integer(static_cast<std::int64_t>(v)); }
  static PgParam text(std::string_view v) { return PgParam{postgres_text(v), false}; }
  static PgParam text_or_null(std::string_view v) { return v.empty() ? PgParam{{}, true} : text(v); }
  static PgParam real(double v) {
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);  // shortest text that reads back exactly
    return PgParam{std::string(buf, r.ptr), false};
  }

  PgStatus write_batch(std::span<const StorageRecord> records) {
    std::vector<const ViolationRecord*> violations;
    std::vector<const ActionRecord*> actions;
    if (auto s = db_.exec("BEGIN", "write batch"); !s.ok()) return s;
    // Session records in their order: a start, a brand and an end of one
    // session are upserts of one row, and the players row follows them.
    // Violations and actions read and change nothing else (no foreign keys
    // on PostgreSQL, postgres_schema.hpp), so they go last, many per INSERT.
    for (const StorageRecord& r : records) {
      PgStatus s;
      if (const auto* start = std::get_if<SessionStart>(&r)) {
        s = apply(*start);
      } else if (const auto* brand = std::get_if<SessionBrand>(&r)) {
        s = apply(*brand);
      } else if (const auto* end = std::get_if<SessionEnd>(&r)) {
        s = apply(*end);
      } else if (const auto* v = std::get_if<ViolationRecord>(&r)) {
        violations.push_back(v);
      } else if (const auto* a = std::get_if<ActionRecord>(&r)) {
        actions.push_back(a);
      }
      if (!s.ok()) return s;
    }
    if (!violations.empty()) {
      if (auto s = insert_violations(violations); !s.ok()) return s;
    }
    if (!actions.empty()) {
      if (auto s = insert_actions(actions); !s.ok()) return s;
    }
    return db_.exec("COMMIT", "write batch: commit");
  }

  PgStatus apply(const SessionStart& r) {
    const std::string uuid = r.player_uuid.to_string();
    static const std::string player_sql =
        "INSERT INTO players (uuid, last_name, first_seen_ms, last_seen_ms) VALUES ($1, $2, $3, $3) "
        "ON CONFLICT (uuid) DO UPDATE SET "
        "last_name = CASE WHEN excluded.last_seen_ms >= players.last_seen_ms THEN excluded.last_name "
        "ELSE players.last_name END, "
        "first_seen_ms = LEAST(players.first_seen_ms, excluded.first_seen_ms), "
        "last_seen_ms = GREATEST(players.last_seen_ms, excluded.last_seen_ms)";
    if (auto s = db_.exec_params(player_sql, {text(uuid), text(r.player_name), integer(r.start_ms)},
                                 {kPgText, kPgText, kPgInt8}, "write batch: player");
        !s.ok()) {
      return s;
    }
    static const std::string session_sql =
        "INSERT INTO sessions (id, player_uuid, player_name, address, protocol_version, start_ms, source, "
        "capture_file) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
        "ON CONFLICT (id) DO UPDATE SET player_uuid = excluded.player_uuid, "
        "player_name = excluded.player_name, address = excluded.address, "
        "protocol_version = excluded.protocol_version, start_ms = excluded.start_ms, "
        "source = excluded.source, capture_file = excluded.capture_file";
    return db_.exec_params(session_sql,
                           {id(r.id), text(uuid), text(r.player_name), text(r.address), integer(r.protocol_version),
                            integer(r.start_ms), text(to_string(r.source)), text_or_null(r.capture_file)},
                           {kPgInt8, kPgText, kPgText, kPgText, kPgInt8, kPgInt8, kPgText, kPgText},
                           "write batch: session start");
  }

  PgStatus apply(const SessionBrand& r) {
    static const std::string sql =
        "INSERT INTO sessions (id, client_brand) VALUES ($1, $2) "
        "ON CONFLICT (id) DO UPDATE SET client_brand = excluded.client_brand";
    return db_.exec_params(sql, {id(r.session_id), text(r.client_brand)}, {kPgInt8, kPgText},
                           "write batch: session brand");
  }

  PgStatus apply(const SessionEnd& r) {
    static const std::string end_sql =
        "INSERT INTO sessions (id, end_ms) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET end_ms = excluded.end_ms";
    if (auto s = db_.exec_params(end_sql, {id(r.session_id), integer(r.end_ms)}, {kPgInt8, kPgInt8},
                                 "write batch: session end");
        !s.ok()) {
      return s;
    }
    static const std::string seen_sql =
        "UPDATE players SET last_seen_ms = GREATEST(last_seen_ms, $2) "
        "WHERE uuid = (SELECT player_uuid FROM sessions WHERE id = $1)";
    return db_.exec_params(seen_sql, {id(r.session_id), integer(r.end_ms)}, {kPgInt8, kPgInt8},
                           "write batch: player seen");
  }

  // One field in COPY's text format: NULL is \N, and a backslash, tab,
  // newline or carriage return in a value is escaped with a backslash.
  static void field(std::string& out, std::string_view value) {
    for (const char c : postgres_text(value)) {
      switch (c) {
        case '\\': out += "\\\\"; break;
        case '\t': out += "\\t"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        default: out.push_back(c);
      }
    }
    out.push_back('\t');
  }
  static void field(std::string& out, std::int64_t value) {
    out += std::to_string(value);
    out.push_back('\t');
  }
  static void field(std::string& out, double value) {
    out += real(value).text;
    out.push_back('\t');
  }
  static void null_field(std::string& out) { out += "\\N\t"; }
  static void end_row(std::string& out) { out.back() = '\n'; }

  // The rows in COPY's text format, written by copy_rows().
  PgStatus insert_violations(std::span<const ViolationRecord* const> rows) {
    std::string data;
    data.reserve(rows.size() * 160);
    for (const ViolationRecord* r : rows) {
      const Violation& v = r->violation;
      field(data, static_cast<std::int64_t>(r->id));
      field(data, static_cast<std::int64_t>(v.session_id));
      field(data, v.time_ms);
      field(data, std::string_view{v.check});
      field(data, std::string_view{v.type});
      field(data, v.vl);
      field(data, std::string_view{v.detail});
      field(data, std::string_view{v.numbers_json});
      field(data, std::int64_t{v.ping_ms});
      field(data, static_cast<std::int64_t>(v.count));
      end_row(data);
    }
    return copy_rows("violations",
                     "id, session_id, time_ms, check_name, type, vl, detail, numbers_json, ping_ms, count", data,
                     "write batch: violations");
  }

  PgStatus insert_actions(std::span<const ActionRecord* const> rows) {
    std::string data;
    data.reserve(rows.size() * 96);
    for (const ActionRecord* r : rows) {
      field(data, static_cast<std::int64_t>(r->id));
      field(data, static_cast<std::int64_t>(r->session_id));
      if (r->violation_id == 0) {
        null_field(data);
      } else {
        field(data, static_cast<std::int64_t>(r->violation_id));
      }
      field(data, r->time_ms);
      field(data, to_string(r->kind));
      field(data, std::string_view{r->detail});
      field(data, std::string_view{r->result});
      if (r->clip.empty()) {
        null_field(data);
      } else {
        field(data, std::string_view{r->clip});
      }
      end_row(data);
    }
    return copy_rows("actions", "id, session_id, violation_id, time_ms, action, detail, result, clip", data,
                     "write batch: actions");
  }

  // Fresh rows (the usual batch: ids only grow) are COPYed straight into
  // `table`, inside a savepoint. COPY cannot skip a row that is already
  // there, so when one is (23505: a retried batch, a spill import redone),
  // the savepoint is rolled back and the rows go through the connection's
  // staging table instead, then into `table` with ON CONFLICT (id) DO
  // NOTHING. The straight COPY saves that second pass over the rows.
  PgStatus copy_rows(const std::string& table, const std::string& columns, std::string_view data,
                     std::string_view what) {
    if (auto s = db_.exec("SAVEPOINT fresh_rows", what); !s.ok()) return s;
    PgStatus direct = db_.copy_in("COPY " + table + " (" + columns + ") FROM STDIN", data, what);
    if (direct.ok()) return db_.exec("RELEASE SAVEPOINT fresh_rows", what);
    if (direct.sqlstate != "23505") return direct;
    if (auto s = db_.exec("ROLLBACK TO SAVEPOINT fresh_rows; RELEASE SAVEPOINT fresh_rows", what); !s.ok()) return s;
    if (auto s = db_.copy_in("COPY staged_" + table + " (" + columns + ") FROM STDIN", data, what); !s.ok()) return s;
    const std::string insert =
        "INSERT INTO " + table + " SELECT * FROM staged_" + table + " ON CONFLICT (id) DO NOTHING";
    return db_.exec(insert.c_str(), what);
  }

  PgConnection db_;
};

}  // namespace rustguard::adapters
