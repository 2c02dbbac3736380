#pragma once
// Reads the `clips:` section of config.yml into ClipSettings
// (adapters/clip_settings.hpp; docs/configuration.md has the keys). Part of
// config loading: config_loader.hpp includes it and calls it with its
// ConfigReader, so errors name file:line:column like every other key.
//
//   clips:
//     enabled: true
//     players: flagged     # or all
//     window: 30s
//     max_bytes_per_player: 131072
//     max_total_bytes: 268435456
//     folder: clips        # default: next to the database
//     on: [alert, kick, setback, command]
//     after: 5s
//     min_interval: 20s
//     snapshot_interval: 10s
//     redact_chat: false
//     queue_bytes: 67108864
//     max_age: 30d
//     max_folder_bytes: 2147483648

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "rustguard/adapters/clip_settings.hpp"
#include "rustguard/adapters/punishments_config_loader.hpp"

namespace rustguard::adapters::detail {

template <class Reader>
void read_clips(const Reader& r, const YAML::Node& n, ClipSettings& out) {
  r.only_keys(n, "clips", {"enabled", "players", "window", "max_bytes_per_player", "max_total_bytes", "folder", "on", "after",
                           "min_interval", "snapshot_interval", "redact_chat", "queue_bytes", "max_age",
                           "max_folder_bytes"});
  if (auto v = n["enabled"]) out.enabled = r.boolean(v, "clips.enabled");
  if (auto v = n["players"]) {
    const std::string players = r.text(v, "clips.players");
    if (players == "flagged") out.keep_everyone = false;
    else if (players == "all") out.keep_everyone = true;
    else r.fail(v, "clips.players", "expected flagged or all, got '" + players + "'");
  }
  if (auto v = n["window"]) out.window = std::chrono::milliseconds(read_duration_ms(r, v, "clips.window", 1'000, 600'000));
  if (auto v = n["max_bytes_per_player"]) {
    out.max_bytes_per_player = r.template integer<std::size_t>(v, "clips.max_bytes_per_player", 8192, 64u << 20);
  }
  if (auto v = n["max_total_bytes"]) {
    out.max_total_bytes = r.template integer<std::size_t>(v, "clips.max_total_bytes", 1u << 20, std::size_t{64} << 30);
  }
  if (auto v = n["folder"]) {
    out.folder = r.text(v, "clips.folder");
    if (out.folder.empty()) r.fail(v, "clips.folder", "expected a folder name");
  }
  if (auto v = n["on"]) {
    if (!v.IsSequence()) r.fail(v, "clips.on", "expected a list of action kinds such as [alert, kick, setback, command]");
    out.on_alert = out.on_kick = out.on_setback = out.on_command = false;
    for (const auto& item : v) {
      const std::string kind = r.text(item, "clips.on");
      if (kind == "alert") out.on_alert = true;
      else if (kind == "kick") out.on_kick = true;
      else if (kind == "setback") out.on_setback = true;
      else if (kind == "command") out.on_command = true;
      else r.fail(item, "clips.on", "expected alert, kick, setback or command, got '" + kind + "'");
    }
  }
  if (auto v = n["after"]) out.after = std::chrono::milliseconds(read_duration_ms(r, v, "clips.after", 0, 60'000));
  if (auto v = n["min_interval"]) {
    out.min_interval = std::chrono::milliseconds(read_duration_ms(r, v, "clips.min_interval", 0, 600'000));
  }
  if (auto v = n["snapshot_interval"]) {
    out.snapshot_interval = std::chrono::milliseconds(read_duration_ms(r, v, "clips.snapshot_interval", 1'000, 600'000));
  }
  if (auto v = n["redact_chat"]) out.redact_chat = r.boolean(v, "clips.redact_chat");
  if (auto v = n["queue_bytes"]) {
    out.queue_bytes = r.template integer<std::size_t>(v, "clips.queue_bytes", 1u << 20, std::size_t{4} << 30);
  }
  if (auto v = n["max_age"]) {
    out.max_age = std::chrono::milliseconds(read_duration_ms(r, v, "clips.max_age", 0, 3650LL * 86'400'000));
  }
  if (auto v = n["max_folder_bytes"]) {
    out.max_folder_bytes = r.template integer<std::uint64_t>(v, "clips.max_folder_bytes", 0, std::uint64_t{1} << 50);
  }
  // Every action's moment must be inside the replayable part of its clip,
  // which reaches back `window` and starts at its oldest snapshot, up to a
  // snapshot_interval later. A clip is cut up to max(after, min_interval)
  // after an action in it.
  if (std::max(out.min_interval, out.after) + out.snapshot_interval > out.window) {
    r.fail(n, "clips",
           "min_interval and after, each plus snapshot_interval, must not exceed window (a clip starts at a "
           "snapshot before every action in it)");
  }
  if (out.snapshot_interval * 2 > out.window) {
    r.fail(n, "clips", "snapshot_interval must be at most half the window (a clip starts at a snapshot inside it)");
  }
}

}  // namespace rustguard::adapters::detail
