#pragma once
// Reads the `recordings:` section of config.yml into RecordingSettings
// (adapters/recording_settings.hpp; docs/configuration.md has the keys).
// Part of config loading: config_loader.hpp includes it and calls it with
// its ConfigReader, so errors name file:line:column like every other key.
//
//   recordings:
//     folder: recordings
//     all_players: false
//     players: [Steve]
//     queue_bytes: 67108864
//     max_age: 30d
//     max_total_bytes: 10737418240

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "rustguard/adapters/punishments_config_loader.hpp"
#include "rustguard/adapters/recording_settings.hpp"
#include "rustguard/adapters/staff_alerts_config_loader.hpp"

namespace rustguard::adapters::detail {

template <class Reader>
void read_recordings(const Reader& r, const YAML::Node& n, RecordingSettings& out) {
  r.only_keys(n, "recordings", {"folder", "all_players", "players", "queue_bytes", "max_age", "max_total_bytes"});
  if (auto v = n["folder"]) {
    out.folder = r.text(v, "recordings.folder");
    if (out.folder.empty()) r.fail(v, "recordings.folder", "expected a folder name");
  }
  if (auto v = n["all_players"]) out.all_players = r.boolean(v, "recordings.all_players");
  if (auto v = n["players"]) {
    if (!v.IsSequence()) r.fail(v, "recordings.players", "expected a list of player names such as [Notch, jeb_]");
    out.players.clear();
    for (const auto& item : v) {
      const std::string name = r.text(item, "recordings.players");
      if (!valid_player_name(name)) {
        r.fail(item, "recordings.players", "expected a player name (1 to 16 letters, digits or _), got '" + name + "'");
      }
      for (const std::string& earlier : out.players) {
        if (StaffAlertSettings::same_name(earlier, name)) {
          r.fail(item, "recordings.players", "'" + name + "' is listed twice (names ignore case)");
        }
      }
      out.players.push_back(name);
    }
  }
  if (auto v = n["queue_bytes"]) {
    out.queue_bytes = r.template integer<std::size_t>(v, "recordings.queue_bytes", 1u << 20, std::size_t{4} << 30);
  }
  if (auto v = n["max_age"]) {
    out.max_age = std::chrono::milliseconds(read_duration_ms(r, v, "recordings.max_age", 0, 3650LL * 86'400'000));
  }
  if (auto v = n["max_total_bytes"]) {
    out.max_total_bytes = r.template integer<std::uint64_t>(v, "recordings.max_total_bytes", 0, std::uint64_t{1} << 50);
  }
}

}  // namespace rustguard::adapters::detail
