#pragma once
// A player's recent violations, read back from the violation log's store for
// the admin endpoint's GET /players?name=X (tools/proxy/admin_http.hpp): on a
// fleet's PostgreSQL store (postgres_player_history.hpp) they are every
// instance's, each row telling which instance wrote it (its id's instance
// part, InstanceIds); from a SQLite file, this proxy's.
//
// Read-only and off the packet path: the proxy asks on a thread of its own
// (tools/proxy/player_history_service.hpp), one request at a time.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "rustguard/adapters/sqlite_handle.hpp"
#include "rustguard/adapters/violation_log.hpp"

namespace rustguard::adapters {

struct PastViolation {
  std::uint64_t id = 0;
  std::uint32_t instance = 0;  // violation_log.instance_id of the proxy that wrote it
  std::string player_name;     // as the session had it
  std::string player_uuid;
  std::int64_t time_ms = 0;
  std::string check;
  std::string type;
  double vl = 0;
  std::int64_t count = 1;
  std::string detail;
};

// The instance a row id belongs to (InstanceIds' two ranges).
inline std::uint32_t instance_of_id(std::uint64_t id) noexcept {
  return id >= (std::uint64_t{1} << 50) ? static_cast<std::uint32_t>(id >> InstanceIds::kClockBits)
                                        : static_cast<std::uint32_t>(id >> InstanceIds::kCounterBits);
}

class PlayerHistorySource {
 public:
  // Why a cap: the answer is for a person reading it; a cheater with a
  // million rows must not make the proxy build a million-row reply.
  static constexpr int kMaxRows = 1'000;

  virtual ~PlayerHistorySource() = default;
  // The newest `limit` violations of the players whose last known name is
  // `name` (case-insensitive), newest first. "" when read, else why not.
  virtual std::string read(std::string_view name, int limit, std::vector<PastViolation>& out) = 0;
  virtual std::string engine() const = 0;  // "sqlite" or "postgresql", for the answer
};

namespace detail {
// The one query, with the engine's way of comparing names without case (the
// players_by_name index is on that comparison in each engine's dialect).
inline std::string history_query(std::string_view name_matches, std::string_view limit_param) {
  return "SELECT v.id, s.player_name, s.player_uuid, v.time_ms, v.check_name, v.type, v.vl, v.count, v.detail "
         "FROM violations v JOIN sessions s ON s.id = v.session_id "
         "WHERE s.player_uuid IN (SELECT uuid FROM players WHERE " +
         std::string{name_matches} + ") ORDER BY v.time_ms DESC, v.id DESC LIMIT " + std::string{limit_param};
}
}  // namespace detail

// This proxy's SQLite file, opened read-only for each request (a request
// is rare; a connection held open would hold the file's old snapshot).
class SqlitePlayerHistory final : public PlayerHistorySource {
 public:
  explicit SqlitePlayerHistory(std::string path) : path_(std::move(path)) {}

  std::string engine() const override { return "sqlite"; }

  std::string read(std::string_view name, int limit, std::vector<PastViolation>& out) override {
    out.clear();
    std::error_code ec;
    if (!std::filesystem::exists(path_, ec)) return {};  // nothing written yet
    SqliteDatabase db;
    if (SqliteStatus s = db.open(path_, SQLITE_OPEN_READONLY); !s.ok()) return s.message;
    SqliteStatement q;
    const std::string sql = detail::history_query("last_name = ?1 COLLATE NOCASE", "?2");
    if (SqliteStatus s = db.prepare(sql.c_str(), q); !s.ok()) {
      return s.message;
    }
    q.bind(1, name);
    q.bind(2, static_cast<std::int64_t>(limit < 1 ? 1 : limit > kMaxRows ? kMaxRows : limit));
    int rc = 0;
    while ((rc = sqlite3_step(q.get())) == SQLITE_ROW) {
      PastViolation v;
      v.id = static_cast<std::uint64_t>(sqlite3_column_int64(q.get(), 0));
      v.instance = instance_of_id(v.id);
      v.player_name = text(q, 1);
      v.player_uuid = text(q, 2);
      v.time_ms = sqlite3_column_int64(q.get(), 3);
      v.check = text(q, 4);
      v.type = text(q, 5);
      v.vl = sqlite3_column_double(q.get(), 6);
      v.count = sqlite3_column_int64(q.get(), 7);
      v.detail = text(q, 8);
      out.push_back(std::move(v));
    }
    if (rc != SQLITE_DONE) return sqlite_status(db.get(), rc, "read history").message;
    return {};
  }

 private:
  static std::string text(const SqliteStatement& q, int column) {
    const unsigned char* t = sqlite3_column_text(q.get(), column);
    return t == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(t));
  }

  std::string path_;
};

}  // namespace rustguard::adapters
