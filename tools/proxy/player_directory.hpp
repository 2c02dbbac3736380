#pragma once
// The operators' index of who is online: one entry per logged-in player, so
// `GET /players` (and later RCON-style tools) can look a player up by name.
//
// The packet path never touches the lock: a connection adds its entry once at
// login and removes it once at disconnect; the counters it bumps on a
// violation are atomics in its own entry. Only the admin endpoint walks the map.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace rustguard::proxy {

struct PlayerEntry {
  std::uint64_t connection_id = 0;
  std::string name;
  std::string uuid;
  std::string address;  // the real one (PROXY protocol / Velocity) when known
  std::int32_t protocol = 0;
  std::string release;  // "1.21.4"
  std::int64_t since_ms = 0;
  std::atomic<std::uint64_t> violations{0};
  std::atomic<std::uint64_t> alerts{0};
};

class PlayerDirectory {
 public:
  std::shared_ptr<PlayerEntry> add(std::shared_ptr<PlayerEntry> entry) {
    std::lock_guard lock(mutex_);
    players_[entry->connection_id] = entry;
    return entry;
  }
  void remove(std::uint64_t connection_id) {
    std::lock_guard lock(mutex_);
    players_.erase(connection_id);
  }
  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return players_.size();
  }

  // JSON array of the players online, oldest connection first; only those
  // whose name equals `name` (case-insensitively) when it is not empty.
  std::string render_json(std::string_view name = {}) const {
    std::string out = "[";
    std::lock_guard lock(mutex_);
    for (const auto& [id, p] : players_) {
      if (!name.empty() && !same_name(p->name, name)) continue;
      if (out.size() > 1) out += ',';
      out += "{\"connection\":" + std::to_string(id) + ",\"name\":" + quoted(p->name) +
             ",\"uuid\":" + quoted(p->uuid) + ",\"address\":" + quoted(p->address) +
             ",\"protocol\":" + std::to_string(p->protocol) + ",\"release\":" + quoted(p->release) +
             ",\"since_ms\":" + std::to_string(p->since_ms) +
             ",\"violations\":" + std::to_string(p->violations.load(std::memory_order_relaxed)) +
             ",\"alerts\":" + std::to_string(p->alerts.load(std::memory_order_relaxed)) + "}";
    }
    return out + "]\n";
  }

 private:
  static bool same_name(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
      if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
  }
  static std::string quoted(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
      if (c == '"' || c == '\\') {
        out += '\\';
        out += c;
      } else if (static_cast<unsigned char>(c) < 0x20) {
        static constexpr char kHex[] = "0123456789abcdef";
        out += "\\u00";
        out += kHex[(c >> 4) & 0xF];
        out += kHex[c & 0xF];
      } else {
        out += c;
      }
    }
    return out + "\"";
  }

  mutable std::mutex mutex_;
  std::map<std::uint64_t, std::shared_ptr<PlayerEntry>> players_;
};

}  // namespace rustguard::proxy
