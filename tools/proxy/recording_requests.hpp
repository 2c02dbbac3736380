#pragma once
// Players whose sessions the operator asked to record through the admin
// address (POST /recordings?player=NAME), beside recordings.players in the
// config (docs/recordings.md). A request applies to the player's next login
// on a connection opened after it; it lasts until DELETE or a restart.
// Thread-safe: the admin endpoint writes, every connection reads at login.

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "rustguard/adapters/staff_alert_settings.hpp"

namespace rustguard::proxy {

class RecordingRequests {
 public:
  static constexpr std::size_t kMaxNames = 1000;

  // A Minecraft name (1 to 16 letters, digits or _); false when it is not
  // one, or the list is full.
  bool add(std::string_view name) {
    if (!valid(name)) return false;
    std::lock_guard lock(mutex_);
    if (find(name) != names_.end()) return true;
    if (names_.size() >= kMaxNames) return false;
    names_.emplace_back(name);
    any_.store(true, std::memory_order_release);
    return true;
  }
  bool remove(std::string_view name) {
    std::lock_guard lock(mutex_);
    const auto it = find(name);
    if (it == names_.end()) return false;
    names_.erase(it);
    any_.store(!names_.empty(), std::memory_order_release);
    return true;
  }
  // Cheap test for every new connection: is any name requested?
  bool any() const noexcept { return any_.load(std::memory_order_acquire); }
  bool has(std::string_view name) const {
    if (!any()) return false;
    std::lock_guard lock(mutex_);
    return find(name) != names_.end();
  }
  std::vector<std::string> names() const {
    std::lock_guard lock(mutex_);
    return names_;
  }

  static bool valid(std::string_view name) noexcept {
    if (name.empty() || name.size() > 16) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    });
  }

 private:
  std::vector<std::string>::const_iterator find(std::string_view name) const {
    return std::find_if(names_.begin(), names_.end(),
                        [&](const std::string& n) { return StaffAlertSettings::same_name(n, name); });
  }
  std::vector<std::string>::iterator find(std::string_view name) {
    return std::find_if(names_.begin(), names_.end(),
                        [&](const std::string& n) { return StaffAlertSettings::same_name(n, name); });
  }

  mutable std::mutex mutex_;
  std::vector<std::string> names_;
  std::atomic<bool> any_{false};
};

}  // namespace rustguard::proxy
