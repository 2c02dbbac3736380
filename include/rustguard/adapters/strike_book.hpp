#pragma once
// The players' punishment strikes (actions/punishment_config.hpp) that have
// not expired, for the ladders of their next session: loaded once from the
// violation log at start, then kept up to date by the strikes this process
// gives, so a login never waits for the database and a strike written a
// moment ago (still in the log's batch) already counts.
//
// Thread-safe: connections on every io thread read and add.

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "rustguard/adapters/sqlite_handle.hpp"

namespace rustguard::adapters {

struct Strike {
  std::string group;
  std::int64_t time_ms = 0;
  bool operator==(const Strike&) const = default;
};

class StrikeBook {
 public:
  // Every strike at or after `since_ms` in the database at `path` (the
  // actions rows of kind 'strike', by the session's player). A missing file
  // is an empty book; an unreadable one an error for the caller to log.
  SqliteStatus load(const std::string& path, std::int64_t since_ms) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return {};
    SqliteDatabase db;
    if (SqliteStatus s = db.open(path, SQLITE_OPEN_READONLY); !s.ok()) return s;
    SqliteStatement q;
    SqliteStatus s = db.prepare(
        "SELECT s.player_uuid, a.detail, a.time_ms FROM actions a JOIN sessions s ON s.id = a.session_id "
        "WHERE a.action = 'strike' AND a.time_ms >= ?1 AND s.player_uuid IS NOT NULL ORDER BY a.time_ms, a.id",
        q);
    if (!s.ok()) return s;
    q.bind(1, static_cast<std::int64_t>(since_ms));
    std::lock_guard lock(mutex_);
    int rc = 0;
    while ((rc = sqlite3_step(q.get())) == SQLITE_ROW) {
      strikes_[text(q, 0)].push_back({text(q, 1), sqlite3_column_int64(q.get(), 2)});
      ++loaded_;
    }
    if (rc != SQLITE_DONE) return sqlite_status(db.get(), rc, "read strikes");
    return {};
  }

  // The player's strikes at or after `since_ms`, oldest first.
  std::vector<Strike> of(const std::string& uuid, std::int64_t since_ms) {
    std::lock_guard lock(mutex_);
    const auto it = strikes_.find(uuid);
    if (it == strikes_.end()) return {};
    std::erase_if(it->second, [&](const Strike& s) { return s.time_ms < since_ms; });  // expired for good
    if (it->second.empty()) {
      strikes_.erase(it);
      return {};
    }
    return it->second;
  }

  void add(const std::string& uuid, std::string group, std::int64_t time_ms) {
    std::lock_guard lock(mutex_);
    strikes_[uuid].push_back({std::move(group), time_ms});
  }

  std::size_t loaded() const noexcept { return loaded_; }

 private:
  static std::string text(const SqliteStatement& q, int column) {
    const unsigned char* t = sqlite3_column_text(q.get(), column);
    return t == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(t));
  }

  std::mutex mutex_;
  std::unordered_map<std::string, std::vector<Strike>> strikes_;  // by the player's UUID text
  std::size_t loaded_ = 0;
};

}  // namespace rustguard::adapters
