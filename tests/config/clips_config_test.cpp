// clips: in config.yml (adapters/clips_config_loader.hpp): values, defaults,
// and mistakes reported at their file:line:column.

#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "rustguard/adapters/config_loader.hpp"

using rustguard::ClipSettings;
using rustguard::Config;
using rustguard::adapters::ConfigError;
using rustguard::adapters::parse_config;

namespace {
std::string error_of(const std::string& yaml) {
  try {
    (void)parse_config(yaml, "c.yml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  FAIL("config was accepted: " << yaml);
  return {};
}
}  // namespace

TEST_CASE("clips: the ring is off until clips are written; read when given", "[config][clips]") {
  const ClipSettings defaults = parse_config("", "c.yml").clips;
  CHECK_FALSE(defaults.enabled);
  CHECK(defaults.window == std::chrono::seconds(30));
  CHECK(defaults.max_bytes_per_player == 128 * 1024);
  CHECK(defaults.max_total_bytes == 256u << 20);
  const Config c = parse_config(
      "clips:\n  enabled: true\n  window: 45s\n  max_bytes_per_player: 262144\n  max_total_bytes: 1073741824\n", "c.yml");
  CHECK(c.clips.enabled);
  CHECK(c.clips.window == std::chrono::seconds(45));
  CHECK(c.clips.max_bytes_per_player == 262144);
  CHECK(c.clips.max_total_bytes == 1073741824);
}

TEST_CASE("clips: mistakes name file, line and column", "[config][clips]") {
  CHECK(error_of("clips:\n  windw: 30s\n") == "c.yml:2:3: clips.windw: unknown key");
  CHECK(error_of("clips:\n  window: 100ms\n") == "c.yml:2:11: clips.window: must be between 1s and 10m, got 100ms");
  CHECK(error_of("clips:\n  max_bytes_per_player: 100\n") ==
        "c.yml:2:25: clips.max_bytes_per_player: must be between 8192 and 67108864, got 100");
  CHECK(error_of("clips:\n  enabled: sometimes\n") == "c.yml:2:12: clips.enabled: expected true or false, got 'sometimes'");
}
