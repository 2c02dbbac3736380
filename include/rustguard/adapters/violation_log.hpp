#pragma once
// The violation log: packet threads hand it sessions, violations and actions
// without ever blocking; one writer thread stores them in batches in SQLite
// (SqliteLogDatabase below) or PostgreSQL (postgres_log_database.hpp), both
// behind the LogDatabase interface and under the same contract. The live
// proxy and the replay tool use it the same way.
//
// Durability contract (docs/database-schema.md has the long form):
//  - A call that returns an id (or true) has accepted the record. An accepted
//    record ends up in the database, or - while the database is locked or
//    unwritable - in the spill file next to it, which is imported once the
//    database is writable again. flush() and stop() return only when every
//    record accepted before the call is in one of the two.
//  - A record is refused (id 0 / false) only after stop() or when the channel
//    and its overflow are both full; refusals are counted as dropped and the
//    writer logs them.
//  - An accepted record is lost only when the database is unwritable and the
//    spill file cannot take it: it has reached max_spill_bytes, or it cannot
//    be written and more than memory_limit_rows records wait, or it still
//    cannot at stop(). Every such record is counted as dropped and logged as
//    an error; none is lost silently.
//  - A storage fault is an error code, never a signal: SQLite runs without
//    shared memory or memory-mapped I/O (sqlite_handle.hpp) and the spill
//    file is read with pread, so an immutable file, a read-only remount or a
//    failing disk cannot SIGBUS the process. Every SQLite error - busy,
//    read-only, I/O, full, cannot open, schema - is retried with backoff and
//    then spilled.
//  - Ids are assigned here, at acceptance, and every row is keyed by its id,
//    so a spill import that is cut short and redone, or a batch retried after
//    a commit that reported failure, writes nothing twice. Each instance
//    (violation_log.instance_id) assigns ids from its own ranges
//    (InstanceIds), so a fleet of logs on one PostgreSQL database never
//    assigns the same id twice.
//  - Sessions an earlier run left open (it crashed or was killed) are ended
//    at start, once that run's spill file is imported, with end_reason
//    'crashed' (SqliteRecordSink::close_crashed_sessions has the rule; on
//    PostgreSQL only sessions in this instance's id ranges).
//  - One log per SQLite file, and one per spill file: a second one (any
//    process) is refused via a lock file, because both would otherwise assign
//    the same ids (or append to the same spill file). On PostgreSQL, the
//    instance ids keep the logs of a fleet apart.

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <concepts>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "rustguard/adapters/bounded_channel.hpp"
#include "rustguard/adapters/log_level.hpp"
#include "rustguard/adapters/spill_file.hpp"
#include "rustguard/adapters/sqlite_record_sink.hpp"
#include "rustguard/adapters/storage_record.hpp"
#include "rustguard/adapters/thread_name.hpp"
#include "rustguard/adapters/violation_log_settings.hpp"
#include "rustguard/violation.hpp"

namespace rustguard::adapters {

// The tools plug their logger in here; the header stays free of one. Levels
// are the config's (rustguard::LogLevel); the log uses info, warn and error.
using LogCallback = std::function<void(rustguard::LogLevel, std::string_view)>;

// The ids one log instance assigns (config: violation_log.instance_id,
// 0..1023). Its counter runs in [instance * 2^40, (instance + 1) * 2^40);
// when the database cannot be read at start, ids continue from the clock in
// microseconds in [instance * 2^53 + 2^50, (instance + 1) * 2^53 - 1) instead
// (the clock is past 2^50 since 2005 and below 2^53 until 2255). No two
// instances' ranges overlap, the largest id still fits an int64, and for
// instance 0 both are what a single log always assigned (a counter from 1,
// the clock in microseconds), so existing databases keep their ids.
struct InstanceIds {
  static constexpr std::uint32_t kMaxInstance = 1023;
  static constexpr unsigned kCounterBits = 40;
  static constexpr unsigned kClockBits = 53;

  std::uint32_t instance = 0;

  std::uint64_t counter_begin() const noexcept { return std::uint64_t{instance} << kCounterBits; }
  std::uint64_t counter_end() const noexcept { return std::uint64_t{instance + 1} << kCounterBits; }
  std::uint64_t clock_begin() const noexcept {
    return (std::uint64_t{instance} << kClockBits) + (std::uint64_t{1} << 50);
  }
  // One short of the next instance's area, so that the last instance's end
  // is INT64_MAX: every bound fits the engines' signed 64-bit integers.
  std::uint64_t clock_end() const noexcept { return (std::uint64_t{instance + 1} << kClockBits) - 1; }
  bool owns(std::uint64_t id) const noexcept {
    return (id >= counter_begin() && id < counter_end()) || (id >= clock_begin() && id < clock_end());
  }
  // The first id of a run that cannot read the database.
  std::uint64_t from_clock(std::uint64_t now_us) const noexcept { return (std::uint64_t{instance} << kClockBits) + now_us; }
};

// The same answer from either engine: failed or not, the message, and
// whether the connection is fine (SQLite busy: another connection holds the
// lock) so the next attempt reuses it instead of opening a new one.
struct LogDatabaseStatus {
  bool failed = false;
  bool keep_connection = false;
  std::string message;

  bool ok() const noexcept { return !failed; }
};

// What the writer thread needs of a database. Two implementations:
// SqliteLogDatabase (below) and PostgresLogDatabase
// (postgres_log_database.hpp); the log itself is the same for both.
class LogDatabase {
 public:
  virtual ~LogDatabase() = default;
  // A file on this host: the log takes a lock file next to it and counts
  // its bytes in disk_bytes(). A server is neither.
  virtual bool local_file() const noexcept = 0;
  // The database as the log's messages name it (no password).
  virtual std::string name() const = 0;
  virtual bool is_open() const noexcept = 0;
  virtual LogDatabaseStatus open() = 0;
  virtual void close() noexcept = 0;
  virtual LogDatabaseStatus write(std::span<const StorageRecord> records) = 0;
  // Ends the sessions earlier runs of this instance left open: ids below
  // `first_id` (the first of this run) that `ids` owns.
  virtual LogDatabaseStatus close_crashed_sessions(const InstanceIds& ids, std::uint64_t first_id,
                                                   std::uint64_t& closed) = 0;
  // At start: the largest id `ids` owns in the database (0: none). False
  // when the database cannot be read; the log then seeds from the clock.
  virtual bool read_max_id(const InstanceIds& ids, std::uint64_t& max_id) = 0;
};

// A SQLite file on this host, through SqliteRecordSink.
class SqliteLogDatabase final : public LogDatabase {
 public:
  SqliteLogDatabase(std::string path, SqliteSinkOptions options) : path_(std::move(path)), options_(options) {}

  bool local_file() const noexcept override { return true; }
  std::string name() const override { return path_; }
  bool is_open() const noexcept override { return sink_.is_open(); }
  LogDatabaseStatus open() override { return status(sink_.open(path_, options_)); }
  void close() noexcept override { sink_.close(); }
  LogDatabaseStatus write(std::span<const StorageRecord> records) override { return status(sink_.write(records)); }

  // One log per file (the lock file), so every open session below first_id
  // was left by an earlier run of this log: SqliteRecordSink's rule as is.
  LogDatabaseStatus close_crashed_sessions(const InstanceIds&, std::uint64_t first_id,
                                           std::uint64_t& closed) override {
    return status(sink_.close_crashed_sessions(first_id, closed));
  }

  // Read-only, so that start() never creates the file or waits for a writer.
  bool read_max_id(const InstanceIds& ids, std::uint64_t& max_id) override {
    max_id = 0;
    if (::access(path_.c_str(), F_OK) != 0 && errno == ENOENT) return true;  // no file yet: no ids yet
    // A WAL file from an earlier build opens only once converted; if that
    // fails now (another process has it open), the clock seeds the ids.
    (void)leave_write_ahead_log(path_, kJournalMode, options_.busy_timeout_ms);
    SqliteDatabase probe;
    std::int64_t version = 0;
    if (!probe.open(path_, SQLITE_OPEN_READONLY).ok() || !read_schema_version(probe, version).ok()) return false;
    if (version == 0) return true;  // a fresh file: no ids yet
    // Each table's largest id in each of the instance's ranges: rowid range
    // look-ups, however many rows the tables hold.
    std::string sql = "SELECT max(m) FROM (";
    const char* sep = "";
    for (const char* table : {"sessions", "violations", "actions"}) {
      for (const auto& [lo, hi] : {std::pair{ids.counter_begin(), ids.counter_end()},
                                   std::pair{ids.clock_begin(), ids.clock_end()}}) {
        sql += sep;
        sql += std::string{"SELECT max(id) AS m FROM "} + table + " WHERE id >= " + std::to_string(lo) +
               " AND id < " + std::to_string(hi);
        sep = " UNION ALL ";
      }
    }
    sql += ")";
    std::int64_t v = 0;
    if (!probe.query_int(sql.c_str(), v).ok()) return false;
    max_id = v > 0 ? static_cast<std::uint64_t>(v) : 0;
    return true;
  }

 private:
  static LogDatabaseStatus status(const SqliteStatus& s) {
    LogDatabaseStatus out;
    out.failed = !s.ok();
    out.keep_connection = s.busy();
    out.message = s.message;
    return out;
  }

  std::string path_;
  SqliteSinkOptions options_;
  SqliteRecordSink sink_;
};

struct ViolationLogOptions {
  std::string database_path;  // a SQLite file, or what make_database connects to
  std::string spill_path;     // empty: database_path + ".spill" (start() requires one for a server)
  InstanceIds ids;
  // The database the log writes; empty: SQLite at database_path
  // (SqliteLogDatabase). use_postgres() (postgres_log_database.hpp) sets a
  // PostgreSQL one.
  std::function<std::unique_ptr<LogDatabase>(const ViolationLogOptions&)> make_database;

  // A batch is written when it holds flush_rows records or its oldest record
  // has waited flush_interval, whichever comes first.
  std::chrono::milliseconds flush_interval{250};
  std::size_t flush_rows = 4096;

  // The lock-free hand-off between packet threads and the writer. Every slot
  // is built up front (a StorageRecord is 240 bytes): 65,536 slots were
  // 16 MB of the idle proxy's 23 MB RSS. 8,192 slots (2 MB) take a burst of
  // 8,192 records between two writer wake-ups; beyond that, records wait in
  // the overflow list below, none is lost.
  std::size_t channel_capacity = 1 << 13;
  // Records parked beyond a full channel (a mutex-guarded list the producer
  // touches only in that case). Past this, records are refused and counted.
  std::size_t overflow_capacity = 1 << 20;

  // Retry schedule while the database is locked or unwritable.
  std::chrono::milliseconds retry_initial{50};
  std::chrono::milliseconds retry_max{2000};
  // Spill once the database has failed this long, or this many records wait.
  std::chrono::milliseconds spill_after{5000};
  std::size_t spill_after_rows = 1 << 18;
  // When even the spill file cannot be written, at most this many records
  // wait in memory; older ones beyond it are dropped (counted and logged).
  std::size_t memory_limit_rows = 1 << 22;

  // The spill file never grows past this. A batch that does not fit is lost:
  // counted in `dropped` and logged as an error, never silently.
  std::uint64_t max_spill_bytes = std::uint64_t{256} << 20;

  std::size_t import_batch_rows = 16384;
  SqliteSinkOptions sqlite;
  LogCallback log;
};

// Totals since start; cheap to read from any thread.
struct ViolationLogCounters {
  std::uint64_t accepted = 0;    // records taken by the producer API
  std::uint64_t written = 0;     // records committed straight to the database
  std::uint64_t batches = 0;     // committed transactions for those
  std::uint64_t retried = 0;     // failed database attempts that were retried
  std::uint64_t spilled = 0;     // records appended to the spill file
  std::uint64_t imported = 0;    // spill records applied to the database
  std::uint64_t overflowed = 0;  // records that went through the overflow list
  std::uint64_t dropped = 0;     // records lost (channel and overflow full, spill file full, or unsavable); logged
  std::uint64_t rejected = 0;    // calls made after stop(); the caller got 0 / false
  std::uint64_t spill_skipped_bytes = 0;  // torn or corrupt spill bytes skipped
  std::uint64_t spill_backlog = 0;  // records in the spill file now, waiting for import (not a total)
  std::uint64_t writer_turns = 0;   // times the writer thread looked for work (idle: about once a second)
};

// What a tool logs after stop(), and at which level: error when accepted
// records were lost, warn when some still wait in the spill file (the next
// start imports them), info otherwise - including when records went through
// the spill file and were imported before the stop.
struct ViolationLogReport {
  rustguard::LogLevel level = rustguard::LogLevel::info;
  std::string text;
};

class ViolationLog {
 public:
  // Takes the lock file, reads the highest id in the database and spill,
  // and starts the writer thread. The database itself may be unavailable at
  // this point: the writer keeps retrying (and spilling). Fails only when the
  // lock cannot be taken (another log owns the file) or created, when the
  // instance id is out of range, or when a server database has no spill path.
  static std::unique_ptr<ViolationLog> start(ViolationLogOptions options, std::string& error) {
    if (options.ids.instance > InstanceIds::kMaxInstance) {
      error = "instance id " + std::to_string(options.ids.instance) + " is above " +
              std::to_string(InstanceIds::kMaxInstance);
      return nullptr;
    }
    if (!options.make_database && is_database_url(options.database_path)) {
      // Not a file name: SQLite would fail at every attempt, quietly spilling.
      error = "a postgresql:// database needs the PostgreSQL violation log (use_postgres(), "
              "postgres_log_database.hpp), which this program is built without";
      return nullptr;
    }
    std::unique_ptr<ViolationLog> log{new ViolationLog(std::move(options))};
    if (!log->database_->local_file() && log->options_.spill_path.empty()) {
      error = "a spill path is needed for " + log->database_->name() + " (violation_log.spill_path)";
      return nullptr;
    }
    if (!log->take_lock(error)) return nullptr;
    log->seed_ids();
    log->sample_disk_use();
    log->thread_ = std::thread([raw = log.get()] {
      name_this_thread("rg-violations");
      raw->run();
    });
    return log;
  }

  ViolationLog(const ViolationLog&) = delete;
  ViolationLog& operator=(const ViolationLog&) = delete;
  ~ViolationLog() {
    stop();
    if (lock_fd_ >= 0) ::close(lock_fd_);
  }

  // ---- producer API: any thread, never blocks --------------------------------

  // Registers a session and returns its id (0: refused). `session.id` is ignored.
  std::uint64_t begin_session(SessionStart session) {
    session.id = next_id_.fetch_add(1, std::memory_order_relaxed);
    const std::uint64_t id = session.id;
    return submit(StorageRecord{std::move(session)}) ? id : 0;
  }
  bool set_client_brand(std::uint64_t session_id, std::string brand) {
    return submit(StorageRecord{SessionBrand{session_id, std::move(brand)}});
  }
  bool end_session(std::uint64_t session_id, std::int64_t end_ms) {
    return submit(StorageRecord{SessionEnd{session_id, end_ms}});
  }
  // Returns the violation's id (for an action to refer to), or 0: refused.
  std::uint64_t log_violation(Violation violation) {
    const std::uint64_t id = next_id_.fetch_add(1, std::memory_order_relaxed);
    return submit(StorageRecord{ViolationRecord{id, std::move(violation)}}) ? id : 0;
  }
  // Returns the action's id, or 0: refused. `action.id` is ignored.
  std::uint64_t log_action(ActionRecord action) {
    action.id = next_id_.fetch_add(1, std::memory_order_relaxed);
    const std::uint64_t id = action.id;
    return submit(StorageRecord{std::move(action)}) ? id : 0;
  }

  // ---- control ---------------------------------------------------------------

  // Blocks until every record accepted before the call is in the database or
  // the spill file. False when some could be stored in neither (logged).
  bool flush() {
    std::unique_lock lock{mutex_};
    if (stopped_) return unsaved_ == 0;
    const std::uint64_t ticket = ++flush_requested_;
    wake_.notify_all();
    done_.wait(lock, [&] { return flush_done_ >= ticket || stopped_; });
    return unsaved_ == 0;
  }

  // Refuses new records, stores everything accepted, stops the writer thread.
  // Idempotent. The tools call it on SIGTERM (from a normal thread, not from
  // the signal handler).
  void stop() {
    accepting_.store(false);
    // A producer that saw accepting_ == true is counted in in_flight_ until
    // its record is in the channel; wait for those before the last drain.
    while (in_flight_.load() != 0) std::this_thread::yield();
    {
      std::lock_guard lock{mutex_};
      stop_requested_ = true;
      wake_.notify_all();
    }
    if (thread_.joinable()) thread_.join();
  }

  ViolationLogCounters counters() const noexcept {
    ViolationLogCounters c;
    c.accepted = accepted_.load(std::memory_order_relaxed);
    c.written = written_.load(std::memory_order_relaxed);
    c.batches = batches_.load(std::memory_order_relaxed);
    c.retried = retried_.load(std::memory_order_relaxed);
    c.spilled = spilled_.load(std::memory_order_relaxed);
    c.imported = imported_.load(std::memory_order_relaxed);
    c.overflowed = overflowed_.load(std::memory_order_relaxed);
    c.dropped = dropped_.load(std::memory_order_relaxed) + lost_.load(std::memory_order_relaxed);
    c.rejected = rejected_.load(std::memory_order_relaxed);
    c.spill_skipped_bytes = spill_skipped_.load(std::memory_order_relaxed);
    c.spill_backlog = spill_backlog_.load(std::memory_order_relaxed);
    c.writer_turns = writer_turns_.load(std::memory_order_relaxed);
    return c;
  }

  // Bytes the log occupies on disk now: the database, its journal (and a
  // -wal left by an earlier build) and the spill file. Sampled by the writer
  // thread after each write and at least once a second; reading it is one
  // atomic load.
  std::uint64_t disk_bytes() const noexcept { return disk_bytes_.load(std::memory_order_relaxed); }

  // For the tools, after stop(): see ViolationLogReport.
  ViolationLogReport stop_report() const {
    const ViolationLogCounters c = counters();
    ViolationLogReport r;
    if (c.dropped != 0) {
      r.level = LogLevel::error;
      r.text = std::to_string(c.dropped) + " records lost (dropped; the log says why)";
    }
    if (c.spill_backlog != 0) {
      if (r.level != LogLevel::error) r.level = LogLevel::warn;
      if (!r.text.empty()) r.text += "; ";
      r.text += std::to_string(c.spill_backlog) + " records wait in " + spill_.path() +
                " (the database was not writable; the next start imports them)";
    }
    if (r.text.empty()) {
      r.text = std::to_string(c.written + c.imported) + " records written";
      if (c.imported != 0) r.text += " (" + std::to_string(c.imported) + " of them through the spill file)";
    }
    return r;
  }

  const std::string& spill_path() const noexcept { return spill_.path(); }

 private:
  using Clock = std::chrono::steady_clock;

  explicit ViolationLog(ViolationLogOptions options)
      : options_(std::move(options)),
        channel_(options_.channel_capacity),
        spill_(options_.spill_path.empty() ? options_.database_path + ".spill" : options_.spill_path) {
    database_ = options_.make_database ? options_.make_database(options_)
                                       : std::make_unique<SqliteLogDatabase>(options_.database_path, options_.sqlite);
    if (options_.flush_rows == 0) options_.flush_rows = 1;
    if (options_.import_batch_rows == 0) options_.import_batch_rows = 1;
    backoff_ = options_.retry_initial;
  }

  void log(LogLevel level, const std::string& message) const {
    if (options_.log) options_.log(level, message);
  }

  // Next to the SQLite file; for a server, next to the spill file, which is
  // this host's part of the log.
  bool take_lock(std::string& error) {
    const std::string locked = database_->local_file() ? options_.database_path : spill_.path();
    const std::string path = locked + ".writer-lock";
    lock_fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock_fd_ < 0) {
      error = "open " + path + ": " + std::strerror(errno);
      return false;
    }
    if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
      error = "another violation log is writing " + locked + " (" + path + " is locked)";
      return false;
    }
    return true;
  }

  // Ids continue after the largest one of this instance stored anywhere
  // (InstanceIds). If the database cannot even be read, the wall clock in
  // microseconds stands in: it outruns any earlier run's counter because no
  // run assigns a million ids per second.
  void seed_ids() {
    std::uint64_t max_id = 0;
    bool known = database_->read_max_id(options_.ids, max_id);
    SpillReadStats stats;
    std::string error;
    std::uint64_t spill_max = 0;
    const auto own_max = [&](StorageRecord&& r) {
      if (const std::uint64_t id = record_id(r); options_.ids.owns(id)) spill_max = std::max(spill_max, id);
      return true;
    };
    if (!read_spill_file(spill_.path(), own_max, nullptr, stats, error)) {
      log(LogLevel::error, "cannot read spill file to seed ids: " + error);
      known = false;
    }
    max_id = std::max(max_id, spill_max);
    spill_mode_ = stats.records > 0 || stats.skipped_bytes > 0;
    spill_backlog_.store(stats.records, std::memory_order_relaxed);
    if (!known) {
      const auto now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
      max_id = std::max(max_id, options_.ids.from_clock(static_cast<std::uint64_t>(now_us)));
      log(LogLevel::warn, "database " + database_->name() + " unreadable at start; ids continue from the clock");
    }
    max_id = std::max(max_id, options_.ids.counter_begin());
    next_id_.store(max_id + 1);
    first_id_ = max_id + 1;
  }

  void sample_disk_use() {
    std::uint64_t total = 0;
    std::vector<std::string> paths{spill_.path()};
    if (database_->local_file()) {
      paths.insert(paths.end(), {options_.database_path, options_.database_path + "-journal",
                                 options_.database_path + "-wal"});
    }
    for (const std::string& path : paths) {
      struct stat st {};
      if (::stat(path.c_str(), &st) == 0) total += static_cast<std::uint64_t>(st.st_size);
    }
    disk_bytes_.store(total, std::memory_order_relaxed);
  }

  bool submit(StorageRecord&& record) {
    in_flight_.fetch_add(1);
    if (!accepting_.load()) {
      in_flight_.fetch_sub(1);
      rejected_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    bool ok = channel_.try_push(record);
    if (!ok) {
      std::lock_guard lock{overflow_mutex_};
      if (overflow_.size() < options_.overflow_capacity) {
        overflow_.push_back(std::move(record));
        overflowed_.fetch_add(1, std::memory_order_relaxed);
        ok = true;
      }
    }
    if (ok) {
      // Sequentially consistent, as is the read of parked_ after it: either
      // a parking writer sees this record counted, or this sees it parked
      // (park_until_submitted).
      accepted_.fetch_add(1);
      if (parked_.load()) {
        std::lock_guard lock{mutex_};
        wake_.notify_all();
      }
    } else {
      dropped_.fetch_add(1, std::memory_order_relaxed);
    }
    in_flight_.fetch_sub(1);
    return ok;
  }

  // Moves up to `limit` waiting records into pending_; true when nothing was
  // left waiting (at that moment).
  bool drain(std::size_t limit) {
    std::size_t taken = 0;
    while (taken < limit) {
      auto r = channel_.try_pop();
      if (!r) break;
      pending_.push_back(std::move(*r));
      ++taken;
    }
    if (taken < limit) {
      std::lock_guard lock{overflow_mutex_};
      while (taken < limit && !overflow_.empty()) {
        pending_.push_back(std::move(overflow_.front()));
        overflow_.pop_front();
        ++taken;
      }
    }
    if (taken > 0 && !oldest_pending_) oldest_pending_ = Clock::now();
    drained_ += taken;
    return taken < limit;
  }

  bool ensure_sink() {
    if (database_->is_open()) return true;
    if (auto s = database_->open(); !s.ok()) {
      last_error_ = s.message;
      return false;
    }
    return true;
  }

  void note_failure(Clock::time_point now, const std::string& what) {
    retried_.fetch_add(1, std::memory_order_relaxed);
    if (!failing_since_) {
      failing_since_ = now;
      log(LogLevel::warn, what + " failed, will retry: " + last_error_);
    }
    next_attempt_ = now + backoff_;
    backoff_ = std::min(backoff_ * 2, options_.retry_max);
  }

  void note_success() {
    if (failing_since_) log(LogLevel::info, "database " + database_->name() + " is writable again");
    failing_since_.reset();
    backoff_ = options_.retry_initial;
    next_attempt_ = {};
  }

  bool write_pending(Clock::time_point now) {
    if (ensure_sink()) {
      const LogDatabaseStatus s = database_->write(pending_);
      if (s.ok()) {
        written_.fetch_add(pending_.size(), std::memory_order_relaxed);
        batches_.fetch_add(1, std::memory_order_relaxed);
        disk_changed_ = true;
        pending_.clear();
        oldest_pending_.reset();
        note_success();
        return true;
      }
      last_error_ = s.message;
      // Locked (SQLite) or a refused statement (PostgreSQL): the connection
      // is fine, just wait. Anything else (read-only, I/O error, schema
      // trouble, a lost connection): reopen from scratch on the next attempt.
      if (!s.keep_connection) database_->close();
    }
    note_failure(now, "writing " + std::to_string(pending_.size()) + " records");
    return false;
  }

  bool spill_pending(Clock::time_point now) {
    std::string error;
    std::size_t fitted = 0;
    if (spill_.append(pending_, error, fitted, options_.max_spill_bytes)) {
      spilled_.fetch_add(fitted, std::memory_order_relaxed);
      spill_backlog_.fetch_add(fitted, std::memory_order_relaxed);
      disk_changed_ = true;
      if (!spill_mode_) {
        log(LogLevel::warn, "database unavailable (" + last_error_ + "); spilling to " + spill_.path());
      }
      spill_mode_ = true;
      if (fitted < pending_.size()) {
        const std::size_t refused = pending_.size() - fitted;
        lost_.fetch_add(refused, std::memory_order_relaxed);
        spill_refused_unlogged_ += refused;
        report_spill_refusals(now);
      }
      pending_.clear();
      oldest_pending_.reset();
      return true;
    }
    log(LogLevel::error, "cannot spill " + std::to_string(pending_.size()) + " records: " + error);
    if (pending_.size() > options_.memory_limit_rows) {
      const std::size_t excess = pending_.size() - options_.memory_limit_rows;
      pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(excess));
      lost_.fetch_add(excess, std::memory_order_relaxed);
      log(LogLevel::error, "dropped " + std::to_string(excess) +
                               " records: neither the database nor the spill file is writable");
    }
    return false;
  }

  // Records refused because the spill file is at max_spill_bytes: the first
  // refusal is logged at once, later ones summed into one line per interval,
  // so a flood of violations cannot flood the log too.
  void report_spill_refusals(Clock::time_point now) {
    if (spill_refused_unlogged_ == 0) return;
    if (last_refusal_log_ && now - *last_refusal_log_ < kRefusalLogInterval) return;
    log(LogLevel::error, "dropped " + std::to_string(spill_refused_unlogged_) + " records: the database is not writable (" +
                             last_error_ + ") and the spill file " + spill_.path() +
                             " has reached violation_log.max_spill_bytes (" +
                             std::to_string(options_.max_spill_bytes) + " bytes)");
    spill_refused_unlogged_ = 0;
    last_refusal_log_ = now;
  }

  // Ends sessions an earlier run left open, once per run, as soon as the
  // database is writable and holds everything that run stored: after its
  // spill file (which may hold the sessions' ends) has been imported.
  bool close_crashed_sessions(Clock::time_point now) {
    if (!ensure_sink()) {
      note_failure(now, "closing sessions left open by an earlier run");
      return false;
    }
    std::uint64_t closed = 0;
    const LogDatabaseStatus s = database_->close_crashed_sessions(options_.ids, first_id_, closed);
    if (!s.ok()) {
      last_error_ = s.message;
      if (!s.keep_connection) database_->close();
      note_failure(now, "closing sessions left open by an earlier run");
      return false;
    }
    sessions_recovered_ = true;
    if (closed != 0) {
      disk_changed_ = true;
      log(LogLevel::warn, "closed " + std::to_string(closed) +
                              " sessions an earlier run left open (it stopped without ending them); marked "
                              "end_reason = 'crashed'");
    }
    note_success();
    return true;
  }

  // Applies the spill file to the database, then removes it. Each chunk is
  // its own transaction; a chunk committed before a failure (or a crash) is
  // simply applied again next time, which changes nothing.
  bool import_spill(Clock::time_point now) {
    spill_.close();
    if (!ensure_sink()) {
      note_failure(now, "importing the spill file");
      return false;
    }
    std::vector<StorageRecord> chunk;
    chunk.reserve(options_.import_batch_rows);
    bool db_ok = true;
    std::uint64_t applied = 0;
    const auto apply_chunk = [&] {
      if (chunk.empty()) return true;
      const LogDatabaseStatus s = database_->write(chunk);
      if (!s.ok()) {
        last_error_ = s.message;
        if (!s.keep_connection) database_->close();
        return false;
      }
      applied += chunk.size();
      chunk.clear();
      return true;
    };
    SpillReadStats stats;
    std::string error;
    const bool read_ok = read_spill_file(
        spill_.path(),
        [&](StorageRecord&& r) {
          chunk.push_back(std::move(r));
          if (chunk.size() >= options_.import_batch_rows) db_ok = apply_chunk();
          return db_ok;
        },
        [&](std::size_t offset, std::size_t bytes) {
          log(LogLevel::warn, "spill file " + spill_.path() + ": skipped " + std::to_string(bytes) +
                                  " damaged bytes at offset " + std::to_string(offset) + " (torn or corrupt entry)");
        },
        stats, error);
    if (!read_ok) {
      last_error_ = error;
      note_failure(now, "reading the spill file");
      return false;
    }
    if (db_ok) db_ok = apply_chunk();
    if (!db_ok) {
      note_failure(now, "importing the spill file");
      return false;
    }
    if (::unlink(spill_.path().c_str()) != 0 && errno != ENOENT) {
      last_error_ = "unlink " + spill_.path() + ": " + std::strerror(errno);
      note_failure(now, "removing the imported spill file");
      return false;
    }
    imported_.fetch_add(applied, std::memory_order_relaxed);
    spill_backlog_.store(0, std::memory_order_relaxed);
    spill_skipped_.fetch_add(stats.skipped_bytes, std::memory_order_relaxed);
    disk_changed_ = true;
    if (stats.exists) {
      log(LogLevel::info, "imported " + std::to_string(applied) + " records from " + spill_.path());
    }
    spill_mode_ = false;
    note_success();
    return true;
  }

  bool healthy_now() const noexcept { return !failing_since_ && !spill_mode_; }

  // Nothing waits to be written and nothing is failing: sleep until a
  // producer submits (submit() wakes a parked writer), a flush or stop, or
  // `until` (the next disk sample). Polling every kBusyPoll instead woke the
  // thread 100 times a second with nothing to do, on the cores the io threads
  // share (docs/benchmarks.md, "Watchdogs on a grid"). Called with mutex_
  // held; producers notify under it, so no wake-up falls between the check
  // and the wait. A producer counts its record after pushing it: more
  // counted than drained means something to take; otherwise any record not
  // yet counted belongs to a producer that will see parked_ once it counts.
  void park_until_submitted(std::unique_lock<std::mutex>& lock, Clock::time_point until) {
    parked_.store(true);
    if (accepted_.load() <= drained_) wake_.wait_until(lock, until);
    parked_.store(false);
  }

  void run() {
    std::uint64_t dropped_logged = 0;
    for (;;) {
      writer_turns_.fetch_add(1, std::memory_order_relaxed);
      std::uint64_t flush_ticket = 0;
      bool stopping = false;
      {
        std::lock_guard lock{mutex_};
        flush_ticket = flush_requested_;
        stopping = stop_requested_;
      }
      const bool urgent = stopping || flush_ticket > flush_done_seen_;
      const bool healthy = healthy_now();
      // Healthy: build batches of flush_rows (a flush or stop loops until the
      // backlog is gone). Otherwise take everything so the producers' channel
      // stays free while the database is away.
      bool exhausted = true;
      if (!healthy) {
        exhausted = drain(SIZE_MAX);
      } else if (pending_.size() < options_.flush_rows) {
        exhausted = drain(options_.flush_rows - pending_.size());
        // More already waiting: the writer is behind. Fewer, larger
        // transactions catch up faster, because every commit pays for the
        // journal's and the database's syncs.
        if (!exhausted) exhausted = drain(options_.flush_rows * (kBacklogBatchFactor - 1));
      } else {
        exhausted = false;  // not looked; check again after this batch
      }
      const auto now = Clock::now();

      if (spill_mode_ && (urgent || now >= next_attempt_)) import_spill(now);
      const bool attempt = urgent || now >= next_attempt_;
      // A failed recovery counts as a failed write: the batch below is not
      // tried again in the same turn but may be spilled.
      bool database_ok = true;
      if (!sessions_recovered_ && !spill_mode_ && attempt) database_ok = close_crashed_sessions(now);

      const bool due = pending_.size() >= options_.flush_rows ||
                       (oldest_pending_ && now - *oldest_pending_ >= options_.flush_interval);
      if (!pending_.empty() && (due || urgent)) {
        if (spill_mode_) {
          spill_pending(now);
        } else if (attempt) {
          if (!database_ok || !write_pending(now)) {
            const bool over = urgent || pending_.size() >= options_.spill_after_rows ||
                              (failing_since_ && now - *failing_since_ >= options_.spill_after);
            if (over) spill_pending(now);
          }
        }
      }
      report_spill_refusals(now);
      if (disk_changed_ || now >= next_disk_sample_) {
        sample_disk_use();
        disk_changed_ = false;
        next_disk_sample_ = now + kDiskSampleInterval;
      }

      const std::uint64_t dropped = dropped_.load(std::memory_order_relaxed);
      if (dropped > dropped_logged) {
        log(LogLevel::error, "dropped " + std::to_string(dropped - dropped_logged) +
                                 " records: channel and overflow list full");
        dropped_logged = dropped;
      }

      if (urgent && !exhausted && pending_.empty()) continue;  // more backlog to write first
      if (urgent && pending_.empty()) {
        std::lock_guard lock{mutex_};
        flush_done_seen_ = flush_ticket;
        flush_done_ = flush_ticket;
        unsaved_ = 0;
        done_.notify_all();
      } else if (urgent) {
        // Neither database nor spill took it: report, keep trying.
        std::lock_guard lock{mutex_};
        unsaved_ = pending_.size();
        flush_done_seen_ = flush_ticket;
        flush_done_ = flush_ticket;
        done_.notify_all();
      }
      if (stopping) break;

      if (channel_.size_approx() >= options_.flush_rows) continue;
      std::unique_lock lock{mutex_};
      if (flush_requested_ != flush_ticket || stop_requested_) continue;
      if (pending_.empty() && healthy_now() && spill_refused_unlogged_ == 0) {
        park_until_submitted(lock, next_disk_sample_);
      } else {
        wake_.wait_for(lock, kBusyPoll);  // a batch filling up, or a database to try again
      }
    }
    // Stopping with records neither stored nor spilled: they are lost; say so.
    if (!pending_.empty()) {
      lost_.fetch_add(pending_.size(), std::memory_order_relaxed);
      log(LogLevel::error, "stopped with " + std::to_string(pending_.size()) +
                               " records that neither the database nor the spill file accepted");
      pending_.clear();
    }
    database_->close();
    spill_.close();
    if (spill_refused_unlogged_ != 0) {
      last_refusal_log_.reset();
      report_spill_refusals(Clock::now());
    }
    sample_disk_use();
    std::lock_guard lock{mutex_};
    stopped_ = true;
    done_.notify_all();
  }

  ViolationLogOptions options_;
  BoundedChannel<StorageRecord> channel_;
  std::mutex overflow_mutex_;
  std::deque<StorageRecord> overflow_;

  std::atomic<bool> accepting_{true};
  std::atomic<std::uint64_t> in_flight_{0};
  std::atomic<std::uint64_t> next_id_{1};
  std::atomic<bool> parked_{false};  // the writer sleeps until submit() wakes it
  std::uint64_t drained_ = 0;           // records the writer took from the channel and overflow list
  std::atomic<std::uint64_t> accepted_{0}, written_{0}, batches_{0}, retried_{0}, spilled_{0}, imported_{0},
      overflowed_{0}, dropped_{0}, lost_{0}, rejected_{0}, spill_skipped_{0};
  std::atomic<std::uint64_t> spill_backlog_{0};
  std::atomic<std::uint64_t> writer_turns_{0};
  std::atomic<std::uint64_t> disk_bytes_{0};

  // Control, guarded by mutex_.
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  std::uint64_t flush_requested_ = 0;
  std::uint64_t flush_done_ = 0;
  std::size_t unsaved_ = 0;
  bool stop_requested_ = false;
  bool stopped_ = false;

  // Writer thread only (seed_ids() runs before it starts).
  std::unique_ptr<LogDatabase> database_;
  SpillWriter spill_;
  std::vector<StorageRecord> pending_;
  std::optional<Clock::time_point> oldest_pending_;
  std::optional<Clock::time_point> failing_since_;
  Clock::time_point next_attempt_{};
  std::chrono::milliseconds backoff_{};
  std::uint64_t flush_done_seen_ = 0;
  bool spill_mode_ = false;
  std::string last_error_;
  // Ids below this were assigned by earlier runs (crash recovery).
  std::uint64_t first_id_ = 1;
  bool sessions_recovered_ = false;
  static constexpr std::size_t kBacklogBatchFactor = 4;  // a batch holds at most this many flush_rows
  static constexpr std::chrono::seconds kDiskSampleInterval{1};
  static constexpr std::chrono::milliseconds kBusyPoll{10};
  Clock::time_point next_disk_sample_{};
  bool disk_changed_ = false;
  static constexpr std::chrono::seconds kRefusalLogInterval{10};
  std::uint64_t spill_refused_unlogged_ = 0;
  std::optional<Clock::time_point> last_refusal_log_;

  int lock_fd_ = -1;
  std::thread thread_;
};

// The options both tools start the log with: the database path and the
// `violation_log:` settings from config.yml.
inline ViolationLogOptions violation_log_options(std::string database, const ViolationLogSettings& settings,
                                                 LogCallback log = {}) {
  ViolationLogOptions o;
  o.database_path = std::move(database);
  o.flush_interval = std::chrono::milliseconds(settings.flush_interval_ms);
  o.flush_rows = settings.flush_rows;
  o.retry_max = std::chrono::milliseconds(settings.retry_max_ms);
  o.spill_after = std::chrono::milliseconds(settings.spill_after_ms);
  o.spill_after_rows = settings.spill_after_rows;
  o.max_spill_bytes = settings.max_spill_bytes;
  o.ids.instance = settings.instance_id;
  // Unchanged for a SQLite file without spill_path: start() derives the same.
  if (!settings.spill_path.empty() || is_database_url(o.database_path)) {
    o.spill_path = violation_spill_path(o.database_path, settings);
  }
  o.log = std::move(log);
  return o;
}

// The same from the whole config (adapters/config.hpp's Config, which this
// header does not include: the log needs only its own settings).
template <class WholeConfig>
  requires requires(const WholeConfig& c) {
    { c.database } -> std::convertible_to<std::string>;
    { c.violation_log } -> std::convertible_to<ViolationLogSettings>;
  }
ViolationLogOptions violation_log_options(const WholeConfig& config, LogCallback log = {}) {
  return violation_log_options(config.database, config.violation_log, std::move(log));
}

}  // namespace rustguard::adapters
