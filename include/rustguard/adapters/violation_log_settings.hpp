#pragma once
// config.yml's `violation_log:` section: how the SQLite violation log
// batches and what it does when the database fails (adapters/violation_log.hpp
// has the mechanism; docs/database-schema.md the guarantees).

#include <cstdint>

namespace rustguard {

struct ViolationLogSettings {
  std::uint32_t flush_interval_ms = 250;  // a batch waits at most this long
  std::uint32_t flush_rows = 4096;        // ... or until it holds this many records
  std::uint32_t retry_max_ms = 2000;      // backoff ceiling while the database is locked or unwritable
  std::uint32_t spill_after_ms = 5000;    // then records go to <database>.spill, imported later
  std::uint32_t spill_after_rows = 262144;
  std::uint64_t max_spill_bytes = std::uint64_t{256} << 20;  // beyond it records are dropped (counted, logged)
  friend bool operator==(const ViolationLogSettings&, const ViolationLogSettings&) = default;
};

}  // namespace rustguard
