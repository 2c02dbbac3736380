// recordings: in config.yml (adapters/recordings_config_loader.hpp): values,
// defaults, who is recorded, and mistakes reported at their file:line:column.

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "rustguard/adapters/config_loader.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace recordings_config_test {

using rustguard::Config;
using rustguard::RecordingSettings;
using rustguard::adapters::ConfigError;
using rustguard::adapters::parse_config;

namespace {
std::string error_of(const std::string& yaml) {
  try {
    (void)parse_config(yaml, "r.yml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  FAIL("config was accepted: " << yaml);
  return {};
}
}  // namespace

TEST_CASE("recordings: off by default, read when given", "[config][recordings]") {
  const RecordingSettings defaults = parse_config("", "r.yml").recordings;
  CHECK_FALSE(defaults.enabled());
  CHECK(defaults.folder == "recordings");
  CHECK(defaults.queue_bytes == 64u << 20);
  CHECK(defaults.max_age == std::chrono::hours(24 * 30));
  CHECK(defaults.max_total_bytes == 10ull << 30);

  const Config c = parse_config(
      "recordings:\n  folder: /var/lib/rg\n  players: [Steve, alex_2]\n  queue_bytes: 2097152\n  max_age: 7d\n"
      "  max_total_bytes: 0\n",
      "r.yml");
  CHECK(c.recordings.enabled());
  CHECK(c.recordings.folder == "/var/lib/rg");
  CHECK(c.recordings.players == std::vector<std::string>{"Steve", "alex_2"});
  CHECK(c.recordings.queue_bytes == 2097152);
  CHECK(c.recordings.max_age == std::chrono::hours(24 * 7));
  CHECK(c.recordings.max_total_bytes == 0);
  // The repository's config.yml ships them off.
  CHECK_FALSE(rustguard::adapters::load_config(RUSTGUARD_SOURCE_DIR "/config.yml").recordings.enabled());
}

TEST_CASE("recordings: who is recorded", "[config][recordings]") {
  RecordingSettings s = parse_config("recordings:\n  players: [Steve]\n", "r.yml").recordings;
  CHECK(s.records("Steve"));
  CHECK(s.records("sTEVE"));
  CHECK_FALSE(s.records("Steve2"));
  CHECK_FALSE(s.records(""));
  s.players.clear();
  CHECK_FALSE(s.enabled());
  CHECK_FALSE(s.records("Steve"));
  s.all_players = true;
  CHECK(s.enabled());
  CHECK(s.records("anyone"));
  CHECK_FALSE(s.records(""));  // a connection that never named its player
}

TEST_CASE("recordings: mistakes name file, line and column", "[config][recordings]") {
  CHECK(error_of("recordings:\n  player: [Steve]\n") == "r.yml:2:3: recordings.player: unknown key");
  CHECK(error_of("recordings:\n  players: Steve\n") ==
        "r.yml:2:12: recordings.players: expected a list of player names such as [Notch, jeb_]");
  CHECK(error_of("recordings:\n  players: [Steve, STEVE]\n") ==
        "r.yml:2:20: recordings.players: 'STEVE' is listed twice (names ignore case)");
  CHECK(error_of("recordings:\n  players: ['../etc']\n") ==
        "r.yml:2:13: recordings.players: expected a player name (1 to 16 letters, digits or _), got '../etc'");
  CHECK(error_of("recordings:\n  folder: ''\n") == "r.yml:2:11: recordings.folder: expected a folder name");
  CHECK(error_of("recordings:\n  queue_bytes: 1000\n") ==
        "r.yml:2:16: recordings.queue_bytes: must be between 1048576 and 4294967296, got 1000");
  CHECK(error_of("recordings:\n  max_age: forever\n").starts_with("r.yml:2:12: recordings.max_age: expected a duration"));
  CHECK(error_of("recordings:\n  all_players: yes please\n") ==
        "r.yml:2:16: recordings.all_players: expected true or false, got 'yes please'");
}

}  // namespace recordings_config_test
