#pragma once
// Reads the `clips:` section of config.yml into ClipSettings
// (adapters/clip_settings.hpp; docs/configuration.md has the keys). Part of
// config loading: config_loader.hpp includes it and calls it with its
// ConfigReader, so errors name file:line:column like every other key.
//
//   clips:
//     enabled: false
//     window: 30s
//     max_bytes_per_player: 131072
//     max_total_bytes: 268435456

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstddef>

#include "rustguard/adapters/clip_settings.hpp"
#include "rustguard/adapters/punishments_config_loader.hpp"

namespace rustguard::adapters::detail {

template <class Reader>
void read_clips(const Reader& r, const YAML::Node& n, ClipSettings& out) {
  r.only_keys(n, "clips", {"enabled", "window", "max_bytes_per_player", "max_total_bytes"});
  if (auto v = n["enabled"]) out.enabled = r.boolean(v, "clips.enabled");
  if (auto v = n["window"]) out.window = std::chrono::milliseconds(read_duration_ms(r, v, "clips.window", 1'000, 600'000));
  if (auto v = n["max_bytes_per_player"]) {
    out.max_bytes_per_player = r.template integer<std::size_t>(v, "clips.max_bytes_per_player", 8192, 64u << 20);
  }
  if (auto v = n["max_total_bytes"]) {
    out.max_total_bytes = r.template integer<std::size_t>(v, "clips.max_total_bytes", 1u << 20, std::size_t{64} << 30);
  }
}

}  // namespace rustguard::adapters::detail
