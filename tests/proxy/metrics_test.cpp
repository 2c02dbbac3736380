#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "../../tools/proxy/admin_http.hpp"
#include "../../tools/proxy/metrics.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace metrics_test {

using rustguard::proxy::Limit;
using rustguard::proxy::Metrics;
using namespace std::chrono_literals;

namespace {
bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.rfind(line + "\n", 0) == 0;
}
}  // namespace

TEST_CASE("Metrics render in Prometheus text format", "[metrics]") {
  Metrics m;
  Metrics::add(m.connections_total, 3);
  Metrics::add(m.connections_current, 2);
  m.decode_error(rustguard::protocol::Errc::frame_too_large);
  m.limit_hit(Limit::per_ip_rate);
  m.limit_hit(Limit::per_ip_rate);
  m.player(765, 1);
  m.player(765, 1);
  m.player(765, -1);
  m.player(12345, 1);
  // Three reads: their frames, bytes and inspection times (0 us, 3 us, 1 s).
  m.read(/*serverbound=*/true, 10, 0, 0ns);
  m.read(false, 0, 4096, 3us);
  m.read(false, 0, 0, 1s);
  m.limit_hit(Limit::refuse_logins_lag);
  Metrics::add(m.timing_flags_held, 4);
  m.event_loop_lag = [] { return std::chrono::microseconds(12'500); };
  m.clock_ms = [] { return std::int64_t{1'764'774'000'123}; };
  const std::string text = m.render();
  CHECK(has_line(text, "rustguard_limit_hits_total{limit=\"refuse_logins_lag\"} 1"));
  CHECK(has_line(text, "rustguard_timing_flags_held_total 4"));
  CHECK(has_line(text, "# TYPE rustguard_event_loop_lag_seconds gauge"));
  CHECK(has_line(text, "rustguard_event_loop_lag_seconds 0.0125"));
  CHECK(has_line(text, "# TYPE rustguard_clock_milliseconds gauge"));
  CHECK(has_line(text, "rustguard_clock_milliseconds 1764774000123"));
  CHECK(has_line(text, "# TYPE rustguard_connections gauge"));
  CHECK(has_line(text, "rustguard_connections 2"));
  CHECK(has_line(text, "rustguard_connections_total 3"));
  CHECK(has_line(text, "rustguard_packets_total{direction=\"serverbound\"} 10"));
  CHECK(has_line(text, "rustguard_bytes_total{direction=\"clientbound\"} 4096"));
  CHECK(has_line(text, "rustguard_decode_errors_total{reason=\"frame_too_large\"} 1"));
  CHECK(has_line(text, "rustguard_decode_errors_total{reason=\"truncated\"} 0"));
  CHECK(has_line(text, "rustguard_limit_hits_total{limit=\"per_ip_rate\"} 2"));
  CHECK(has_line(text, "rustguard_limit_hits_total{limit=\"idle_timeout\"} 0"));
  CHECK(has_line(text, "rustguard_players{protocol=\"765\",release=\"1.20.3, 1.20.4\"} 1"));
  CHECK(has_line(text, "rustguard_players{protocol=\"other\",release=\"\"} 1"));
  // Buckets are cumulative: 0 us and 3 us fall at or below 5 us; 1 s only in +Inf.
  CHECK(has_line(text, "rustguard_inspection_seconds_bucket{le=\"1e-06\"} 1"));
  CHECK(has_line(text, "rustguard_inspection_seconds_bucket{le=\"5e-06\"} 2"));
  CHECK(has_line(text, "rustguard_inspection_seconds_bucket{le=\"0.02\"} 2"));
  CHECK(has_line(text, "rustguard_inspection_seconds_bucket{le=\"+Inf\"} 3"));
  CHECK(has_line(text, "rustguard_inspection_seconds_count 3"));
  CHECK(has_line(text, "rustguard_inspection_seconds_sum 1.000003"));
  // The same reads by the side they came from: one serverbound, two clientbound.
  CHECK(has_line(text, "rustguard_reads_total{direction=\"serverbound\"} 1"));
  CHECK(has_line(text, "rustguard_reads_total{direction=\"clientbound\"} 2"));
  CHECK(has_line(text, "rustguard_inspection_seconds_total{direction=\"serverbound\"} 0"));
  CHECK(has_line(text, "rustguard_inspection_seconds_total{direction=\"clientbound\"} 1.000003"));
}

TEST_CASE("Inspection times below a microsecond's resolution are filed and summed as they were", "[metrics]") {
  // Most reads take one or two microseconds: 1.9 us is not at or below
  // 1 us, and two reads of 1.5 us sum to 3 us, not 2.
  Metrics m;
  m.read(true, 1, 10, 1900ns);
  m.read(true, 1, 10, 1500ns);
  m.read(true, 1, 10, 800ns);
  const std::string text = m.render();
  CHECK(has_line(text, "rustguard_inspection_seconds_bucket{le=\"1e-06\"} 1"));
  CHECK(has_line(text, "rustguard_inspection_seconds_bucket{le=\"2e-06\"} 3"));
  CHECK(has_line(text, "rustguard_inspection_seconds_sum 4.2e-06"));
}

TEST_CASE("The admin endpoint serves /metrics and 404 for anything else", "[metrics]") {
  Metrics m;
  rustguard::proxy::PlayerDirectory players;
  Metrics::add(m.connections_total, 7);
  const std::string ok = rustguard::proxy::admin_response("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", m, players);
  CHECK(ok.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(ok.find("Content-Type: text/plain; version=0.0.4") != std::string::npos);
  CHECK(ok.find("\nrustguard_connections_total 7\n") != std::string::npos);
  const auto body = ok.substr(ok.find("\r\n\r\n") + 4);
  CHECK(ok.find("Content-Length: " + std::to_string(body.size()) + "\r\n") != std::string::npos);
  for (const char* other : {"GET / HTTP/1.1\r\n\r\n", "POST /metrics HTTP/1.1\r\n\r\n", "GET /metricsx HTTP/1.1\r\n\r\n"}) {
    INFO(other);
    CHECK(rustguard::proxy::admin_response(other, m, players).rfind("HTTP/1.1 404 Not Found\r\n", 0) == 0);
  }
}

TEST_CASE("The admin endpoint lists the players online and finds one by name", "[metrics][players]") {
  Metrics m;
  rustguard::proxy::PlayerDirectory players;
  for (std::uint64_t id : {3u, 9u}) {
    auto e = std::make_shared<rustguard::proxy::PlayerEntry>();
    e->connection_id = id;
    e->name = id == 3 ? "Steve" : "Al\"ex";
    e->uuid = "069a79f4-44e9-4726-a5be-fca90e38aaf5";
    e->address = "203.0.113.7:50000";
    e->protocol = 769;
    e->release = "1.21.4";
    e->since_ms = 1700000000000;
    players.add(e)->violations.fetch_add(id);
  }
  const std::string all = rustguard::proxy::admin_response("GET /players HTTP/1.1\r\n\r\n", m, players);
  CHECK(all.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(all.find("Content-Type: application/json") != std::string::npos);
  const auto body = all.substr(all.find("\r\n\r\n") + 4);
  CHECK(body ==
        "[{\"connection\":3,\"name\":\"Steve\",\"uuid\":\"069a79f4-44e9-4726-a5be-fca90e38aaf5\","
        "\"address\":\"203.0.113.7:50000\",\"protocol\":769,\"release\":\"1.21.4\",\"since_ms\":1700000000000,"
        "\"violations\":3,\"alerts\":0},"
        "{\"connection\":9,\"name\":\"Al\\\"ex\",\"uuid\":\"069a79f4-44e9-4726-a5be-fca90e38aaf5\","
        "\"address\":\"203.0.113.7:50000\",\"protocol\":769,\"release\":\"1.21.4\",\"since_ms\":1700000000000,"
        "\"violations\":9,\"alerts\":0}]\n");
  const std::string one = rustguard::proxy::admin_response("GET /players?name=steve HTTP/1.1\r\n\r\n", m, players);
  CHECK(one.find("\"Steve\"") != std::string::npos);
  CHECK(one.find("connection\":9") == std::string::npos);
  // One player's answer is an object: online now, and the store's history
  // (null here: no store was asked; player_history_test has the store).
  CHECK(one.find("\r\n\r\n{\"name\":\"steve\",\"online\":[{\"connection\":3,") != std::string::npos);
  CHECK(one.find(",\"history\":null}\n") != std::string::npos);
  players.remove(3);
  CHECK(players.size() == 1);
  CHECK(rustguard::proxy::admin_response("GET /playersx HTTP/1.1\r\n\r\n", m, players).rfind("HTTP/1.1 404", 0) == 0);
}

TEST_CASE("Reads counted on several threads add up", "[metrics]") {
  // Each io thread counts into a set of its own; the figures are the sums.
  Metrics m;
  std::vector<std::thread> threads;
  for (int t = 0; t < 12; ++t) {  // more threads than sets: some share one
    threads.emplace_back([&m] {
      for (int i = 0; i < 1000; ++i) {
        m.read(true, 2, 100, 1us);
        m.transactions(1, 1);
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(m.packets(true) == 24'000);
  CHECK(m.bytes(true) == 1'200'000);
  CHECK(m.packets(false) == 0);
  CHECK(m.transactions_sent() == 12'000);
  CHECK(m.transactions_answered() == 12'000);
  const std::string text = m.render();
  CHECK(has_line(text, "rustguard_inspection_seconds_count 12000"));
  CHECK(has_line(text, "rustguard_transactions_sent_total 12000"));
}

}  // namespace metrics_test
