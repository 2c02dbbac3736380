#pragma once
// One SQLite connection that applies batches of StorageRecords, each batch in
// one transaction with prepared statements. Every statement is an upsert or
// INSERT OR IGNORE keyed by the id the log assigned, so applying the same
// record twice, or a session's end before its start, leaves the same rows.
// Used by the violation log's writer thread for fresh batches and for spill
// imports alike.

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "rustguard/adapters/sqlite_handle.hpp"
#include "rustguard/adapters/sqlite_schema.hpp"
#include "rustguard/adapters/storage_record.hpp"

namespace rustguard::adapters {

struct SqliteSinkOptions {
  int busy_timeout_ms = 50;      // SQLite's own wait on a lock before reporting BUSY
  int cache_size_kib = 32 * 1024;
};

// A rollback journal, not WAL: WAL needs the -shm file mapped into every
// connection, and a fault on that mapping is SIGBUS (sqlite_handle.hpp).
// TRUNCATE rather than DELETE: the journal is cut to zero bytes at commit
// instead of being unlinked, so no directory update per transaction.
inline constexpr const char* kJournalMode = "truncate";

class SqliteRecordSink {
 public:
  // Opens the file (switching a WAL file from an earlier build to the rollback
  // journal first), sets journal_mode / mmap_size=0 / synchronous=NORMAL /
  // busy_timeout, migrates the schema and prepares the statements. Fails when
  // any step fails, including when SQLite could only open the file read-only.
  SqliteStatus open(const std::string& path, const SqliteSinkOptions& options = {}) {
    close();
    if (auto s = leave_write_ahead_log(path, kJournalMode, options.busy_timeout_ms); !s.ok()) return fail(s);
    if (auto s = db_.open(path); !s.ok()) return fail(s);
    if (!db_.writable()) {
      SqliteStatus s;
      s.code = SQLITE_READONLY;
      s.message = "open " + path + ": the file can only be opened read-only";
      return fail(s);
    }
    const std::string pragmas = "PRAGMA busy_timeout = " + std::to_string(options.busy_timeout_ms) +
                                "; PRAGMA cache_size = -" + std::to_string(options.cache_size_kib) +
                                "; PRAGMA mmap_size = 0; PRAGMA synchronous = NORMAL;";
    if (auto s = db_.exec(pragmas.c_str()); !s.ok()) return fail(s);
    const std::string journal = std::string{"PRAGMA journal_mode = "} + kJournalMode;
    std::string mode;
    if (auto s = db_.query_text(journal.c_str(), mode); !s.ok()) return fail(s);
    if (mode != kJournalMode) {
      SqliteStatus s;
      s.code = SQLITE_BUSY;
      s.message = "open " + path + ": SQLite kept journal_mode " + mode + " instead of " + kJournalMode;
      return fail(s);
    }
    if (auto s = migrate_schema(db_); !s.ok()) return fail(s);
    if (auto s = prepare_all(); !s.ok()) return fail(s);
    return {};
  }

  void close() noexcept {
    for (SqliteStatement* stmt : {&player_, &session_start_, &session_brand_, &session_end_, &player_seen_,
                                  &violation_, &action_}) {
      *stmt = SqliteStatement{};
    }
    db_.close();
  }

  bool is_open() const noexcept { return static_cast<bool>(violation_); }
  SqliteDatabase& database() noexcept { return db_; }

  // The largest id in use, so a restarted log assigns fresh ones.
  SqliteStatus max_id(std::uint64_t& out) {
    std::int64_t v = 0;
    auto s = db_.query_int(
        "SELECT max(m) FROM (SELECT max(id) AS m FROM sessions UNION ALL SELECT max(id) FROM violations "
        "UNION ALL SELECT max(id) FROM actions)",
        v);
    out = v > 0 ? static_cast<std::uint64_t>(v) : 0;
    return s;
  }

  // Ends the sessions an earlier run left open because it never got to end
  // them (crash, kill -9, power loss): rows with an id below `before_id` (the
  // first id of this run), no end_ms and no end_reason. Each gets end_reason
  // 'crashed' and, as end_ms, the latest of its start and its violations' and
  // actions' times (NULL only when it has none of them); its player's
  // last_seen_ms follows. One transaction; `closed` says how many.
  SqliteStatus close_crashed_sessions(std::uint64_t before_id, std::uint64_t& closed) {
    closed = 0;
    SqliteStatement open_sessions;
    SqliteStatement close_one;
    if (auto s = db_.prepare(
            "SELECT s.id, (SELECT max(t) FROM (SELECT max(v.time_ms) AS t FROM violations AS v WHERE v.session_id = "
            "s.id UNION ALL SELECT max(a.time_ms) FROM actions AS a WHERE a.session_id = s.id UNION ALL SELECT "
            "s.start_ms)) FROM sessions AS s WHERE s.end_ms IS NULL AND s.end_reason IS NULL AND s.id < ?1",
            open_sessions);
        !s.ok()) {
      return s;
    }
    if (auto s = db_.prepare("UPDATE sessions SET end_ms = ?2, end_reason = 'crashed' WHERE id = ?1", close_one);
        !s.ok()) {
      return s;
    }
    if (auto s = db_.exec("BEGIN IMMEDIATE"); !s.ok()) return s;
    const auto abandon = [this](int rc) {
      SqliteStatus s = sqlite_status(db_.get(), rc, "closing crashed sessions");
      db_.exec("ROLLBACK");
      return s;
    };
    struct Open {
      std::uint64_t id;
      bool has_end;
      std::int64_t end_ms;
    };
    std::vector<Open> found;
    open_sessions.bind(1, before_id);
    int rc = SQLITE_OK;
    while ((rc = sqlite3_step(open_sessions.get())) == SQLITE_ROW) {
      found.push_back({static_cast<std::uint64_t>(sqlite3_column_int64(open_sessions.get(), 0)),
                       sqlite3_column_type(open_sessions.get(), 1) != SQLITE_NULL,
                       sqlite3_column_int64(open_sessions.get(), 1)});
    }
    if (rc != SQLITE_DONE) return abandon(rc);
    for (const Open& o : found) {
      close_one.bind(1, o.id);
      if (o.has_end) {
        close_one.bind(2, o.end_ms);
      } else {
        close_one.bind_null(2);
      }
      if (rc = close_one.run(); rc != SQLITE_DONE) return abandon(rc);
      if (!o.has_end) continue;
      player_seen_.bind(1, o.id);
      player_seen_.bind(2, o.end_ms);
      if (rc = player_seen_.run(); rc != SQLITE_DONE) return abandon(rc);
    }
    if (auto s = db_.exec("COMMIT"); !s.ok()) {
      if (sqlite3_get_autocommit(db_.get()) == 0) db_.exec("ROLLBACK");
      return s;
    }
    closed = found.size();
    return {};
  }

  // Applies every record in one transaction: all of them land, or none does
  // (the transaction is rolled back and the caller still owns the batch).
  SqliteStatus write(std::span<const StorageRecord> records) {
    if (auto s = db_.exec("BEGIN IMMEDIATE"); !s.ok()) return s;
    for (const StorageRecord& r : records) {
      const int rc = std::visit([this](const auto& rec) { return apply(rec); }, r);
      if (rc != SQLITE_DONE) {
        SqliteStatus s = sqlite_status(db_.get(), rc, "write batch");
        db_.exec("ROLLBACK");
        return s;
      }
    }
    if (auto s = db_.exec("COMMIT"); !s.ok()) {
      // A failed COMMIT may leave the transaction open (BUSY); end it so the
      // next attempt starts clean.
      if (sqlite3_get_autocommit(db_.get()) == 0) db_.exec("ROLLBACK");
      return s;
    }
    return {};
  }

 private:
  SqliteStatus fail(SqliteStatus s) {
    close();
    return s;
  }

  SqliteStatus prepare_all() {
    struct Item {
      SqliteStatement* stmt;
      const char* sql;
    };
    const Item items[] = {
        {&player_,
         "INSERT INTO players (uuid, last_name, first_seen_ms, last_seen_ms) VALUES (?1, ?2, ?3, ?3) "
         "ON CONFLICT (uuid) DO UPDATE SET "
         "last_name = CASE WHEN excluded.last_seen_ms >= players.last_seen_ms THEN excluded.last_name "
         "ELSE players.last_name END, "
         "first_seen_ms = min(players.first_seen_ms, excluded.first_seen_ms), "
         "last_seen_ms = max(players.last_seen_ms, excluded.last_seen_ms)"},
        {&session_start_,
         "INSERT INTO sessions (id, player_uuid, player_name, address, protocol_version, start_ms, source, "
         "capture_file) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
         "ON CONFLICT (id) DO UPDATE SET player_uuid = excluded.player_uuid, "
         "player_name = excluded.player_name, address = excluded.address, "
         "protocol_version = excluded.protocol_version, start_ms = excluded.start_ms, "
         "source = excluded.source, capture_file = excluded.capture_file"},
        {&session_brand_,
         "INSERT INTO sessions (id, client_brand) VALUES (?1, ?2) "
         "ON CONFLICT (id) DO UPDATE SET client_brand = excluded.client_brand"},
        {&session_end_,
         "INSERT INTO sessions (id, end_ms) VALUES (?1, ?2) "
         "ON CONFLICT (id) DO UPDATE SET end_ms = excluded.end_ms"},
        {&player_seen_,
         "UPDATE players SET last_seen_ms = max(last_seen_ms, ?2) "
         "WHERE uuid = (SELECT player_uuid FROM sessions WHERE id = ?1)"},
        {&violation_,
         "INSERT OR IGNORE INTO violations (id, session_id, time_ms, check_name, type, vl, detail, "
         "numbers_json, ping_ms, count) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"},
        {&action_,
         "INSERT OR IGNORE INTO actions (id, session_id, violation_id, time_ms, action, detail, result, clip) "
         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"},
    };
    for (const Item& item : items) {
      if (auto s = db_.prepare(item.sql, *item.stmt); !s.ok()) return s;
    }
    return {};
  }

  int apply(const std::monostate&) { return SQLITE_DONE; }

  int apply(const SessionStart& r) {
    const std::string uuid = r.player_uuid.to_string();
    player_.bind(1, std::string_view{uuid});
    player_.bind(2, std::string_view{r.player_name});
    player_.bind(3, r.start_ms);
    if (const int rc = player_.run(); rc != SQLITE_DONE) return rc;
    session_start_.bind(1, r.id);
    session_start_.bind(2, std::string_view{uuid});
    session_start_.bind(3, std::string_view{r.player_name});
    session_start_.bind(4, std::string_view{r.address});
    session_start_.bind(5, r.protocol_version);
    session_start_.bind(6, r.start_ms);
    session_start_.bind(7, to_string(r.source));
    if (r.capture_file.empty()) {
      session_start_.bind_null(8);
    } else {
      session_start_.bind(8, std::string_view{r.capture_file});
    }
    return session_start_.run();
  }

  int apply(const SessionBrand& r) {
    session_brand_.bind(1, r.session_id);
    session_brand_.bind(2, std::string_view{r.client_brand});
    return session_brand_.run();
  }

  int apply(const SessionEnd& r) {
    session_end_.bind(1, r.session_id);
    session_end_.bind(2, r.end_ms);
    if (const int rc = session_end_.run(); rc != SQLITE_DONE) return rc;
    player_seen_.bind(1, r.session_id);
    player_seen_.bind(2, r.end_ms);
    return player_seen_.run();
  }

  int apply(const ViolationRecord& r) {
    const Violation& v = r.violation;
    violation_.bind(1, r.id);
    violation_.bind(2, v.session_id);
    violation_.bind(3, v.time_ms);
    violation_.bind(4, std::string_view{v.check});
    violation_.bind(5, std::string_view{v.type});
    violation_.bind(6, v.vl);
    violation_.bind(7, std::string_view{v.detail});
    violation_.bind(8, std::string_view{v.numbers_json});
    violation_.bind(9, v.ping_ms);
    violation_.bind(10, static_cast<std::int64_t>(v.count));
    return violation_.run();
  }

  int apply(const ActionRecord& r) {
    action_.bind(1, r.id);
    action_.bind(2, r.session_id);
    if (r.violation_id == 0) {
      action_.bind_null(3);
    } else {
      action_.bind(3, r.violation_id);
    }
    action_.bind(4, r.time_ms);
    action_.bind(5, to_string(r.kind));
    action_.bind(6, std::string_view{r.detail});
    action_.bind(7, std::string_view{r.result});
    if (r.clip.empty()) {
      action_.bind_null(8);
    } else {
      action_.bind(8, std::string_view{r.clip});
    }
    return action_.run();
  }

  SqliteDatabase db_;
  SqliteStatement player_, session_start_, session_brand_, session_end_, player_seen_, violation_, action_;
};

}  // namespace rustguard::adapters
