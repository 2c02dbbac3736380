// What a connection does with the core's events (tools/proxy/connection_events.hpp),
// without sockets: metrics, /players, the status cache and the backend-down
// responder. (The rows are the recorder's: tests/storage/session_recorder_test.cpp.)

#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "../../tools/proxy/connection_events.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace connection_events_test {

using namespace rustguard;
using namespace rustguard::proxy;

namespace {

// Keeps the alert and kick lines out of the test output.
struct QuietLog {
  QuietLog() { tools::Log::instance().set_level(LogLevel::off); }
  ~QuietLog() { tools::Log::instance().set_level(LogLevel::info); }
};

struct Fixture {
  QuietLog quiet;
  ProxyState state;  // no violation log: nothing is stored
  session::PlayerSession session{ProtocolLimits{}, std::make_shared<const engine::EngineConfig>()};
  ClientAddress address{{net::IpAddress::v4(10, 0, 0, 5), 51234}, {net::IpAddress::v4(10, 0, 0, 5), 51234}, false};
  BackendDownResponder responder{state.status, "motd"};
  ConnectionEvents events{7, state, session, address, responder};

  void handle(session::Event e) {
    session::Output out;
    out.events.push_back(std::move(e));
    events.handle(out);
    CHECK(out.events.empty());  // handed on and cleared
  }
};

Violation violation(const std::string& check, Outcome outcome, std::uint32_t count, std::uint32_t cancelled) {
  Violation v;
  v.check = check;
  v.type = "t";
  v.vl = 3;
  v.count = count;
  v.outcome = outcome;
  v.cancelled = cancelled;
  return v;
}

}  // namespace

TEST_CASE("A logged-in player is counted and listed until the connection ends", "[proxy][events]") {
  Fixture f;
  f.handle(session::PlayerLoggedIn{Timestamp{1'000'000}, "Steve", std::nullopt, 0, ""});
  CHECK(f.state.players.size() == 1);
  f.handle(session::PlayerLoggedIn{Timestamp{1'000'001}, "Steve", std::nullopt, 0, ""});  // once only
  CHECK(f.state.players.size() == 1);
  f.events.finish(Timestamp{2'000'000});
  CHECK(f.state.players.size() == 0);
}

TEST_CASE("Violations, alerts, cancels and kicks are counted by check", "[proxy][events]") {
  Fixture f;
  const std::string check(check_keys().front());
  f.handle(session::ViolationFound{violation(check, Outcome::none, 3, 0)});
  f.handle(session::ViolationFound{violation(check, Outcome::alert | Outcome::cancel, 2, 2)});
  Metrics& m = f.state.metrics;
  CHECK(m.violations.get(check) == 5);
  CHECK(m.alerts.get(check) == 1);
  CHECK(m.cancels.get(check) == 2);

  f.handle(session::PlayerKicked{Timestamp{}, "too many packets", ""});
  CHECK(m.kicks.get("other") == 1);
  f.handle(session::PlayerKicked{Timestamp{}, "x", check});
  CHECK(m.kicks.get(check) == 1);

  f.handle(session::EncryptionStarted{});
  CHECK(Metrics::get(m.encrypted_connections) == 1);
}

TEST_CASE("Server-list events reach the status cache and the backend-down responder", "[proxy][events]") {
  Fixture f;
  f.handle(session::StatusAnswered{"{\"cached\":1}"});
  CHECK(f.state.status.lookup(765) == "{\"cached\":1}");

  f.handle(session::StatusRequested{});
  f.handle(session::StatusPinged{9});
  const auto step = f.responder.respond({false, true, 765}, "refused");
  CHECK(step.answered == 1);
  REQUIRE(step.end);
  CHECK(step.end->cause == EndCause::answered_by_proxy);

  CHECK_FALSE(f.events.backend_kicked());
  f.handle(session::ServerDisconnected{});
  CHECK(f.events.backend_kicked());
}

TEST_CASE("Each feed is counted in packets, bytes, inspection time and its wait in the kernel", "[proxy][events]") {
  Fixture f;
  f.events.fed(protocol::Direction::serverbound, 100, std::chrono::microseconds(3), std::chrono::microseconds(40));
  f.events.fed(protocol::Direction::clientbound, 40, std::chrono::microseconds(1), std::chrono::microseconds(3000));
  CHECK(f.state.metrics.bytes(true) == 100);
  CHECK(f.state.metrics.bytes(false) == 40);
  const std::string text = f.state.metrics.render();
  CHECK(text.find("rustguard_bytes_total{direction=\"serverbound\"} 100\n") != std::string::npos);
  CHECK(text.find("rustguard_inspection_seconds_count 2\n") != std::string::npos);
  // 40 µs in the 50 µs bucket, 3 ms in the 5 ms one; the sum in seconds.
  CHECK(text.find("rustguard_read_wait_seconds_bucket{le=\"1e-05\"} 0\n") != std::string::npos);
  CHECK(text.find("rustguard_read_wait_seconds_bucket{le=\"5e-05\"} 1\n") != std::string::npos);
  CHECK(text.find("rustguard_read_wait_seconds_bucket{le=\"0.0025\"} 1\n") != std::string::npos);
  CHECK(text.find("rustguard_read_wait_seconds_bucket{le=\"0.005\"} 2\n") != std::string::npos);
  CHECK(text.find("rustguard_read_wait_seconds_bucket{le=\"+Inf\"} 2\n") != std::string::npos);
  CHECK(text.find("rustguard_read_wait_seconds_sum 0.00304\n") != std::string::npos);
  CHECK(text.find("rustguard_read_wait_seconds_count 2\n") != std::string::npos);
  // And by the side the bytes came from.
  CHECK(text.find("rustguard_read_wait_seconds_total{direction=\"serverbound\"} 4e-05\n") != std::string::npos);
  CHECK(text.find("rustguard_read_wait_seconds_total{direction=\"clientbound\"} 0.003\n") != std::string::npos);
  CHECK(f.events.address_text() == "10.0.0.5:51234");
}

}  // namespace connection_events_test
