// What the proxy derives from the core: the shared runtime config, and the
// metrics it counts from the core's events. (How the core reports - events,
// cancels, kicks, transactions, deadlines - is tested through PlayerSession
// in tests/session/player_session_events_test.cpp; the rows it leads to in
// tests/storage/session_recorder_test.cpp.)

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "../../tools/proxy/metrics.hpp"
#include "../../tools/proxy/proxy_state.hpp"
#include "rustguard/net/ip_address.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace engine_reporting_test {

using namespace rustguard;

TEST_CASE("RuntimeConfig shares one engine config with the checks' settings, and knows its trusted peers",
          "[proxy][engine]") {
  Config config;
  config.checks.get<checks::timer::BalanceCheck>().limits.alert_vl = 7;
  config.checks.get<checks::badpackets::PitchCheck>().limits.enabled = false;
  config.proxy_protocol.trusted = {"10.0.0.0/8", "2001:db8::/32"};
  const proxy::RuntimeConfig runtime{config};
  REQUIRE(runtime.engine);
  CHECK(*runtime.engine == config.checks);
  CHECK(runtime.engine->get<checks::timer::BalanceCheck>().limits.alert_vl == 7);
  CHECK_FALSE(runtime.engine->get<checks::badpackets::PitchCheck>().limits.enabled);
  // Every connection accepted under it holds the same engine config.
  const std::shared_ptr<const engine::EngineConfig> held = runtime.engine;
  CHECK(held.get() == runtime.engine.get());

  // A reload builds a new one; connections holding the old one keep it.
  Config reloaded = config;
  reloaded.checks.get<checks::timer::BalanceCheck>().limits.alert_vl = 9;
  const proxy::RuntimeConfig next{reloaded};
  CHECK(next.engine.get() != held.get());
  CHECK(next.engine->get<checks::timer::BalanceCheck>().limits.alert_vl == 9);
  CHECK(held->get<checks::timer::BalanceCheck>().limits.alert_vl == 7);

  REQUIRE(runtime.trusted.size() == 2);
  CHECK(runtime.is_trusted(net::IpAddress::v4(10, 1, 2, 3)));
  CHECK_FALSE(runtime.is_trusted(net::IpAddress::v4(192, 0, 2, 1)));
  CHECK(runtime.is_trusted(*net::parse_ip_address("2001:db8::7")));
  CHECK_FALSE(runtime.is_trusted(*net::parse_ip_address("2001:db9::7")));
  CHECK_FALSE(proxy::RuntimeConfig{Config{}}.is_trusted(net::IpAddress::v4(10, 1, 2, 3)));
}

TEST_CASE("Metrics count detections per check and show the violation log's figures", "[proxy][metrics]") {
  proxy::Metrics m;
  m.violations.add("movement.speed");
  m.violations.add("movement.speed");
  m.alerts.add("movement.speed");
  m.kicks.add("malformed");  // no check of that name: "other"
  m.cancels.add("badpackets.pitch", 3);
  m.transactions(5, 4);
  CHECK(m.violations.get("movement.speed") == 2);
  CHECK(m.violations.total() == 2);
  std::string text = m.render();
  const auto has = [&](const std::string& line) { return text.find("\n" + line + "\n") != std::string::npos; };
  CHECK(has("rustguard_violations_total{check=\"movement.speed\"} 2"));
  CHECK(has("rustguard_violations_total{check=\"timer.balance\"} 0"));
  CHECK(has("rustguard_alerts_total{check=\"movement.speed\"} 1"));
  CHECK(has("rustguard_kicks_total{check=\"other\"} 1"));
  CHECK(has("rustguard_cancels_total{check=\"badpackets.pitch\"} 3"));
  CHECK(has("rustguard_transactions_sent_total 5"));
  CHECK(has("rustguard_transactions_answered_total 4"));
  CHECK(text.find("rustguard_violation_log_records_total") == std::string::npos);  // no log attached

  m.storage = [] { return proxy::StorageFigures{10, 7, 2, 1, 3, 1, 0}; };
  text = m.render();
  CHECK(has("rustguard_violation_log_records_total{outcome=\"accepted\"} 10"));
  CHECK(has("rustguard_violation_log_records_total{outcome=\"written\"} 7"));
  CHECK(has("rustguard_violation_log_records_total{outcome=\"spilled\"} 2"));
  CHECK(has("rustguard_violation_log_records_total{outcome=\"imported\"} 1"));
  CHECK(has("rustguard_violation_log_records_total{outcome=\"dropped\"} 1"));
  CHECK(has("rustguard_violation_log_retries_total 3"));
}

}  // namespace engine_reporting_test
