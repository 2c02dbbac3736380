#pragma once
// The violation log over PostgreSQL (issue 16): PostgresRecordSink behind the
// log's LogDatabase interface, so the log keeps one durability contract for
// both engines (violation_log.hpp). What differs from a SQLite file:
//  - no lock file next to the database and no database bytes in disk_bytes():
//    the database is a server; the spill file (on this host) is locked and
//    counted instead;
//  - a fleet of logs shares the database, so every id this log reads or
//    closes is in its own instance's ranges (InstanceIds).
// A separate header so that only what uses PostgreSQL links libpq.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>

#include "rustguard/adapters/postgres_record_sink.hpp"
#include "rustguard/adapters/violation_log.hpp"

namespace rustguard::adapters {

class PostgresLogDatabase final : public LogDatabase {
 public:
  // Why a lock key: one PostgreSQL advisory lock per instance id, held by
  // the writer's connection for as long as it is open. Two proxies given
  // the same violation_log.instance_id would assign the same ids, and the
  // sink's ON CONFLICT DO NOTHING would then drop one's rows as "already
  // there" without a word; with the lock, the second one's batches fail
  // with a message that names the mistake, and wait in its spill file. The
  // server releases the lock when the connection ends, a killed proxy's too.
  static constexpr int kInstanceLockKey = 0x52474C47;  // "RGLG"

  PostgresLogDatabase(std::string conninfo, PostgresSinkOptions options, std::uint32_t instance = 0)
      : conninfo_(std::move(conninfo)), options_(options), instance_(instance) {}

  bool local_file() const noexcept override { return false; }
  std::string name() const override { return redacted_database(conninfo_); }
  bool is_open() const noexcept override { return sink_.is_open(); }
  LogDatabaseStatus open() override { return status(connect()); }
  void close() noexcept override { sink_.close(); }
  LogDatabaseStatus write(std::span<const StorageRecord> records) override { return status(sink_.write(records)); }

  LogDatabaseStatus close_crashed_sessions(const InstanceIds& ids, std::uint64_t first_id,
                                           std::uint64_t& closed) override {
    return status(sink_.close_crashed_sessions(first_id, {ids.counter_begin(), ids.counter_end()},
                                               {ids.clock_begin(), ids.clock_end()}, closed));
  }

  // Connects (and migrates) at start; the connection stays open for the
  // writer. A server that does not answer costs start() up to the connect
  // timeout, then the clock seeds the ids.
  bool read_max_id(const InstanceIds& ids, std::uint64_t& max_id) override {
    max_id = 0;
    if (!sink_.is_open() && !connect().ok()) return false;
    const PostgresRecordSink::IdRange ranges[] = {{ids.counter_begin(), ids.counter_end()},
                                                  {ids.clock_begin(), ids.clock_end()}};
    if (!sink_.max_id_in(ranges, max_id).ok()) {
      sink_.close();
      return false;
    }
    return true;
  }

 private:
  // Opens (and migrates), then takes this instance's lock.
  PgStatus connect() {
    if (PgStatus s = sink_.open(conninfo_, options_); !s.ok()) return s;
    std::int64_t got = 0;
    PgStatus s = sink_.connection().query_int("SELECT pg_try_advisory_lock(" + std::to_string(kInstanceLockKey) + ", " +
                                                  std::to_string(instance_) + ")::int",
                                              got, "instance lock");
    if (s.ok() && got != 1) {
      s = pg_error("violation_log.instance_id " + std::to_string(instance_) +
                   " is in use by another connection to this database (two proxies of a fleet need different "
                   "instance ids); the records wait in the spill file",
                   true);
    }
    if (!s.ok()) sink_.close();
    return s;
  }

  // A refused statement leaves the connection usable (the sink rolled the
  // transaction back); a lost one is opened again at the next attempt.
  LogDatabaseStatus status(const PgStatus& s) const {
    LogDatabaseStatus out;
    out.failed = !s.ok();
    out.keep_connection = !s.connection_lost && sink_.is_open();
    out.message = s.message;
    return out;
  }

  std::string conninfo_;
  PostgresSinkOptions options_;
  std::uint32_t instance_;
  PostgresRecordSink sink_;
};

// Makes `options` write to the PostgreSQL server at options.database_path (a
// postgresql:// URL or a key=value string). options.spill_path must be set:
// start() refuses a server database without one.
inline void use_postgres(ViolationLogOptions& options, PostgresSinkOptions pg = {}) {
  options.make_database = [pg](const ViolationLogOptions& o) -> std::unique_ptr<LogDatabase> {
    return std::make_unique<PostgresLogDatabase>(o.database_path, pg, o.ids.instance);
  };
}

}  // namespace rustguard::adapters
