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
  PostgresLogDatabase(std::string conninfo, PostgresSinkOptions options)
      : conninfo_(std::move(conninfo)), options_(options) {}

  bool local_file() const noexcept override { return false; }
  std::string name() const override { return redacted_database(conninfo_); }
  bool is_open() const noexcept override { return sink_.is_open(); }
  LogDatabaseStatus open() override { return status(sink_.open(conninfo_, options_)); }
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
    if (!sink_.is_open() && !sink_.open(conninfo_, options_).ok()) return false;
    const PostgresRecordSink::IdRange ranges[] = {{ids.counter_begin(), ids.counter_end()},
                                                  {ids.clock_begin(), ids.clock_end()}};
    if (!sink_.max_id_in(ranges, max_id).ok()) {
      sink_.close();
      return false;
    }
    return true;
  }

 private:
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
  PostgresRecordSink sink_;
};

// Makes `options` write to the PostgreSQL server at options.database_path (a
// postgresql:// URL or a key=value string). options.spill_path must be set:
// start() refuses a server database without one.
inline void use_postgres(ViolationLogOptions& options, PostgresSinkOptions pg = {}) {
  options.make_database = [pg](const ViolationLogOptions& o) -> std::unique_ptr<LogDatabase> {
    return std::make_unique<PostgresLogDatabase>(o.database_path, pg);
  };
}

}  // namespace rustguard::adapters
