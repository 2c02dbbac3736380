// config.yml's `punishments:`, `rcon:` and `webhook:` sections
// (adapters/punishments_config_loader.hpp, adapters/config_loader.hpp).

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "rustguard/adapters/config_loader.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace punishments_config_test {

using rustguard::Config;
using rustguard::adapters::ConfigError;
using rustguard::adapters::parse_config;
using namespace rustguard::actions;
using namespace std::chrono_literals;

namespace {

std::string error_of(const std::string& yaml) {
  try {
    (void)parse_config(yaml, "p.yml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  FAIL("accepted: " << yaml);
  return {};
}

// A group around one step, so each case shows only what it is about.
std::string one_step(const std::string& step_lines) {
  return "punishments:\n"
         "  groups:\n"
         "    combat:\n"
         "      checks: [combat.*]\n"
         "      steps:\n" +
         step_lines;
}

// A directory of its own under the system's temp dir, removed at the end:
// webhook.ca_file must name a readable PEM file.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() /
           ("rustguard-config-test-" + std::to_string(reinterpret_cast<std::uintptr_t>(this)) + "-" +
            std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name, std::ios::binary) << text;
    return (path / name).string();
  }
};

}  // namespace

TEST_CASE("punishments: a full ladder is read as written", "[config][punishments]") {
  const Config c = parse_config(
      "punishments:\n"
      "  strike_expiry: 7d\n"
      "  server_name: survival\n"
      "  groups:\n"
      "    combat:\n"
      "      checks: [\"combat.*\", \"killaura.*\", \"aim.*\", \"!aim.duplicate\"]\n"
      "      cooldown: 30s\n"
      "      steps:\n"
      "        - vl: 10\n"
      "          within: 60s\n"
      "          do: [alert]\n"
      "        - vl: 40\n"
      "          strike: true\n"
      "          do:\n"
      "            - kick: \"Unfair advantage (%check%)\"\n"
      "        - strikes: 3\n"
      "          do:\n"
      "            - command: \"ban %player% Cheating (%check%, %vl%)\"\n"
      "            - alert: \"%player% banned after 3 strikes\"\n"
      "    movement:\n"
      "      checks: [movement.*, timer.balance]\n"
      "      cooldown: 0\n"
      "      steps:\n"
      "        - {vl: 2.5, within: 500ms, do: [cancel, setback, kick]}\n",
      "p.yml");

  Punishments expected;
  expected.strike_expiry_ms = 7LL * 24 * 3600 * 1000;
  expected.server_name = "survival";
  PunishmentGroup combat;
  combat.name = "combat";
  combat.checks = {{"combat.*", false}, {"killaura.*", false}, {"aim.*", false}, {"aim.duplicate", true}};
  combat.cooldown_ms = 30'000;
  combat.steps = {
      LadderStep{StepMeasure::vl, 10, 60'000, {{ActionType::alert, ""}}, false},
      LadderStep{StepMeasure::vl, 40, 60'000, {{ActionType::kick, "Unfair advantage (%check%)"}}, true},
      LadderStep{StepMeasure::strikes,
                 3,
                 60'000,
                 {{ActionType::command, "ban %player% Cheating (%check%, %vl%)"},
                  {ActionType::alert, "%player% banned after 3 strikes"}},
                 false},
  };
  PunishmentGroup movement;
  movement.name = "movement";
  movement.checks = {{"movement.*", false}, {"timer.balance", false}};
  movement.cooldown_ms = 0;
  movement.steps = {LadderStep{
      StepMeasure::vl, 2.5, 500, {{ActionType::cancel, ""}, {ActionType::setback, ""}, {ActionType::kick, ""}}, false}};
  expected.groups = {combat, movement};

  const Punishments& p = c.checks.punishments;
  // Field by field first, so a failure says which.
  REQUIRE(p.groups.size() == 2);
  CHECK(p.groups[0].name == "combat");  // file order, not sorted
  CHECK(p.groups[1].name == "movement");
  CHECK(p.groups[0].checks == combat.checks);
  CHECK(p.groups[0].steps[1].actions[0].text == "Unfair advantage (%check%)");
  CHECK(p.groups[0].steps[2].measure == StepMeasure::strikes);
  CHECK(p.groups[0].steps[2].at == 3);
  CHECK(p.groups[1].steps[0].within_ms == 500);
  CHECK(p == expected);
  // The rest of the config keeps its defaults.
  Config rest = c;
  rest.checks.punishments = {};
  CHECK(rest == Config{});
}

TEST_CASE("punishments: defaults and durations", "[config][punishments]") {
  CHECK(parse_config("punishments:\n", "p.yml").checks.punishments == Punishments{});
  CHECK(parse_config("punishments: {groups: {}}\n", "p.yml").checks.punishments.groups.empty());
  CHECK(Punishments{}.strike_expiry_ms == 604'800'000);

  const auto expiry = [](const std::string& text) {
    return parse_config("punishments:\n  strike_expiry: " + text + "\n", "p.yml").checks.punishments.strike_expiry_ms;
  };
  CHECK(expiry("1500ms") == 1'500);
  CHECK(expiry("90s") == 90'000);
  CHECK(expiry("10m") == 600'000);
  CHECK(expiry("2h") == 7'200'000);
  CHECK(expiry("30d") == 2'592'000'000);
  CHECK(expiry("45000") == 45'000);  // a plain number is milliseconds

  // How often a fleet's proxies read each other's strikes.
  CHECK(Punishments{}.strike_sync_ms == 2'000);
  CHECK(parse_config("punishments:\n  strike_sync: 500ms\n", "p.yml").checks.punishments.strike_sync_ms == 500);
  CHECK(parse_config("punishments:\n  strike_sync: 1m\n", "p.yml").checks.punishments.strike_sync_ms == 60'000);

  // A step's defaults: within 60 s, no strike; the group's cooldown 30 s.
  const auto p = parse_config(one_step("        - vl: 5\n          do: [alert]\n"), "p.yml").checks.punishments;
  REQUIRE(p.groups.size() == 1);
  CHECK(p.groups[0].cooldown_ms == 30'000);
  CHECK(p.groups[0].steps[0].within_ms == 60'000);
  CHECK_FALSE(p.groups[0].steps[0].strike);
  CHECK(p.groups[0].steps[0].actions == std::vector<ActionSpec>{{ActionType::alert, ""}});
}

TEST_CASE("punishments: mistakes name file, line and column", "[config][punishments]") {
  // Unknown keys, at every level.
  CHECK(error_of("punishments:\n  strike_expire: 7d\n") == "p.yml:2:3: punishments.strike_expire: unknown key");
  CHECK(error_of("punishments:\n  groups:\n    combat:\n      checks: [combat.*]\n      cooldwn: 5s\n") ==
        "p.yml:5:7: punishments.groups.combat.cooldwn: unknown key");
  CHECK(error_of(one_step("        - vl: 5\n          witin: 10s\n          do: [alert]\n")) ==
        "p.yml:7:11: punishments.groups.combat.steps[1].witin: unknown key");
  CHECK(error_of("punishments:\n  groups:\n    a: {checks: [aim.*], steps: [{vl: 1, do: [alert]}]}\n"
                 "    a: {checks: [aim.*], steps: [{vl: 1, do: [alert]}]}\n") ==
        "p.yml:4:5: punishments.groups.a: duplicate key");

  // Empty groups, missing or empty checks and steps.
  CHECK(error_of("punishments:\n  groups:\n    combat:\n") ==
        "p.yml:3:5: punishments.groups.combat: empty group: it needs checks and steps");
  CHECK(error_of("punishments:\n  groups:\n    combat: {}\n") ==
        "p.yml:3:5: punishments.groups.combat: empty group: it needs checks and steps");
  CHECK(error_of("punishments:\n  groups:\n    combat:\n      steps: [{vl: 1, do: [alert]}]\n") ==
        "p.yml:4:7: punishments.groups.combat.checks: a group needs checks: (the check keys it covers)");
  CHECK(error_of("punishments:\n  groups:\n    combat:\n      checks: [combat.*]\n") ==
        "p.yml:4:7: punishments.groups.combat.steps: a group needs steps: (its ladder)");
  CHECK(error_of("punishments:\n  groups:\n    combat:\n      checks: [combat.*]\n      steps: []\n") ==
        "p.yml:5:14: punishments.groups.combat.steps: expected a non-empty list of steps");
  CHECK(error_of("punishments:\n  groups:\n    combat:\n      checks: []\n      steps: [{vl: 1, do: [alert]}]\n") ==
        "p.yml:4:15: punishments.groups.combat.checks: expected a non-empty list of check keys such as "
        "[\"combat.*\", \"!combat.hitbox\"]");

  // A pattern that matches no check, and patterns that leave none.
  CHECK(error_of("punishments:\n  groups:\n    combat:\n      checks: [combat.*, combat.rech]\n"
                 "      steps: [{vl: 1, do: [alert]}]\n") ==
        "p.yml:4:26: punishments.groups.combat.checks: 'combat.rech' matches no check (check keys are listed in "
        "docs/checks.md)");
  CHECK(error_of("punishments:\n  groups:\n    combat:\n      checks: [\"combat.*\", \"!fly.*\"]\n"
                 "      steps: [{vl: 1, do: [alert]}]\n") ==
        "p.yml:4:28: punishments.groups.combat.checks: '!fly.*' matches no check (check keys are listed in "
        "docs/checks.md)");
  CHECK(error_of("punishments:\n  groups:\n    combat:\n      checks: [\"combat.reach\", \"!combat.*\"]\n"
                 "      steps: [{vl: 1, do: [alert]}]\n") ==
        "p.yml:4:15: punishments.groups.combat.checks: the patterns leave no check in the group");
  CHECK(error_of("punishments:\n  groups:\n    combat:\n      checks: [\"!combat.reach\"]\n"
                 "      steps: [{vl: 1, do: [alert]}]\n") ==
        "p.yml:4:15: punishments.groups.combat.checks: the patterns leave no check in the group");

  // vl and strikes: exactly one, above 0.
  CHECK(error_of(one_step("        - vl: 5\n          strikes: 2\n          do: [alert]\n")) ==
        "p.yml:7:20: punishments.groups.combat.steps[1].strikes: a step fires on vl or on strikes, not both");
  CHECK(error_of(one_step("        - strike: true\n          do: [alert]\n")) ==
        "p.yml:6:11: punishments.groups.combat.steps[1]: a step needs vl: or strikes:");
  CHECK(error_of(one_step("        - vl: 0\n          do: [alert]\n")) ==
        "p.yml:6:15: punishments.groups.combat.steps[1].vl: must be above 0, got 0");
  CHECK(error_of(one_step("        - vl: -3.5\n          do: [alert]\n")) ==
        "p.yml:6:15: punishments.groups.combat.steps[1].vl: must be above 0, got -3.5");
  CHECK(error_of(one_step("        - {vl: 1, do: [alert]}\n        - strikes: -1\n          do: [alert]\n")) ==
        "p.yml:7:20: punishments.groups.combat.steps[2].strikes: must be above 0, got -1");
  CHECK(error_of(one_step("        - strikes: 1.5\n          do: [alert]\n")) ==
        "p.yml:6:20: punishments.groups.combat.steps[1].strikes: expected an integer, got '1.5'");
  CHECK(error_of(one_step("        - strikes: 3\n          within: 60s\n          do: [alert]\n")) ==
        "p.yml:7:19: punishments.groups.combat.steps[1].within: only a vl step has a window (strikes expire after "
        "strike_expiry)");

  // Durations.
  CHECK(error_of("punishments:\n  strike_expiry: 7 days\n") ==
        "p.yml:2:18: punishments.strike_expiry: expected a duration such as 500ms, 30s, 10m, 2h, 7d or milliseconds, "
        "got '7 days'");
  CHECK(error_of("punishments:\n  strike_expiry: 0s\n") ==
        "p.yml:2:18: punishments.strike_expiry: must be between 1s and 3650d, got 0s");
  CHECK(error_of("punishments:\n  strike_sync: 100ms\n") ==
        "p.yml:2:16: punishments.strike_sync: must be between 200ms and 1h, got 100ms");
  CHECK(error_of(one_step("        - vl: 5\n          within: -1s\n          do: [alert]\n")) ==
        "p.yml:7:19: punishments.groups.combat.steps[1].within: must be between 1ms and 1d, got -1s");

  // Actions.
  CHECK(error_of(one_step("        - vl: 5\n          do: [ban]\n")) ==
        "p.yml:7:16: punishments.groups.combat.steps[1].do[1]: expected alert, cancel, setback, kick, or "
        "{alert|kick|command: text}, got 'ban'");
  CHECK(error_of(one_step("        - vl: 5\n          do: [alert, command]\n")) ==
        "p.yml:7:23: punishments.groups.combat.steps[1].do[2]: command needs the console command to run, e.g. "
        "{command: \"kick %player% cheating\"}");
  CHECK(error_of(one_step("        - vl: 5\n          do: [{command: \"\"}]\n")) ==
        "p.yml:7:26: punishments.groups.combat.steps[1].do[1]: command needs the console command to run, e.g. "
        "{command: \"kick %player% cheating\"}");
  CHECK(error_of(one_step("        - vl: 5\n          do:\n            - cancel: now\n")) ==
        "p.yml:8:23: punishments.groups.combat.steps[1].do[1]: cancel takes no text");
  CHECK(error_of(one_step("        - vl: 5\n          do:\n            - {kick: a, alert: b}\n")) ==
        "p.yml:8:15: punishments.groups.combat.steps[1].do[1]: one action per entry: write each {name: text} as its "
        "own list item");
  CHECK(error_of(one_step("        - vl: 5\n          do: []\n")) ==
        "p.yml:7:15: punishments.groups.combat.steps[1].do: expected a non-empty list of actions such as [alert] or "
        "[{kick: text}]");
  CHECK(error_of(one_step("        - vl: 5\n")) ==
        "p.yml:6:11: punishments.groups.combat.steps[1].do: a step needs do: (the actions it fires)");

  // cancel and setback act on a packet; a strikes step has none.
  CHECK(error_of(one_step("        - strikes: 2\n          do: [alert, cancel]\n")) ==
        "p.yml:7:23: punishments.groups.combat.steps[1].do[2]: cancel acts on the packet that flagged: a strikes "
        "step has none (use it in a vl step)");
  CHECK(error_of(one_step("        - strikes: 2\n          do:\n            - setback\n")) ==
        "p.yml:8:15: punishments.groups.combat.steps[1].do[1]: setback acts on the packet that flagged: a strikes "
        "step has none (use it in a vl step)");

  // Placeholders.
  CHECK(error_of(one_step("        - vl: 5\n          do:\n            - kick: \"Bye %name%\"\n")) ==
        "p.yml:8:21: punishments.groups.combat.steps[1].do[1]: unknown placeholder %name%; known: %player% %uuid% "
        "%check% %type% %vl% %ping% %version% %detail% %server% %group%");
  CHECK(error_of(one_step("        - vl: 5\n          do: [{alert: \"%Player% flagged\"}]\n")) ==
        "p.yml:7:24: punishments.groups.combat.steps[1].do[1]: unknown placeholder %Player%; known: %player% %uuid% "
        "%check% %type% %vl% %ping% %version% %detail% %server% %group%");
  CHECK(error_of(one_step("        - strikes: 1\n          do:\n            - command: \"ban %player% %reason%\"\n")) ==
        "p.yml:8:24: punishments.groups.combat.steps[1].do[1]: unknown placeholder %reason%; known: %player% "
        "%uuid% %check% %type% %vl% %ping% %version% %detail% %server% %group%");
}

TEST_CASE("punishments: every placeholder is accepted, a lone % is text", "[config][punishments]") {
  const std::string text =
      "%player% %uuid% %check% %type% %vl% %ping% %version% %detail% %server% %group% at 100% (50% off) 5%";
  const auto p =
      parse_config(one_step("        - vl: 5\n          do:\n            - alert: \"" + text + "\"\n"), "p.yml")
          .checks.punishments;
  REQUIRE(p.groups.size() == 1);
  CHECK(p.groups[0].steps[0].actions == std::vector<ActionSpec>{{ActionType::alert, text}});
}

TEST_CASE("punishments: duration text round trip", "[config][punishments]") {
  using rustguard::adapters::detail::format_duration_ms;
  using rustguard::adapters::detail::parse_duration_ms;
  CHECK(format_duration_ms(604'800'000) == "7d");
  CHECK(format_duration_ms(7'200'000) == "2h");
  CHECK(format_duration_ms(90'000) == "90s");
  CHECK(format_duration_ms(1'500) == "1500ms");
  CHECK(format_duration_ms(0) == "0ms");
  CHECK(parse_duration_ms("7d") == 604'800'000);
  CHECK_FALSE(parse_duration_ms("7 d"));
  CHECK_FALSE(parse_duration_ms("d"));
  CHECK_FALSE(parse_duration_ms("1.5s"));
  CHECK_FALSE(parse_duration_ms("10 "));
  CHECK(parse_duration_ms("99999999999999999999d") == INT64_MAX);
}

TEST_CASE("rcon: read, off by default", "[config][rcon]") {
  CHECK_FALSE(Config{}.rcon.enabled);
  const Config c = parse_config(
      "rcon:\n"
      "  enabled: true\n"
      "  host: mc.internal\n"
      "  port: 25580\n"
      "  password: hunter2\n"
      "  connect_timeout: 2s\n"
      "  command_timeout: 1500ms\n"
      "  queue_timeout: 5m\n"
      "  queue_capacity: 64\n",
      "p.yml");
  CHECK(c.rcon.enabled);
  CHECK(c.rcon.host == "mc.internal");
  CHECK(c.rcon.port == 25580);
  CHECK(c.rcon.password == "hunter2");
  CHECK(c.rcon.connect_timeout == 2s);
  CHECK(c.rcon.command_timeout == 1500ms);
  CHECK(c.rcon.queue_timeout == 5min);
  CHECK(c.rcon.queue_capacity == 64);
  // Not in the file: the client's own.
  CHECK(c.rcon.first_backoff == 500ms);
  CHECK(c.rcon.max_backoff == 30s);
  // The proxy's client takes the same struct.
  const rustguard::RconSettings& s = c.rcon;
  CHECK(&s == &c.rcon);

  // Disabled, nothing else is required.
  CHECK(parse_config("rcon:\n  enabled: false\n", "p.yml").rcon == rustguard::RconSettings{});
}

TEST_CASE("rcon: mistakes name file, line and column", "[config][rcon]") {
  CHECK(error_of("rcon:\n  enabled: true\n  pasword: x\n") == "p.yml:3:3: rcon.pasword: unknown key");
  CHECK(error_of("rcon:\n  enabled: true\n") == "p.yml:2:12: rcon.password: required when rcon is enabled");
  CHECK(error_of("rcon:\n  enabled: true\n  password: ''\n") ==
        "p.yml:3:13: rcon.password: required when rcon is enabled");
  CHECK(error_of("rcon:\n  port: 70000\n") == "p.yml:2:9: rcon.port: must be between 1 and 65535, got 70000");
  CHECK(error_of("rcon:\n  command_timeout: 5 s\n") ==
        "p.yml:2:20: rcon.command_timeout: expected a duration such as 500ms, 30s, 10m, 2h, 7d or milliseconds, got "
        "'5 s'");
  CHECK(error_of("rcon:\n  connect_timeout: 10ms\n") ==
        "p.yml:2:20: rcon.connect_timeout: must be between 100ms and 10m, got 10ms");
  CHECK(error_of("rcon:\n  queue_capacity: 0\n") ==
        "p.yml:2:19: rcon.queue_capacity: must be between 1 and 1000000, got 0");
  CHECK(error_of("rcon:\n  enabled: sometimes\n") ==
        "p.yml:2:12: rcon.enabled: expected true or false, got 'sometimes'");
  CHECK(error_of("rcon:\n  host: ''\n") == "p.yml:2:9: rcon.host: empty host");
}

TEST_CASE("webhook: read, off by default", "[config][webhook]") {
  CHECK_FALSE(Config{}.webhook.enabled);
  const TempDir dir;
  const std::string ca = dir.write("private-ca.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
  const Config c = parse_config(
      "webhook:\n"
      "  enabled: true\n"
      "  url: https://discord.com/api/webhooks/1/abc\n"
      "  interval: 30s\n"
      "  timeout: 4s\n"
      "  max_attempts: 6\n"
      "  queue_capacity: 50\n"
      "  include_addresses: false\n"
      "  ca_file: '" + ca + "'\n"
      "  username: Guard\n"
      "  content: \"<@&123> alert\"\n",
      "p.yml");
  CHECK(c.webhook.enabled);
  CHECK(c.webhook.url == "https://discord.com/api/webhooks/1/abc");
  CHECK(c.webhook.interval == 30s);
  CHECK(c.webhook.timeout == 4s);
  CHECK(c.webhook.max_attempts == 6);
  CHECK(c.webhook.queue_capacity == 50);
  CHECK_FALSE(c.webhook.include_addresses);
  CHECK(c.webhook.ca_file == ca);
  CHECK(c.webhook.username == "Guard");
  CHECK(c.webhook.content == "<@&123> alert");
  CHECK(c.webhook.stop_grace == 2s);  // not in the file

  // http only to this machine.
  CHECK(parse_config("webhook:\n  enabled: true\n  url: http://127.0.0.1:8080/hook\n", "p.yml").webhook.url ==
        "http://127.0.0.1:8080/hook");
  CHECK(parse_config("webhook:\n  enabled: true\n  url: http://localhost/hook\n", "p.yml").webhook.url ==
        "http://localhost/hook");
  CHECK(parse_config("webhook:\n  enabled: false\n", "p.yml").webhook == rustguard::WebhookSettings{});
}

TEST_CASE("webhook: mistakes name file, line and column", "[config][webhook]") {
  CHECK(error_of("webhook:\n  enabled: true\n") == "p.yml:2:12: webhook.url: required when the webhook is enabled");
  CHECK(error_of("webhook:\n  enabled: true\n  url: ''\n") ==
        "p.yml:3:8: webhook.url: required when the webhook is enabled");
  CHECK(error_of("webhook:\n  enabled: true\n  url: http://hooks.example.com/x\n") ==
        "p.yml:3:8: webhook.url: http:// is allowed only to 127.0.0.1 or localhost (the URL holds the webhook's "
        "token): use https://, got 'http://hooks.example.com/x'");
  // localhost.evil.com is not localhost.
  CHECK(error_of("webhook:\n  enabled: true\n  url: http://localhost.evil.com/x\n") ==
        "p.yml:3:8: webhook.url: http:// is allowed only to 127.0.0.1 or localhost (the URL holds the webhook's "
        "token): use https://, got 'http://localhost.evil.com/x'");
  CHECK(error_of("webhook:\n  url: discord.com/api/webhooks/1/abc\n") ==
        "p.yml:2:8: webhook.url: expected an https:// URL, got 'discord.com/api/webhooks/1/abc'");
  CHECK(error_of("webhook:\n  url: https:///x\n") == "p.yml:2:8: webhook.url: no host in 'https:///x'");
  CHECK(error_of("webhook:\n  max_attempts: 0\n") ==
        "p.yml:2:17: webhook.max_attempts: must be between 1 and 100, got 0");
  CHECK(error_of("webhook:\n  interval: soon\n") ==
        "p.yml:2:13: webhook.interval: expected a duration such as 500ms, 30s, 10m, 2h, 7d or milliseconds, got "
        "'soon'");
  CHECK(error_of("webhook:\n  include_addreses: false\n") == "p.yml:2:3: webhook.include_addreses: unknown key");
  CHECK(error_of("webhook:\n  content: " + std::string(2001, 'x') + "\n") ==
        "p.yml:2:12: webhook.content: longer than 2000 bytes (Discord's limit)");
}

TEST_CASE("webhook: ca_file must be a readable PEM file", "[config][webhook]") {
  const TempDir dir;
  const std::string missing = (dir.path / "nope.pem").string();
  CHECK(error_of("webhook:\n  ca_file: '" + missing + "'\n") ==
        "p.yml:2:12: webhook.ca_file: no such file '" + missing + "'");
  CHECK(error_of("webhook:\n  enabled: false\n  ca_file: '" + dir.path.string() + "'\n") ==
        "p.yml:3:12: webhook.ca_file: '" + dir.path.string() + "' is a directory, expected a PEM file");
  const std::string der = dir.write("ca.der", std::string("\x30\x82\x01\x0a", 4));
  CHECK(error_of("webhook:\n  ca_file: '" + der + "'\n") ==
        "p.yml:2:12: webhook.ca_file: '" + der + "' holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
  // Empty: the system store, nothing to check.
  CHECK(parse_config("webhook:\n  ca_file: ''\n", "p.yml").webhook.ca_file.empty());
  // From the command line, the error names it.
  try {
    (void)parse_config("", "p.yml", {{"webhook.ca_file", missing}});
    FAIL("accepted a missing ca_file from --set");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()) == "command line: webhook.ca_file: no such file '" + missing + "'");
  }
}

TEST_CASE("punishments, rcon and webhook take --set overrides like any key", "[config][punishments]") {
  const Config c = parse_config("webhook:\n  url: https://example.com/h\n", "p.yml",
                                {{"webhook.enabled", "true"}, {"punishments.strike_expiry", "2d"}});
  CHECK(c.webhook.enabled);
  CHECK(c.checks.punishments.strike_expiry_ms == 2LL * 86'400'000);
  try {
    (void)parse_config("", "p.yml", {{"rcon.port", "0"}});
    FAIL("accepted");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()) == "command line: rcon.port: must be between 1 and 65535, got 0");
  }
}

}  // namespace punishments_config_test
