#pragma once
// In-game staff alerts: `staff_alerts:` in config.yml
// (adapters/staff_alerts_config_loader.hpp reads it, docs/configuration.md
// documents it). The players named here get every alert line of RustGuard
// (a check's alert, a ladder's alert action) as a system chat line injected
// by the proxy into their own connection (tools/proxy/player_directory.hpp).
// Plain values: no I/O, so the proxy's headers can include this one alone.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rustguard {

struct StaffAlertSettings {
  // Off by default: alerts then go to the log (and the webhook) only.
  bool enabled = false;
  // Player names, compared case-insensitively (Minecraft names are ASCII).
  // There is no permission lookup: a backend reports permissions only
  // through a plugin, and RustGuard runs without one.
  std::vector<std::string> players;
  // Alert lines one staff player gets per minute at most (a token bucket of
  // that size, refilled evenly over the minute); the rest are dropped and
  // counted, so a flood of alerts cannot flood a moderator's chat.
  std::uint32_t max_per_minute = 20;
  // Put before every line.
  std::string prefix = "[RustGuard] ";

  // Whether `name` is one of `players`, ignoring ASCII case.
  bool is_staff(std::string_view name) const noexcept {
    if (!enabled || name.empty()) return false;
    for (const std::string& p : players) {
      if (same_name(p, name)) return true;
    }
    return false;
  }

  static bool same_name(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
      if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
  }

  bool operator==(const StaffAlertSettings&) const = default;
};

}  // namespace rustguard
