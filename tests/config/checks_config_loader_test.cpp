#include <catch2/catch.hpp>

#include <string>

#include "rustguard/adapters/config_loader.hpp"
#include "rustguard/adapters/checks_config_loader.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace checks_config_loader_test {

using rustguard::adapters::ConfigError;
using rustguard::engine::EngineConfig;
namespace checks = rustguard::checks;

namespace {
EngineConfig load(const std::string& yaml) {
  rustguard::adapters::detail::ConfigReader reader("checks.yml", {});
  EngineConfig out;
  rustguard::adapters::detail::read_checks(reader, YAML::Load(yaml)["checks"], out);
  return out;
}
std::string error_of(const std::string& yaml) {
  try {
    (void)load(yaml);
  } catch (const ConfigError& e) {
    return e.what();
  }
  FAIL("accepted: " << yaml);
  return {};
}
}  // namespace

TEST_CASE("No checks section means the checks' own defaults", "[config][checks]") {
  CHECK(load("listen: 1.2.3.4:5\n") == EngineConfig{});
  CHECK(load("checks: {}\n") == EngineConfig{});
}

TEST_CASE("Limits, parameters and engine settings are read by check key", "[config][checks]") {
  const EngineConfig c = load(
      "checks:\n"
      "  engine:\n"
      "    heartbeat_ms: 500\n"
      "  movement:\n"
      "    speed:\n"
      "      alert_vl: 4.5\n"
      "      kick_vl: 40\n"
      "      slippery_surfaces: false\n"
      "    fly:\n"
      "      climb_down: -0.2\n"
      "  timer:\n"
      "    balance:\n"
      "      tolerance_ms: 200\n"
      "    negative:\n"
      "      enabled: false\n"
      "  badpackets:\n"
      "    pitch:\n"
      "      max_pitch: 90.5\n");
  CHECK(c.engine.heartbeat_ms == 500);
  const auto& speed = c.get<checks::movement::SpeedCheck>();
  CHECK(speed.limits.alert_vl == 4.5);
  CHECK(speed.limits.kick_vl == 40);
  CHECK_FALSE(speed.params.slippery_surfaces);
  CHECK(c.get<checks::movement::FlyCheck>().params.climb_down == -0.2);
  CHECK(c.get<checks::timer::BalanceCheck>().params.tolerance_ms == 200);
  CHECK_FALSE(c.get<checks::timer::NegativeCheck>().limits.enabled);
  CHECK(c.get<checks::timer::BalanceCheck>().limits.enabled);
  CHECK(c.get<checks::badpackets::PitchCheck>().params.max_pitch == 90.5);
  // Untouched checks keep their defaults.
  CHECK(c.get<checks::movement::NoFallCheck>() == EngineConfig{}.get<checks::movement::NoFallCheck>());
}

TEST_CASE("Mistakes in the checks section name file, line and column", "[config][checks]") {
  CHECK(error_of("checks:\n  movement:\n    sped:\n      alert_vl: 3\n") ==
        "checks.yml:3:5: checks.movement.sped: unknown key");
  CHECK(error_of("checks:\n  timer:\n    balance:\n      tolerance_ms: soon\n") ==
        "checks.yml:4:21: checks.timer.balance.tolerance_ms: expected an integer, got 'soon'");
  // `timer` was Timer's own key before it became `timer.balance`.
  CHECK(error_of("checks:\n  timer:\n    tolerance_ms: 200\n") ==
        "checks.yml:3:5: checks.timer.tolerance_ms: unknown key");
  CHECK(error_of("checks:\n  timer:\n    negative:\n      enabled: maybe\n") ==
        "checks.yml:4:16: checks.timer.negative.enabled: expected true or false");
  CHECK(error_of("checks:\n  movement: 3\n") == "checks.yml:2:13: checks.movement: expected a mapping");
}

TEST_CASE("config.yml's checks section and --set overrides reach the engine config", "[config][checks]") {
  const auto c = rustguard::adapters::parse_config("checks:\n  movement:\n    speed:\n      alert_vl: 7\n", "x.yml",
                                                   {{"checks.timer.negative.kick_vl", "30"}});
  CHECK(c.checks.get<checks::movement::SpeedCheck>().limits.alert_vl == 7);
  CHECK(c.checks.get<checks::timer::NegativeCheck>().limits.kick_vl == 30);
  try {
    (void)rustguard::adapters::parse_config("", "x.yml", {{"checks.movement.speed.alert_vl", "lots"}});
    FAIL("accepted");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()) == "command line: checks.movement.speed.alert_vl: expected a number, got 'lots'");
  }
}

}  // namespace checks_config_loader_test
