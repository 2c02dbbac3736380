// staff_alerts: in config.yml (adapters/staff_alerts_config_loader.hpp):
// values, defaults, and mistakes reported at their file:line:column.

#include <catch2/catch.hpp>

#include <string>

#include "rustguard/adapters/config_loader.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace staff_alerts_config_test {

using rustguard::Config;
using rustguard::StaffAlertSettings;
using rustguard::adapters::ConfigError;
using rustguard::adapters::parse_config;

namespace {
std::string error_of(const std::string& yaml) {
  try {
    (void)parse_config(yaml, "s.yml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  FAIL("config was accepted: " << yaml);
  return {};
}
}  // namespace

TEST_CASE("staff_alerts: read, off by default", "[config][staff_alerts]") {
  const StaffAlertSettings defaults = parse_config("", "s.yml").staff_alerts;
  CHECK_FALSE(defaults.enabled);
  CHECK(defaults.players.empty());
  CHECK(defaults.max_per_minute == 20);
  CHECK(defaults.prefix == "[RustGuard] ");

  const Config c = parse_config(
      "staff_alerts:\n  enabled: true\n  players: [Notch, jeb_, Mod_42]\n  max_per_minute: 5\n  prefix: '&c[AC] '\n",
      "s.yml");
  CHECK(c.staff_alerts.enabled);
  CHECK(c.staff_alerts.players == std::vector<std::string>{"Notch", "jeb_", "Mod_42"});
  CHECK(c.staff_alerts.max_per_minute == 5);
  CHECK(c.staff_alerts.prefix == "&c[AC] ");

  // An enabled, empty list is valid: nobody is staff yet.
  CHECK(parse_config("staff_alerts:\n  enabled: true\n  players: []\n", "s.yml").staff_alerts.players.empty());
}

TEST_CASE("staff_alerts: names compare without case, only while enabled", "[config][staff_alerts]") {
  StaffAlertSettings s = parse_config("staff_alerts:\n  enabled: true\n  players: [Notch]\n", "s.yml").staff_alerts;
  CHECK(s.is_staff("Notch"));
  CHECK(s.is_staff("nOTCH"));
  CHECK_FALSE(s.is_staff("Notch2"));
  CHECK_FALSE(s.is_staff("Notc"));
  CHECK_FALSE(s.is_staff(""));
  s.enabled = false;
  CHECK_FALSE(s.is_staff("Notch"));
}

TEST_CASE("staff_alerts: mistakes name file, line and column", "[config][staff_alerts]") {
  CHECK(error_of("staff_alerts:\n  player: [Notch]\n") == "s.yml:2:3: staff_alerts.player: unknown key");
  CHECK(error_of("staff_alerts:\n  players: Notch\n") ==
        "s.yml:2:12: staff_alerts.players: expected a list of player names such as [Notch, jeb_]");
  CHECK(error_of("staff_alerts:\n  players:\n    - Notch\n    - 'jeb_, Dinnerbone'\n") ==
        "s.yml:4:7: staff_alerts.players: expected a player name (1 to 16 letters, digits or _), got 'jeb_, "
        "Dinnerbone'");
  CHECK(error_of("staff_alerts:\n  players: [Notch, NOTCH]\n") ==
        "s.yml:2:20: staff_alerts.players: 'NOTCH' is listed twice (names ignore case)");
  CHECK(error_of("staff_alerts:\n  players: [ThisNameIsWayTooLong]\n") ==
        "s.yml:2:13: staff_alerts.players: expected a player name (1 to 16 letters, digits or _), got "
        "'ThisNameIsWayTooLong'");
  CHECK(error_of("staff_alerts:\n  max_per_minute: 0\n") ==
        "s.yml:2:19: staff_alerts.max_per_minute: must be between 1 and 600, got 0");
  CHECK(error_of("staff_alerts:\n  enabled: maybe\n") ==
        "s.yml:2:12: staff_alerts.enabled: expected true or false, got 'maybe'");
  CHECK(error_of("staff_alerts: [Notch]\n") == "s.yml:1:15: staff_alerts: expected a mapping");
}

TEST_CASE("staff_alerts take --set overrides like any key", "[config][staff_alerts]") {
  const Config c = parse_config("", "s.yml", {{"staff_alerts.enabled", "true"}, {"staff_alerts.players", "[Alex]"}});
  CHECK(c.staff_alerts.enabled);
  CHECK(c.staff_alerts.is_staff("alex"));
  try {
    (void)parse_config("", "s.yml", {{"staff_alerts.max_per_minute", "1000"}});
    FAIL("accepted");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()) == "command line: staff_alerts.max_per_minute: must be between 1 and 600, got 1000");
  }
}

}  // namespace staff_alerts_config_test
