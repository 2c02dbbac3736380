#pragma once
// Thin owning wrappers over sqlite3* and sqlite3_stmt*, plus the status value
// the storage adapters return: the SQLite result code and its message, so a
// caller can tell "locked, try again" from "read-only, reopen later".
//
// Every connection opened here goes through the "rustguard-unmapped" VFS: the
// default one with shared memory and memory-mapped I/O taken away. A page
// fault on a mapped file that the kernel cannot serve (file made immutable,
// file system gone read-only or failing) is SIGBUS, which kills the whole
// proxy; plain read()/write() turn the same fault into an error code that the
// violation log retries and spills. Without shared memory SQLite refuses WAL
// unless the connection holds an exclusive lock (then the WAL index lives in
// the heap), which leave_write_ahead_log() uses to convert old WAL files.

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rustguard::adapters {

namespace detail {

// Stand-ins for the mapping methods, in case SQLite ever calls one although
// the version number of the method table says they do not exist.
inline int refuse_shm_map(sqlite3_file*, int, int, int, void volatile** out) {
  *out = nullptr;
  return SQLITE_IOERR_SHMMAP;
}
inline int refuse_shm_lock(sqlite3_file*, int, int, int) { return SQLITE_IOERR_SHMLOCK; }
inline void ignore_shm_barrier(sqlite3_file*) {}
inline int ignore_shm_unmap(sqlite3_file*, int) { return SQLITE_OK; }
// A null page tells SQLite to read the page with xRead instead.
inline int decline_fetch(sqlite3_file*, sqlite3_int64, int, void** out) {
  *out = nullptr;
  return SQLITE_OK;
}
inline int ignore_unfetch(sqlite3_file*, sqlite3_int64, void*) { return SQLITE_OK; }

// The default VFS's method table for a file, copied with iVersion 1: SQLite
// then neither maps the file (xFetch is version 3) nor shares memory for a
// WAL index (xShm* are version 2). One copy per distinct original table; the
// copies live as long as the process because connections may close late.
inline const sqlite3_io_methods* unmapped_methods(const sqlite3_io_methods* original) {
  static std::mutex mutex;
  static auto* copies = new std::vector<std::pair<const sqlite3_io_methods*, sqlite3_io_methods*>>();
  std::lock_guard lock{mutex};
  for (const auto& [from, to] : *copies) {
    if (from == original) return to;
  }
  auto* copy = new sqlite3_io_methods(*original);
  copy->iVersion = 1;
  copy->xShmMap = refuse_shm_map;
  copy->xShmLock = refuse_shm_lock;
  copy->xShmBarrier = ignore_shm_barrier;
  copy->xShmUnmap = ignore_shm_unmap;
  copy->xFetch = decline_fetch;
  copy->xUnfetch = ignore_unfetch;
  copies->emplace_back(original, copy);
  return copy;
}

inline sqlite3_vfs* base_vfs(sqlite3_vfs* vfs) { return static_cast<sqlite3_vfs*>(vfs->pAppData); }

// The default VFS's functions take their own VFS pointer (the unix one reads
// its locking style from it), so each wrapper passes the base one on.
inline int unmapped_open(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  sqlite3_vfs* base = base_vfs(vfs);
  const int rc = base->xOpen(base, name, file, flags, out_flags);
  if (file->pMethods != nullptr) file->pMethods = unmapped_methods(file->pMethods);
  return rc;
}
inline int unmapped_delete(sqlite3_vfs* vfs, const char* name, int sync_dir) {
  return base_vfs(vfs)->xDelete(base_vfs(vfs), name, sync_dir);
}
inline int unmapped_access(sqlite3_vfs* vfs, const char* name, int flags, int* out) {
  return base_vfs(vfs)->xAccess(base_vfs(vfs), name, flags, out);
}
inline int unmapped_full_pathname(sqlite3_vfs* vfs, const char* name, int size, char* out) {
  return base_vfs(vfs)->xFullPathname(base_vfs(vfs), name, size, out);
}
inline void* unmapped_dl_open(sqlite3_vfs* vfs, const char* name) { return base_vfs(vfs)->xDlOpen(base_vfs(vfs), name); }
inline void unmapped_dl_error(sqlite3_vfs* vfs, int size, char* out) { base_vfs(vfs)->xDlError(base_vfs(vfs), size, out); }
inline void (*unmapped_dl_sym(sqlite3_vfs* vfs, void* handle, const char* symbol))(void) {
  return base_vfs(vfs)->xDlSym(base_vfs(vfs), handle, symbol);
}
inline void unmapped_dl_close(sqlite3_vfs* vfs, void* handle) { base_vfs(vfs)->xDlClose(base_vfs(vfs), handle); }
inline int unmapped_randomness(sqlite3_vfs* vfs, int size, char* out) {
  return base_vfs(vfs)->xRandomness(base_vfs(vfs), size, out);
}
inline int unmapped_sleep(sqlite3_vfs* vfs, int micros) { return base_vfs(vfs)->xSleep(base_vfs(vfs), micros); }
inline int unmapped_current_time(sqlite3_vfs* vfs, double* out) {
  return base_vfs(vfs)->xCurrentTime(base_vfs(vfs), out);
}
inline int unmapped_last_error(sqlite3_vfs* vfs, int size, char* out) {
  return base_vfs(vfs)->xGetLastError(base_vfs(vfs), size, out);
}
inline int unmapped_current_time_int64(sqlite3_vfs* vfs, sqlite3_int64* out) {
  sqlite3_vfs* base = base_vfs(vfs);
  if (base->iVersion >= 2 && base->xCurrentTimeInt64 != nullptr) return base->xCurrentTimeInt64(base, out);
  double days = 0;
  const int rc = base->xCurrentTime(base, &days);
  *out = static_cast<sqlite3_int64>(days * 86'400'000.0);
  return rc;
}

}  // namespace detail

// Registers the unmapped VFS once per process and returns its name, or null
// when SQLite has no default VFS to wrap (then nothing can be opened safely).
inline const char* unmapped_vfs_name() {
  static const char* const name = []() -> const char* {
    if (sqlite3_initialize() != SQLITE_OK) return nullptr;
    sqlite3_vfs* base = sqlite3_vfs_find(nullptr);
    if (base == nullptr) return nullptr;
    // Registered for the life of the process, like the default VFS itself.
    auto* vfs = new sqlite3_vfs{};
    vfs->iVersion = 2;
    vfs->szOsFile = base->szOsFile;
    vfs->mxPathname = base->mxPathname;
    vfs->zName = "rustguard-unmapped";
    vfs->pAppData = base;
    vfs->xOpen = detail::unmapped_open;
    vfs->xDelete = detail::unmapped_delete;
    vfs->xAccess = detail::unmapped_access;
    vfs->xFullPathname = detail::unmapped_full_pathname;
    vfs->xDlOpen = detail::unmapped_dl_open;
    vfs->xDlError = detail::unmapped_dl_error;
    vfs->xDlSym = detail::unmapped_dl_sym;
    vfs->xDlClose = detail::unmapped_dl_close;
    vfs->xRandomness = detail::unmapped_randomness;
    vfs->xSleep = detail::unmapped_sleep;
    vfs->xCurrentTime = detail::unmapped_current_time;
    vfs->xGetLastError = detail::unmapped_last_error;
    vfs->xCurrentTimeInt64 = detail::unmapped_current_time_int64;
    if (sqlite3_vfs_register(vfs, 0) != SQLITE_OK) return nullptr;
    return vfs->zName;
  }();
  return name;
}

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

  // Opens (creating if needed) for reading and writing, through the unmapped
  // VFS. SQLite silently falls back to read-only when the file cannot be
  // opened for writing; `writable` reports that, and a writer must treat it as
  // a failure.
  SqliteStatus open(const std::string& path, int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) {
    close();
    const char* vfs = unmapped_vfs_name();
    if (vfs == nullptr) {
      SqliteStatus s;
      s.code = SQLITE_CANTOPEN;
      s.message = "open " + path + ": cannot register the unmapped SQLite VFS";
      return s;
    }
    const int rc = sqlite3_open_v2(path.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX, vfs);
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

  // The first column of the first row as text ("" when there is no row).
  SqliteStatus query_text(const char* sql, std::string& out) {
    SqliteStatement stmt;
    if (auto s = prepare(sql, stmt); !s.ok()) return s;
    const int rc = sqlite3_step(stmt.get());
    out.clear();
    if (rc == SQLITE_ROW) {
      if (const unsigned char* t = sqlite3_column_text(stmt.get(), 0)) out = reinterpret_cast<const char*>(t);
      return {};
    }
    if (rc == SQLITE_DONE) return {};
    return sqlite_status(db_, rc, sql);
  }

 private:
  sqlite3* db_ = nullptr;
};

// True when `path` is a database that SQLite would open in WAL mode: its
// header says so (bytes 18 and 19 are 2) or a -wal file lies next to it,
// which SQLite replays on open. A missing or empty file is not.
inline bool uses_write_ahead_log(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  unsigned char header[20] = {};
  const ssize_t n = ::pread(fd, header, sizeof header, 0);
  ::close(fd);
  if (n <= 0) return false;
  if (n == static_cast<ssize_t>(sizeof header) && (header[18] == 2 || header[19] == 2)) return true;
  return ::access((path + "-wal").c_str(), F_OK) == 0;
}

// Earlier builds wrote in WAL mode. The unmapped VFS opens such a file only
// with an exclusive lock (WAL index in the heap, no -shm), so this switches it
// to `journal_mode` that way, once; afterwards ordinary connections work and
// readers may come and go. Fails with SQLITE_BUSY while another process still
// has the file open (the caller retries later). A file not in WAL mode is
// left alone.
inline SqliteStatus leave_write_ahead_log(const std::string& path, const char* journal_mode, int busy_timeout_ms) {
  if (!uses_write_ahead_log(path)) return {};
  SqliteDatabase db;
  if (auto s = db.open(path, SQLITE_OPEN_READWRITE); !s.ok()) return s;
  sqlite3_busy_timeout(db.get(), busy_timeout_ms);
  if (auto s = db.exec("PRAGMA locking_mode = EXCLUSIVE"); !s.ok()) return s;
  const std::string pragma = std::string{"PRAGMA journal_mode = "} + journal_mode;
  std::string mode;
  if (auto s = db.query_text(pragma.c_str(), mode); !s.ok()) return s;
  if (mode != journal_mode) {
    SqliteStatus s;
    s.code = SQLITE_BUSY;
    s.message = "leaving WAL mode for " + path + ": SQLite kept journal_mode " + mode;
    return s;
  }
  return {};
}

}  // namespace rustguard::adapters
