#pragma once
// Thin owning wrappers over sqlite3* and sqlite3_stmt*, plus the status value
// the storage adapters return: the SQLite result code and its message, so a
// caller can tell "locked, try again" from "read-only, reopen later".

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace rustguard::adapters {

struct SqliteStatus {
  int code = SQLITE_OK;  // primary or extended SQLite result code
  std::string message;

  bool ok() const noexcept { return code == SQLITE_OK || code == SQLITE_DONE || code == SQLITE_ROW; }
  // Another connection holds the lock: retrying soon is expected to work.
  bool busy() const noexcept {
    const int primary = code & 0xFF;
    return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
  }
};

inline SqliteStatus sqlite_status(sqlite3* db, int code, std::string_view what) {
  SqliteStatus s;
  s.code = code;
  s.message = std::string{what};
  s.message += ": ";
  s.message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  return s;
}

class SqliteStatement {
 public:
  SqliteStatement() = default;
  explicit SqliteStatement(sqlite3_stmt* s) noexcept : stmt_(s) {}
  SqliteStatement(SqliteStatement&& o) noexcept : stmt_(std::exchange(o.stmt_, nullptr)) {}
  SqliteStatement& operator=(SqliteStatement&& o) noexcept {
    if (this != &o) {
      sqlite3_finalize(stmt_);
      stmt_ = std::exchange(o.stmt_, nullptr);
    }
    return *this;
  }
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;
  ~SqliteStatement() { sqlite3_finalize(stmt_); }

  sqlite3_stmt* get() const noexcept { return stmt_; }
  explicit operator bool() const noexcept { return stmt_ != nullptr; }

  void bind(int i, std::int64_t v) noexcept { sqlite3_bind_int64(stmt_, i, v); }
  void bind(int i, std::uint64_t v) noexcept { sqlite3_bind_int64(stmt_, i, static_cast<std::int64_t>(v)); }
  void bind(int i, std::int32_t v) noexcept { sqlite3_bind_int(stmt_, i, v); }
  void bind(int i, double v) noexcept { sqlite3_bind_double(stmt_, i, v); }
  // SQLITE_TRANSIENT: SQLite copies the text, so the record may die before step().
  void bind(int i, std::string_view v) noexcept {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void bind_null(int i) noexcept { sqlite3_bind_null(stmt_, i); }

  // Runs a statement that returns no rows, then resets it for reuse.
  int run() noexcept {
    const int rc = sqlite3_step(stmt_);
    sqlite3_reset(stmt_);
    return rc == SQLITE_ROW ? SQLITE_DONE : rc;
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

class SqliteDatabase {
 public:
  SqliteDatabase() = default;
  SqliteDatabase(SqliteDatabase&& o) noexcept : db_(std::exchange(o.db_, nullptr)) {}
  SqliteDatabase& operator=(SqliteDatabase&& o) noexcept {
    if (this != &o) {
      close();
      db_ = std::exchange(o.db_, nullptr);
    }
    return *this;
  }
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;
  ~SqliteDatabase() { close(); }

  // Opens (creating if needed) for reading and writing. SQLite silently falls
  // back to read-only when the file cannot be opened for writing; `writable`
  // reports that, and a writer must treat it as a failure.
  SqliteStatus open(const std::string& path, int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) {
    close();
    const int rc = sqlite3_open_v2(path.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
      SqliteStatus s = sqlite_status(db_, rc, "open " + path);
      close();
      return s;
    }
    sqlite3_extended_result_codes(db_, 1);
    return {};
  }

  void close() noexcept {
    if (db_ != nullptr) {
      sqlite3_close_v2(db_);
      db_ = nullptr;
    }
  }

  sqlite3* get() const noexcept { return db_; }
  explicit operator bool() const noexcept { return db_ != nullptr; }
  bool writable() const noexcept { return db_ != nullptr && sqlite3_db_readonly(db_, "main") == 0; }

  SqliteStatus exec(const char* sql) {
    const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return sqlite_status(db_, rc, sql);
    return {};
  }

  SqliteStatus prepare(const char* sql, SqliteStatement& out) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(stmt);
      return sqlite_status(db_, rc, "prepare");
    }
    out = SqliteStatement{stmt};
    return {};
  }

  // The first column of the first row as an integer (0 when there is no row
  // or the value is NULL); for PRAGMAs and max() probes.
  SqliteStatus query_int(const char* sql, std::int64_t& out) {
    SqliteStatement stmt;
    if (auto s = prepare(sql, stmt); !s.ok()) return s;
    const int rc = sqlite3_step(stmt.get());
    if (rc == SQLITE_ROW) {
      out = sqlite3_column_int64(stmt.get(), 0);
      return {};
    }
    if (rc == SQLITE_DONE) {
      out = 0;
      return {};
    }
    return sqlite_status(db_, rc, sql);
  }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace rustguard::adapters
