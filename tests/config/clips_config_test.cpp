// clips: in config.yml (adapters/clips_config_loader.hpp): values, defaults,
// and mistakes reported at their file:line:column.

#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "rustguard/adapters/config_loader.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace clips_config_test {

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

TEST_CASE("clips: on by default; read when given", "[config][clips]") {
  const ClipSettings defaults = parse_config("", "c.yml").clips;
  CHECK(defaults.enabled);
  CHECK(defaults.window == std::chrono::seconds(30));
  CHECK(defaults.max_bytes_per_player == 128 * 1024);
  CHECK(defaults.max_total_bytes == 256u << 20);
  const Config c = parse_config(
      "clips:\n  enabled: false\n  window: 45s\n  max_bytes_per_player: 262144\n  max_total_bytes: 1073741824\n", "c.yml");
  CHECK_FALSE(c.clips.enabled);
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

TEST_CASE("clips: the files' keys have their defaults", "[config][clips]") {
  const ClipSettings d = parse_config("", "c.yml").clips;
  // The folder: the struct's default (empty: a `clips` folder next to the
  // database file, which the proxy resolves at start).
  CHECK(d.folder == ClipSettings{}.folder);
  CHECK(d.on_alert);
  CHECK(d.on_kick);
  CHECK(d.on_setback);
  CHECK(d.on_command);
  CHECK(d.after == std::chrono::seconds(5));
  CHECK(d.min_interval == std::chrono::seconds(20));
  CHECK(d.snapshot_interval == std::chrono::seconds(10));
  CHECK_FALSE(d.keep_everyone);  // players: flagged
  CHECK_FALSE(d.redact_chat);
  CHECK(d.queue_bytes == std::size_t{64} << 20);
  CHECK(d.max_age == std::chrono::hours(24 * 30));
  CHECK(d.max_folder_bytes == std::uint64_t{2} << 30);
  // An empty section is the defaults too.
  CHECK(parse_config("clips: {}\n", "c.yml").clips == d);
}

TEST_CASE("clips: the files' keys are read when given", "[config][clips]") {
  const ClipSettings c = parse_config(
                             "clips:\n"
                             "  window: 60s\n"
                             "  folder: /var/lib/rustguard/clips\n"
                             "  on: [kick, command]\n"
                             "  after: 2s\n"
                             "  min_interval: 45s\n"
                             "  snapshot_interval: 15s\n"
                             "  redact_chat: true\n"
                             "  queue_bytes: 2097152\n"
                             "  max_age: 7d\n"
                             "  max_folder_bytes: 1048576\n",
                             "c.yml")
                             .clips;
  CHECK(c.window == std::chrono::seconds(60));
  CHECK(c.folder == "/var/lib/rustguard/clips");
  CHECK_FALSE(c.on_alert);
  CHECK(c.on_kick);
  CHECK_FALSE(c.on_setback);
  CHECK(c.on_command);
  CHECK(c.after == std::chrono::seconds(2));
  CHECK(c.min_interval == std::chrono::seconds(45));
  CHECK(c.snapshot_interval == std::chrono::seconds(15));
  CHECK(c.redact_chat);
  CHECK(c.queue_bytes == 2097152);
  CHECK(c.max_age == std::chrono::hours(24 * 7));
  CHECK(c.max_folder_bytes == 1048576);

  CHECK(parse_config("clips:\n  players: all\n", "c.yml").clips.keep_everyone);
  CHECK_FALSE(parse_config("clips:\n  players: flagged\n", "c.yml").clips.keep_everyone);

  // An empty list: no action writes a clip (POST /clips still does).
  const ClipSettings none = parse_config("clips:\n  on: []\n", "c.yml").clips;
  CHECK_FALSE(none.on_alert);
  CHECK_FALSE(none.on_kick);
  CHECK_FALSE(none.on_setback);
  CHECK_FALSE(none.on_command);
  // 0: no limit, no clips.after, no min_interval.
  const ClipSettings zero =
      parse_config("clips:\n  after: 0s\n  min_interval: 0s\n  max_age: 0s\n  max_folder_bytes: 0\n", "c.yml").clips;
  CHECK(zero.after.count() == 0);
  CHECK(zero.min_interval.count() == 0);
  CHECK(zero.max_age.count() == 0);
  CHECK(zero.max_folder_bytes == 0);
  // min_interval or after plus snapshot_interval, and twice snapshot_interval, may equal the window.
  const ClipSettings edge =
      parse_config("clips:\n  window: 10s\n  after: 5s\n  min_interval: 5s\n  snapshot_interval: 5s\n", "c.yml").clips;
  CHECK(edge.min_interval + edge.snapshot_interval == edge.window);
  CHECK(edge.after + edge.snapshot_interval == edge.window);
  CHECK(edge.snapshot_interval * 2 == edge.window);
  const ClipSettings late =
      parse_config("clips:\n  window: 10s\n  after: 1s\n  min_interval: 8s\n  snapshot_interval: 2s\n", "c.yml").clips;
  CHECK(late.min_interval + late.snapshot_interval == late.window);
}

TEST_CASE("clips: mistakes in the files' keys name file, line and column", "[config][clips]") {
  CHECK(error_of("clips:\n  on: [alert, ban]\n") ==
        "c.yml:2:15: clips.on: expected alert, kick, setback or command, got 'ban'");
  CHECK(error_of("clips:\n  on: alert\n") ==
        "c.yml:2:7: clips.on: expected a list of action kinds such as [alert, kick, setback, command]");
  CHECK(error_of("clips:\n  folder: \"\"\n") == "c.yml:2:11: clips.folder: expected a folder name");
  CHECK(error_of("clips:\n  players: suspects\n") == "c.yml:2:12: clips.players: expected flagged or all, got 'suspects'");
  CHECK(error_of("clips:\n  window: 10s\n  min_interval: 20s\n") ==
        "c.yml:2:3: clips: min_interval and after, each plus snapshot_interval, must not exceed window (a clip starts at a snapshot before every action in it)");
  CHECK(error_of("clips:\n  window: 10s\n  min_interval: 5s\n  after: 11s\n") ==
        "c.yml:2:3: clips: min_interval and after, each plus snapshot_interval, must not exceed window (a clip starts at a snapshot before every action in it)");
  // A deferred clip's oldest snapshot could come after the action that named it.
  CHECK(error_of("clips:\n  window: 3s\n  after: 1s\n  min_interval: 3s\n  snapshot_interval: 1s\n") ==
        "c.yml:2:3: clips: min_interval and after, each plus snapshot_interval, must not exceed window (a clip starts at a snapshot before every action in it)");
  CHECK(error_of("clips:\n  window: 10s\n  after: 6s\n  min_interval: 5s\n  snapshot_interval: 5s\n") ==
        "c.yml:2:3: clips: min_interval and after, each plus snapshot_interval, must not exceed window (a clip starts at a snapshot before every action in it)");
  CHECK(error_of("clips:\n  window: 10s\n  after: 0s\n  min_interval: 0s\n  snapshot_interval: 6s\n") ==
        "c.yml:2:3: clips: snapshot_interval must be at most half the window (a clip starts at a snapshot inside it)");
  CHECK(error_of("clips:\n  queue_bytes: 1000\n") ==
        "c.yml:2:16: clips.queue_bytes: must be between 1048576 and 4294967296, got 1000");
  CHECK(error_of("clips:\n  redact_chat: maybe\n") ==
        "c.yml:2:16: clips.redact_chat: expected true or false, got 'maybe'");
  CHECK(error_of("clips:\n  on: [alert]\n  oops: 1\n") == "c.yml:3:3: clips.oops: unknown key");
}

}  // namespace clips_config_test
