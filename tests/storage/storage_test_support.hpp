#pragma once
// Helpers shared by the storage tests: a temporary directory that removes
// itself, a separate sqlite3 connection to check what really landed on disk,
// and a violation builder.

#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "rustguard/adapters/violation_log.hpp"
#include "rustguard/violation.hpp"

namespace rustguard::storage_test {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "rustguard-storage-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// An independent connection (not the log's) for verifying contents.
class Inspector {
 public:
  explicit Inspector(const std::string& path) {
    REQUIRE(sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    sqlite3_busy_timeout(db_, 5000);
  }
  ~Inspector() { sqlite3_close_v2(db_); }
  Inspector(const Inspector&) = delete;
  Inspector& operator=(const Inspector&) = delete;

  std::int64_t integer(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr);
    INFO(sql << ": " << sqlite3_errmsg(db_));
    REQUIRE(rc == SQLITE_OK);
    REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
    const std::int64_t v = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return v;
  }
  std::string text(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr);
    INFO(sql << ": " << sqlite3_errmsg(db_));
    REQUIRE(rc == SQLITE_OK);
    REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
    const auto* t = sqlite3_column_text(stmt, 0);
    std::string out = t ? reinterpret_cast<const char*>(t) : "<null>";
    sqlite3_finalize(stmt);
    return out;
  }
  sqlite3* get() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

inline Violation make_violation(std::uint64_t session, std::int64_t time_ms, std::string check, std::string detail,
                                double vl = 1.0) {
  Violation v;
  v.time_ms = time_ms;
  v.player_name = "Steve";
  v.player_uuid = protocol::Uuid{0x0123456789abcdefULL, 0xfedcba9876543210ULL};
  v.check = std::move(check);
  v.type = "balance";
  v.vl = vl;
  v.detail = std::move(detail);
  v.numbers_json = R"({"balance_ms":-512.5,"limit_ms":-300})";
  v.protocol_version = 763;
  v.ping_ms = 42;
  v.session_id = session;
  return v;
}

inline adapters::SessionStart make_session(std::string name, std::uint64_t uuid_low, std::int64_t start_ms) {
  adapters::SessionStart s;
  s.player_uuid = protocol::Uuid{0x1111, uuid_low};
  s.player_name = std::move(name);
  s.address = "203.0.113.7:51234";
  s.protocol_version = 763;
  s.start_ms = start_ms;
  return s;
}

// Collects log lines so a test can check that something was said.
struct LogLines {
  std::mutex mutex;
  std::vector<std::string> lines;
  adapters::LogCallback callback() {
    return [this](rustguard::LogLevel, std::string_view line) {
      std::lock_guard lock{mutex};
      lines.emplace_back(line);
    };
  }
  bool contains(std::string_view needle) {
    std::lock_guard lock{mutex};
    for (const auto& l : lines) {
      if (l.find(needle) != std::string::npos) return true;
    }
    return false;
  }
};

// chattr +i / -i on a file (the tests run as root on ext4); false when the
// file system or the tool refuses, so a test can skip with a message.
inline bool chattr(const char* flag, const std::string& path) {
  const std::string cmd = std::string{"chattr "} + flag + " '" + path + "' 2>/dev/null";
  return std::system(cmd.c_str()) == 0;
}

// Clears the immutable attribute on scope exit so a failed test can clean up.
struct Immutable {
  std::vector<std::string> paths;
  ~Immutable() {
    for (const auto& p : paths) chattr("-i", p);
  }
};

// Starts a violation log on `db` and stops it again: what a restart does
// (import the spill file, close sessions a crash left open).
inline void start_and_stop(const std::string& db) {
  adapters::ViolationLogOptions o;
  o.database_path = db;
  std::string error;
  auto log = adapters::ViolationLog::start(o, error);
  REQUIRE(log);
  log->stop();
}

}  // namespace rustguard::storage_test
