#pragma once
// Reads the `staff_alerts:` section of config.yml into StaffAlertSettings
// (adapters/staff_alert_settings.hpp; docs/configuration.md has the keys).
// Part of config loading: config_loader.hpp includes it and calls it with
// its ConfigReader, so errors name file:line:column like every other key.
//
//   staff_alerts:
//     enabled: true
//     players: [Notch, jeb_]
//     max_per_minute: 20
//     prefix: "[RustGuard] "
//
// A name that Minecraft would not accept (1 to 16 letters, digits or '_')
// is an error at its place, so "Notch, jeb_" written as one string, or a
// name with a space, cannot silently leave a moderator without alerts.

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>

#include "rustguard/adapters/staff_alert_settings.hpp"

namespace rustguard::adapters::detail {

inline bool valid_player_name(const std::string& name) {
  if (name.empty() || name.size() > 16) return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

// `Reader` is config_loader.hpp's ConfigReader (a template so that this
// header needs nothing from it and config_loader.hpp can include it first).
template <class Reader>
void read_staff_alerts(const Reader& r, const YAML::Node& n, StaffAlertSettings& out) {
  r.only_keys(n, "staff_alerts", {"enabled", "players", "max_per_minute", "prefix"});
  if (auto v = n["enabled"]) out.enabled = r.boolean(v, "staff_alerts.enabled");
  if (auto v = n["players"]) {
    if (!v.IsSequence()) r.fail(v, "staff_alerts.players", "expected a list of player names such as [Notch, jeb_]");
    out.players.clear();
    for (const auto& item : v) {
      const std::string name = r.text(item, "staff_alerts.players");
      if (!valid_player_name(name)) {
        r.fail(item, "staff_alerts.players", "expected a player name (1 to 16 letters, digits or _), got '" + name + "'");
      }
      for (const std::string& earlier : out.players) {
        if (StaffAlertSettings::same_name(earlier, name)) {
          r.fail(item, "staff_alerts.players", "'" + name + "' is listed twice (names ignore case)");
        }
      }
      out.players.push_back(name);
    }
  }
  if (auto v = n["max_per_minute"]) {
    out.max_per_minute = r.template integer<std::uint32_t>(v, "staff_alerts.max_per_minute", 1, 600);
  }
  if (auto v = n["prefix"]) {
    out.prefix = r.text(v, "staff_alerts.prefix");
    // Chat lines are short; a long prefix is a mistake (and 256 is the game's own chat input cap).
    if (out.prefix.size() > 256) r.fail(v, "staff_alerts.prefix", "longer than 256 bytes");
  }
}

}  // namespace rustguard::adapters::detail
