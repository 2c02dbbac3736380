#pragma once
// The operators' index of who is online: one entry per logged-in player, so
// `GET /players` (and later RCON-style tools) can look a player up by name.
//
// The packet path never touches the lock: a connection adds its entry once at
// login and removes it once at disconnect; the counters it bumps on a
// violation are atomics in its own entry. Only the admin endpoint walks the map.
//
// Staff alerts: the directory holds the `staff_alerts:` settings in force
// (set at start and on reload, so a new staff list applies at once, to
// players already online too) and, under a lock of their own, the online
// staff players. alert_staff(), on the alerting player's thread, walks only
// those (never the whole map, never under the lock /players holds while it
// renders), takes a token from each one's bucket (max_per_minute) and hands
// the line to the entry's alert_sink, which posts it to that player's own io
// thread (connection_events.hpp); lines past the limit are dropped and
// counted. The sinks are called after the lock is released, and posting to
// another io thread does not wait for it.

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rustguard/adapters/staff_alert_settings.hpp"

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
  // Takes an alert line for this player from any thread and brings it to the
  // player's connection on its own thread; set before add(), then never
  // changed. Empty: this connection cannot show staff alerts.
  std::function<void(std::string)> alert_sink;
  // Asks the player's connection, from any thread, to write an evidence clip
  // now (POST /clips?player=NAME); set before add(). Empty: clips are off.
  std::function<void()> clip_sink;

 private:
  friend class PlayerDirectory;
  // The staff alert bucket, in millionths of a line; under the directory's staff lock.
  std::int64_t alert_tokens_ = -1;  // -1: full at the first alert
  std::int64_t alert_refilled_us_ = 0;
};

class PlayerDirectory {
 public:
  // Locks are taken in one order, mutex_ then staff_mutex_.
  std::shared_ptr<PlayerEntry> add(std::shared_ptr<PlayerEntry> entry) {
    std::lock_guard lock(mutex_);
    players_[entry->connection_id] = entry;
    std::lock_guard staff_lock(staff_mutex_);
    if (receives_alerts(*entry)) staff_online_[entry->connection_id] = entry;
    return entry;
  }
  void remove(std::uint64_t connection_id) {
    std::lock_guard lock(mutex_);
    players_.erase(connection_id);
    std::lock_guard staff_lock(staff_mutex_);
    staff_online_.erase(connection_id);
  }
  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return players_.size();
  }

  // The staff_alerts settings in force (main: at start and on each reload).
  void set_staff_alerts(StaffAlertSettings settings) {
    std::lock_guard lock(mutex_);
    std::lock_guard staff_lock(staff_mutex_);
    staff_ = std::move(settings);
    staff_online_.clear();
    for (const auto& [id, p] : players_) {
      if (receives_alerts(*p)) staff_online_[id] = p;
    }
  }

  // Asks every connection of the player `name` (ASCII case ignored) that
  // keeps clips for a clip now. Returns {connections found, asked}.
  std::pair<std::size_t, std::size_t> request_clip(std::string_view name) const {
    std::vector<std::shared_ptr<PlayerEntry>> found;
    {
      std::lock_guard lock(mutex_);
      for (const auto& [id, p] : players_) {
        if (same_name(p->name, name)) found.push_back(p);
      }
    }
    std::size_t asked = 0;
    for (const auto& p : found) {
      if (!p->clip_sink) continue;
      p->clip_sink();
      ++asked;
    }
    return {found.size(), asked};
  }

  struct StaffFanout {
    std::uint32_t posted = 0;   // handed to a staff player's connection
    std::uint32_t dropped = 0;  // over that player's max_per_minute
  };

  // `line` (the prefix is put before it) to every online staff player, at
  // `now_us` on any monotonic microsecond clock (the bucket refills by it).
  // Callable from any io thread.
  StaffFanout alert_staff(std::string_view line, std::int64_t now_us) {
    StaffFanout result;
    std::vector<std::shared_ptr<PlayerEntry>> to;
    std::string text;
    {
      std::lock_guard lock(staff_mutex_);
      if (staff_online_.empty()) return result;
      // Tokens in millionths: one line is kUnit, the bucket holds
      // max_per_minute lines and refills that many per 60 s.
      const std::int64_t capacity = static_cast<std::int64_t>(staff_.max_per_minute) * kUnit;
      for (const auto& [id, p] : staff_online_) {
        if (p->alert_tokens_ < 0) {
          p->alert_tokens_ = capacity;
        } else if (now_us > p->alert_refilled_us_) {
          // A minute refills the bucket whole; capping first keeps the product in range.
          const std::int64_t elapsed = std::min(now_us - p->alert_refilled_us_, kMinuteUs);
          const std::int64_t earned = elapsed * static_cast<std::int64_t>(staff_.max_per_minute) * kUnit / kMinuteUs;
          p->alert_tokens_ = std::min(capacity, p->alert_tokens_ + earned);
        }
        // A reload may lower max_per_minute below what a bucket holds.
        p->alert_tokens_ = std::min(capacity, p->alert_tokens_);
        p->alert_refilled_us_ = std::max(p->alert_refilled_us_, now_us);
        if (p->alert_tokens_ < kUnit) {
          ++result.dropped;
          continue;
        }
        p->alert_tokens_ -= kUnit;
        to.push_back(p);
      }
      text = staff_.prefix;
    }
    text += line;
    for (const auto& p : to) {
      p->alert_sink(text);
      ++result.posted;
    }
    return result;
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
  // Under staff_mutex_.
  bool receives_alerts(const PlayerEntry& p) const { return p.alert_sink && staff_.is_staff(p.name); }

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

  static constexpr std::int64_t kUnit = 1'000'000;
  static constexpr std::int64_t kMinuteUs = 60'000'000;

  mutable std::mutex mutex_;
  std::map<std::uint64_t, std::shared_ptr<PlayerEntry>> players_;
  mutable std::mutex staff_mutex_;
  StaffAlertSettings staff_;                                        // under staff_mutex_
  std::map<std::uint64_t, std::shared_ptr<PlayerEntry>> staff_online_;  // likewise
};

}  // namespace rustguard::proxy
