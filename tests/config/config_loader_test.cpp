#include <catch2/catch.hpp>

#include <string>

#include "rustguard/adapters/config_loader.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace config_loader_test {

using rustguard::Config;
using rustguard::LogLevel;
using rustguard::UnknownVersionPolicy;
using rustguard::adapters::ConfigError;
using rustguard::adapters::load_config;
using rustguard::adapters::parse_config;

namespace {
// Returns the error text for a config that must be rejected.
std::string error_of(const std::string& yaml) {
  try {
    (void)parse_config(yaml, "test.yml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  FAIL("config was accepted: " << yaml);
  return {};
}
}  // namespace

TEST_CASE("The shipped config.yml holds exactly the defaults", "[config]") {
  const Config c = load_config(std::string(RUSTGUARD_SOURCE_DIR) + "/config.yml");
  // Except the punishment ladders: none by default, two examples shipped.
  using namespace rustguard::actions;
  Punishments ladders;
  ladders.server_name = "survival";
  ladders.strike_expiry_ms = 7LL * 24 * 3600 * 1000;
  PunishmentGroup movement;
  movement.name = "movement";
  movement.checks = {{"movement.*", false}, {"timer.*", false}};
  movement.steps = {LadderStep{StepMeasure::vl, 20, 60'000, {{ActionType::alert, ""}}, false}};
  PunishmentGroup combat;
  combat.name = "combat";
  combat.checks = {{"combat.*", false},      {"killaura.*", false}, {"aim.*", false},
                   {"autoclicker.*", false}, {"model.*", false}};
  combat.steps = {LadderStep{StepMeasure::vl, 10, 60'000, {{ActionType::alert, ""}}, false},
                  LadderStep{StepMeasure::vl, 40, 60'000, {{ActionType::kick, "Kicked by RustGuard: %check%"}}, true}};
  ladders.groups = {movement, combat};
  CHECK(c.checks.punishments == ladders);
  // No ladder needs RCON, which ships off (as does the webhook).
  for (const auto& g : c.checks.punishments.groups) {
    for (const auto& step : g.steps) {
      for (const auto& a : step.actions) CHECK(a.type != ActionType::command);
    }
  }
  CHECK_FALSE(c.rcon.enabled);
  CHECK_FALSE(c.webhook.enabled);
  // And the model stage: the model trained on captures/model ships on.
  const auto& model = c.checks.get<rustguard::checks::model::CombatCheck>().params;
  CHECK(c.model_error.empty());
  REQUIRE(model.model != nullptr);
  CHECK(model.model->name == "combat");
  Config rest = c;
  rest.checks.punishments = Config{}.checks.punishments;
  auto& rest_model = rest.checks.get<rustguard::checks::model::CombatCheck>().params;
  rest_model.model_file.clear();
  rest_model.model.reset();
  CHECK(rest == Config{});
}

TEST_CASE("An empty file means every default", "[config]") {
  CHECK(parse_config("", "empty.yml") == Config{});
  CHECK(parse_config("# only a comment\n", "empty.yml") == Config{});
}

TEST_CASE("Values are read", "[config]") {
  const Config c = parse_config(
      "listen: 127.0.0.1:30000\nbackend: '[::1]:25570'\nthreads: 3\nlog_level: debug\n"
      "unknown_versions: refuse\ndatabase: /var/lib/rg.db\nlimits:\n  max_frame_bytes: 65536\n",
      "x.yml");
  CHECK(c.listen.host == "127.0.0.1");
  CHECK(c.listen.port == 30000);
  CHECK(c.backend.host == "::1");
  CHECK(c.backend.to_string() == "[::1]:25570");
  CHECK(c.threads == 3);
  CHECK(c.log_level == LogLevel::debug);
  CHECK(c.unknown_versions == UnknownVersionPolicy::refuse);
  CHECK(c.database == "/var/lib/rg.db");
  CHECK(c.limits.max_frame_bytes == 65536);
  CHECK(c.io_uring);  // the default
  CHECK_FALSE(parse_config("io_uring: false\n", "x.yml").io_uring);
}

TEST_CASE("Errors name file, line and column", "[config]") {
  CHECK(error_of("listen: 0.0.0.0:25565\nthreads: many\n") ==
        "test.yml:2:10: threads: expected an integer, got 'many'");
  CHECK(error_of("threads: 1\nbakend: 1.2.3.4:5\n") == "test.yml:2:1: bakend: unknown key");
  CHECK(error_of("limits:\n  max_frame_bytes: 5\n") ==
        "test.yml:2:20: limits.max_frame_bytes: must be between 1024 and 2097151, got 5");
  CHECK(error_of("log_level: loud\n") ==
        "test.yml:1:12: log_level: expected one of trace, debug, info, warn, error, off, got 'loud'");
  CHECK(error_of("threads: 1\nlog_level: info\nthreads: 2\n") == "test.yml:3:1: threads: duplicate key");
  CHECK(error_of("limits:\n  max_frame_bytes: 4096\n  max_frame_bytes: 8192\n") ==
        "test.yml:3:3: limits.max_frame_bytes: duplicate key");
  CHECK(error_of("listen: nowhere\n") == "test.yml:1:9: listen: expected HOST:PORT, got 'nowhere'");
  CHECK(error_of("threads: 2\nio_uring: maybe\n") == "test.yml:2:11: io_uring: expected true or false, got 'maybe'");
  // A YAML syntax error carries the parser's position.
  const std::string syntax = error_of("listen: [1, 2\n");
  CHECK(syntax.rfind("test.yml:", 0) == 0);
}

TEST_CASE("Command-line overrides pass the same validation", "[config]") {
  const Config c = parse_config("threads: 2\n", "x.yml", {{"listen", "127.0.0.1:1234"}, {"limits.max_frame_bytes", "4096"}});
  CHECK(c.threads == 2);
  CHECK(c.listen.port == 1234);
  CHECK(c.limits.max_frame_bytes == 4096);
  try {
    (void)parse_config("threads: 1\n", "x.yml", {{"threads", "-1"}});
    FAIL("negative threads accepted");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()) == "command line: threads: must be between 0 and 256, got -1");
  }
  CHECK_THROWS_AS(parse_config("", "x.yml", {{"nonsense.key", "1"}}), ConfigError);
}

TEST_CASE("A missing file is a ConfigError naming it", "[config]") {
  try {
    (void)load_config("/nonexistent/rustguard.yml");
    FAIL("missing file accepted");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()) == "/nonexistent/rustguard.yml: cannot open the file");
  }
}

TEST_CASE("Connection limits, messages and PROXY protocol settings are read", "[config]") {
  const Config c = parse_config(
      "connections:\n  login_timeout_ms: 2000\n  per_ip_rate: 0.5\n  per_ip_burst: 2\n  max_connections: 10\n"
      "  refuse_logins_lag_ms: 0\n"
      "messages:\n  shutdown: bye\n  motd: hello\n  overloaded: busy\n"
      "proxy_protocol:\n  trusted: [10.0.0.0/8, '2001:db8::/32', 127.0.0.1]\n  to_backend: true\n",
      "x.yml");
  CHECK(c.connections.login_timeout_ms == 2000);
  CHECK(c.connections.per_ip_rate == 0.5);
  CHECK(c.connections.per_ip_burst == 2);
  CHECK(c.connections.max_connections == 10);
  CHECK(c.connections.refuse_logins_lag_ms == 0);
  CHECK(c.messages.overloaded == "busy");
  CHECK(c.connections.idle_timeout_ms == rustguard::ConnectionLimits{}.idle_timeout_ms);
  CHECK(c.messages.shutdown == "bye");
  CHECK(c.messages.motd == "hello");
  CHECK(c.messages.backend_lost == rustguard::Messages{}.backend_lost);
  CHECK(c.proxy_protocol.trusted == std::vector<std::string>{"10.0.0.0/8", "2001:db8::/32", "127.0.0.1"});
  CHECK(c.proxy_protocol.to_backend);
}

TEST_CASE("Bad connection, message and PROXY protocol settings name their position", "[config]") {
  CHECK(error_of("proxy_protocol:\n  trusted: [10.0.0.0/8, 10.0.0.1/8]\n") ==
        "test.yml:2:25: proxy_protocol.trusted: expected a CIDR such as 10.0.0.0/8 or 2001:db8::/32, got "
        "'10.0.0.1/8'");
  CHECK(error_of("proxy_protocol:\n  trusted: 10.0.0.0/8\n") ==
        "test.yml:2:12: proxy_protocol.trusted: expected a list of CIDRs such as [10.0.0.0/8, '::1/128']");
  CHECK(error_of("proxy_protocol:\n  to_backend: maybe\n") ==
        "test.yml:2:15: proxy_protocol.to_backend: expected true or false, got 'maybe'");
  CHECK(error_of("connections:\n  per_ip_rate: 0\n") ==
        "test.yml:2:16: connections.per_ip_rate: must be between 0.001 and 1e+06, got 0");
  CHECK(error_of("connections:\n  idle_timout_ms: 5\n") == "test.yml:2:3: connections.idle_timout_ms: unknown key");
  CHECK(error_of("messages:\n  motd: [a]\n") == "test.yml:2:9: messages.motd: expected a string");
  CHECK(error_of("connections:\n  refuse_logins_lag_ms: 70000\n") ==
        "test.yml:2:25: connections.refuse_logins_lag_ms: must be between 0 and 60000, got 70000");
}

TEST_CASE("A list override from the command line is validated like the file", "[config]") {
  const Config c = parse_config("", "x.yml", {{"proxy_protocol.trusted", "['::1/128']"}});
  CHECK(c.proxy_protocol.trusted == std::vector<std::string>{"::1/128"});
  CHECK_THROWS_AS(parse_config("", "x.yml", {{"proxy_protocol.trusted", "[nope]"}}), ConfigError);
}

TEST_CASE("The violation log settings are read and checked", "[config]") {
  const Config c = parse_config("violation_log:\n  flush_interval_ms: 100\n  flush_rows: 500\n", "x.yml");
  CHECK(c.violation_log.flush_interval_ms == 100);
  CHECK(c.violation_log.flush_rows == 500);
  CHECK(c.violation_log.spill_after_ms == 5000);
  CHECK(error_of("violation_log:\n  flush_rows: 0\n") ==
        "test.yml:2:15: violation_log.flush_rows: must be between 1 and 1000000, got 0");
  CHECK(error_of("violation_log:\n  flush_every: 3\n") == "test.yml:2:3: violation_log.flush_every: unknown key");
}

}  // namespace config_loader_test
