#pragma once
// config.yml's `violation_log:` section: how the violation log batches, what
// it does when the database fails and which ids it assigns
// (adapters/violation_log.hpp has the mechanism; docs/database-schema.md the
// guarantees).

#include <cstdint>
#include <string>
#include <string_view>

namespace rustguard {

struct ViolationLogSettings {
  std::uint32_t flush_interval_ms = 250;  // a batch waits at most this long
  std::uint32_t flush_rows = 4096;        // ... or until it holds this many records
  std::uint32_t retry_max_ms = 2000;      // backoff ceiling while the database is locked or unwritable
  std::uint32_t spill_after_ms = 5000;    // then records go to <database>.spill, imported later
  std::uint32_t spill_after_rows = 262144;
  std::uint64_t max_spill_bytes = std::uint64_t{256} << 20;  // beyond it records are dropped (counted, logged)
  // 0..1023: each proxy of a fleet on one PostgreSQL database needs its own
  // (its ids are instance_id * 2^40 + a counter: InstanceIds).
  std::uint32_t instance_id = 0;
  // Where records wait while the database is down; the loader makes a
  // relative path the config file's folder's, and for a postgresql:// URL
  // without one sets rustguard-violations.spill there. Empty: <database>.spill
  // (a SQLite file).
  std::string spill_path;
  friend bool operator==(const ViolationLogSettings&, const ViolationLogSettings&) = default;
};

// `database:` names a PostgreSQL server rather than a SQLite file.
inline bool is_database_url(std::string_view database) {
  return database.starts_with("postgresql://") || database.starts_with("postgres://");
}

// `database` for log lines: a URL's password (user:PASSWORD@ or
// ?password=PASSWORD) and a libpq key=value string's password=PASSWORD
// become "***"; a file name is unchanged.
inline std::string redacted_database(std::string_view database) {
  std::string out{database};
  const bool url = is_database_url(database);
  if (url) {
    const auto authority = out.find("://") + 3;
    const auto at = out.find('@', authority);
    const auto slash = out.find('/', authority);
    if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
      const auto colon = out.find(':', authority);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  for (auto at = out.find("password="); at != std::string::npos; at = out.find("password=", at + 1)) {
    const auto value = at + 9;
    auto end = out.find(url ? '&' : ' ', value);
    if (end == std::string::npos) end = out.size();
    out.replace(value, end - value, "***");
  }
  return out;
}

// A server database's spill file when violation_log.spill_path is unset: in
// the config file's folder (config_loader.hpp), or the working directory.
inline constexpr std::string_view kUrlSpillFile = "rustguard-violations.spill";

// The spill file for `database` under `settings` (see spill_path above).
inline std::string violation_spill_path(std::string_view database, const ViolationLogSettings& settings) {
  if (!settings.spill_path.empty()) return settings.spill_path;
  return is_database_url(database) ? std::string{kUrlSpillFile} : std::string{database} + ".spill";
}

}  // namespace rustguard
