// The connection's rules without sockets (tools/proxy/connection_policy.hpp):
// every deadline, every limit, the phases on the way to play, the inflate
// window, the PROXY header decision and the goodbye each ending shows.

#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "../../tools/proxy/connection_policy.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace connection_policy_test {

using namespace rustguard;
using namespace rustguard::proxy;
using namespace std::chrono_literals;
using protocol::State;
using TimePoint = ConnectionPolicy::TimePoint;

namespace {

ConnectionLimits limits() {
  ConnectionLimits l;
  l.login_timeout_ms = 10'000;
  l.configuration_timeout_ms = 120'000;
  l.idle_timeout_ms = 30'000;
  l.max_pending_bytes = 1000;
  l.max_inflated_bytes_per_second = 5000;
  return l;
}

const TimePoint t0 = TimePoint{} + 1000h;  // any steady instant

SessionProgress in(State s) { return SessionProgress{s, false, false, false}; }

// Login Start sent, nothing from the server yet.
SessionProgress awaiting_server() {
  SessionProgress s = in(State::login);
  s.awaiting_server = true;
  return s;
}

}  // namespace

TEST_CASE("Login: time the server takes to answer Login Start is not the client's", "[proxy][policy]") {
  ConnectionPolicy p(limits(), t0);
  p.client_read(t0 + 1s);  // handshake and Login Start; then the server says nothing
  auto w = p.on_wake(t0 + 10s, awaiting_server(), true, false);
  CHECK_FALSE(w.end);
  CHECK(w.at == t0 + 11s);  // looks again every second while it waits
  w = p.on_wake(t0 + 25s, awaiting_server(), true, false);
  CHECK_FALSE(w.end);
  CHECK(w.at == t0 + 26s);

  // The server answers at 25.5 s: from the next look on the deadline runs
  // again, a whole login_timeout_ms after the last look that saw the wait.
  w = p.on_wake(t0 + 26s, in(State::login), true, false);
  CHECK_FALSE(w.end);
  CHECK(w.at == t0 + 31s);  // the idle deadline (30 s after the client's last read) comes first
  w = p.on_wake(t0 + 30999ms, in(State::login), true, false);
  CHECK_FALSE(w.end);
  p.client_read(t0 + 30s);  // the client goes on (Login Acknowledged would move it on)
  w = p.on_wake(t0 + 34s, in(State::login), true, false);
  CHECK_FALSE(w.end);
  CHECK(w.at == t0 + 35s);
  w = p.on_wake(t0 + 35s, in(State::login), true, false);
  REQUIRE(w.end);
  CHECK(w.end->cause == EndCause::login_timeout);
}

TEST_CASE("Login: a silent server is waited for no longer than the idle timeout", "[proxy][policy]") {
  ConnectionPolicy p(limits(), t0);
  p.client_read(t0 + 1s);
  auto w = p.on_wake(t0 + 30500ms, awaiting_server(), true, false);
  CHECK_FALSE(w.end);
  CHECK(w.at == t0 + 31s);  // the idle deadline, before the next second's look
  w = p.on_wake(t0 + 31s, awaiting_server(), true, false);
  REQUIRE(w.end);
  CHECK(w.end->cause == EndCause::login_timeout);
  CHECK(w.end->reason == "login timeout: no answer from the server to Login Start for 30000 ms");
  CHECK(w.end->limit == Limit::login_timeout);
}

TEST_CASE("Login: the deadline counts from accept; the watchdog wakes at it", "[proxy][policy]") {
  ConnectionPolicy p(limits(), t0);
  auto w = p.on_wake(t0 + 1s, in(State::handshake), false, false);
  CHECK_FALSE(w.end);
  CHECK(w.at == t0 + 10s);  // before the idle deadline (30 s)
  CHECK_FALSE(w.run_core);

  p.client_read(t0 + 9s);  // reading does not move the login deadline
  w = p.on_wake(t0 + 9999ms, in(State::login), true, false);
  CHECK_FALSE(w.end);
  CHECK(w.at == t0 + 10s);
  CHECK_FALSE(w.run_core);  // the core's ticks wait for the login to end

  w = p.on_wake(t0 + 10s, in(State::login), true, false);
  REQUIRE(w.end);
  CHECK(w.end->cause == EndCause::login_timeout);
  CHECK(w.end->reason == "login timeout: not logged in after 10000 ms");
  CHECK(w.end->limit == Limit::login_timeout);
}

TEST_CASE("A status ping is held to the login deadline too", "[proxy][policy]") {
  ConnectionPolicy p(limits(), t0);
  auto w = p.on_wake(t0 + 10s, in(State::status), true, false);
  REQUIRE(w.end);
  CHECK(w.end->cause == EndCause::login_timeout);
}

TEST_CASE("Idle: nothing read from the client for idle_timeout_ms", "[proxy][policy]") {
  ConnectionLimits l = limits();
  l.idle_timeout_ms = 5'000;  // shorter than the login deadline
  ConnectionPolicy p(l, t0);
  auto w = p.on_wake(t0 + 1s, in(State::login), true, false);
  CHECK(w.at == t0 + 5s);

  p.client_read(t0 + 4s);
  w = p.on_wake(t0 + 5s, in(State::login), true, false);
  CHECK_FALSE(w.end);
  CHECK(w.at == t0 + 9s);

  w = p.on_wake(t0 + 9s, in(State::login), true, false);
  REQUIRE(w.end);
  CHECK(w.end->cause == EndCause::idle_timeout);
  CHECK(w.end->reason == "idle timeout: nothing from the client for 5000 ms");
  CHECK(w.end->limit == Limit::idle_timeout);
}

TEST_CASE("Idle applies in play too, and the core runs in play once connected", "[proxy][policy]") {
  ConnectionPolicy p(limits(), t0);
  p.client_read(t0 + 2s);
  auto w = p.on_wake(t0 + 3s, in(State::play), true, false);
  CHECK_FALSE(w.end);
  CHECK(w.run_core);
  CHECK(w.at == t0 + 32s);  // the idle deadline; no login deadline any more

  w = p.on_wake(t0 + 31s, in(State::play), false, false);  // not connected: no core
  CHECK_FALSE(w.run_core);

  w = p.on_wake(t0 + 32s, in(State::play), true, false);
  REQUIRE(w.end);
  CHECK(w.end->cause == EndCause::idle_timeout);
}

TEST_CASE("Configuration has its own deadline from the first wake that finds it", "[proxy][policy]") {
  ConnectionPolicy p(limits(), t0);
  p.client_read(t0 + 9s);
  auto w = p.on_wake(t0 + 9s, in(State::configuration), true, false);
  CHECK_FALSE(w.end);
  CHECK(w.at == t0 + 39s);  // idle (30 s after the read) comes before 9 s + 120 s
  CHECK_FALSE(w.run_core);

  // Past the login deadline: configuration is not held to it.
  p.client_read(t0 + 100s);
  w = p.on_wake(t0 + 100s, in(State::configuration), true, false);
  CHECK_FALSE(w.end);

  p.client_read(t0 + 128s);
  w = p.on_wake(t0 + 128s, in(State::configuration), true, false);
  CHECK_FALSE(w.end);
  CHECK(w.at == t0 + 129s);  // 9 s + 120 s

  w = p.on_wake(t0 + 129s, in(State::configuration), true, false);
  REQUIRE(w.end);
  CHECK(w.end->cause == EndCause::login_timeout);
  CHECK(w.end->reason == "login timeout: not in play 120000 ms after the login");
  CHECK(w.end->limit == Limit::login_timeout);
}

TEST_CASE("Phases: login, configuration, then done for good once in play", "[proxy][policy]") {
  ConnectionPolicy p(limits(), t0);
  CHECK(p.phase(in(State::handshake)) == Phase::login);
  CHECK(p.phase(in(State::status)) == Phase::login);
  CHECK(p.phase(in(State::login)) == Phase::login);
  CHECK(p.phase(in(State::configuration)) == Phase::configuration);
  CHECK(p.phase(in(State::play)) == Phase::done);
  // 1.20.2+ may go back to configuration from play: not a login any more.
  CHECK(p.phase(in(State::configuration)) == Phase::done);
  auto w = p.on_wake(t0 + 200s, in(State::configuration), true, false);
  CHECK(w.end);  // only the idle deadline (nothing read since accept) ...
  CHECK(w.end->cause == EndCause::idle_timeout);
}

TEST_CASE("Past encryption, or forwarded uninspected, the server's own login timeout applies", "[proxy][policy]") {
  {
    ConnectionPolicy p(limits(), t0);
    SessionProgress encrypted = in(State::login);
    encrypted.encrypted = true;
    encrypted.opaque = true;
    CHECK(p.phase(encrypted) == Phase::done);
    p.client_read(t0 + 20s);
    auto w = p.on_wake(t0 + 20s, encrypted, true, false);
    CHECK_FALSE(w.end);
    CHECK(w.run_core);
  }
  {
    ConnectionPolicy p(limits(), t0);
    SessionProgress forwarded = in(State::login);
    forwarded.opaque = true;  // unknown_versions: forward
    CHECK(p.phase(forwarded) == Phase::done);
  }
  {
    ConnectionPolicy p(limits(), t0);
    SessionProgress legacy = in(State::handshake);
    legacy.opaque = true;
    legacy.legacy_ping = true;  // a legacy ping is held to the login deadline
    CHECK(p.phase(legacy) == Phase::login);
    auto w = p.on_wake(t0 + 10s, legacy, false, false);
    REQUIRE(w.end);
    CHECK(w.end->cause == EndCause::login_timeout);
  }
}

TEST_CASE("A shutdown ends the connection whatever its phase", "[proxy][policy]") {
  ConnectionPolicy p(limits(), t0);
  auto w = p.on_wake(t0 + 1s, in(State::play), true, true);
  REQUIRE(w.end);
  CHECK(w.end->cause == EndCause::shutdown);
  CHECK(w.end->reason == "proxy shutting down");
  CHECK_FALSE(w.end->limit);
}

TEST_CASE("The watchdog wakes at the policy's deadline or the core's, whichever is first", "[proxy][policy]") {
  CHECK(ConnectionPolicy::wake_at(t0 + 5s, std::nullopt) == t0 + 5s);
  CHECK(ConnectionPolicy::wake_at(t0 + 5s, t0 + 60ms) == t0 + 60ms);
  CHECK(ConnectionPolicy::wake_at(t0 + 5s, t0 + 6s) == t0 + 5s);
}

TEST_CASE("Watchdogs wake on the shared 20 ms grid, never before they are due", "[proxy][policy]") {
  // t0 (1000 h) is on the grid; deadlines inside a slot move to its end.
  static_assert(ConnectionPolicy::kWakeGrid == 20ms);
  CHECK(ConnectionPolicy::wake_at(t0 + 5s, t0 + 41ms) == t0 + 60ms);
  CHECK(ConnectionPolicy::wake_at(t0 + 5s, t0 + 40ms + 1ns) == t0 + 60ms);
  CHECK(ConnectionPolicy::wake_at(t0 + 5s, t0 + 59999us) == t0 + 60ms);
  CHECK(ConnectionPolicy::wake_at(t0 + 1001ms, std::nullopt) == t0 + 1020ms);
  // Two connections due at different instants of one slot wake together.
  CHECK(ConnectionPolicy::wake_at(t0 + 5s, t0 + 123ms) == ConnectionPolicy::wake_at(t0 + 5s, t0 + 139ms));
  CHECK(ConnectionPolicy::wake_at(t0 + 5s, t0 + 139ms) != ConnectionPolicy::wake_at(t0 + 5s, t0 + 141ms));
  // The end of time stays where it is (no overflow).
  CHECK(ConnectionPolicy::on_wake_grid(TimePoint::max()) == TimePoint::max());
}

TEST_CASE("Pending bytes: readers pause above the bound; where they cannot, the connection ends",
          "[proxy][policy]") {
  ConnectionPolicy p(limits(), t0);
  CHECK_FALSE(p.must_pause(1000));
  CHECK(p.must_pause(1001));
  CHECK_FALSE(p.pending(1000));
  const auto over = p.pending(1001);
  REQUIRE(over);
  CHECK(over->cause == EndCause::malformed);
  CHECK(over->reason == "more than 1000 bytes pending for a peer that is not reading");
  CHECK(over->limit == Limit::max_pending_bytes);
}

TEST_CASE("Inflated bytes are counted in fixed one-second windows", "[proxy][policy]") {
  ConnectionPolicy p(limits(), t0);
  // The first call opens a window with what was inflated before it as base.
  CHECK_FALSE(p.inflated(t0, 100'000));
  CHECK_FALSE(p.inflated(t0 + 500ms, 105'000));  // 5000 in the window: at the limit
  const auto over = p.inflated(t0 + 999ms, 105'001);
  REQUIRE(over);
  CHECK(over->cause == EndCause::inflated_rate);
  CHECK(over->reason == "inflated more than 5000 bytes in one second");
  CHECK(over->limit == Limit::inflated_rate);

  // A new window starts one second after the last one started.
  ConnectionPolicy q(limits(), t0);
  CHECK_FALSE(q.inflated(t0, 0));
  CHECK_FALSE(q.inflated(t0 + 900ms, 4000));
  CHECK_FALSE(q.inflated(t0 + 1s, 8000));         // new window, base 8000
  CHECK_FALSE(q.inflated(t0 + 1900ms, 13'000));   // 5000 in it
  CHECK(q.inflated(t0 + 1950ms, 13'001));
}

TEST_CASE("An oversized frame is malformed and counted as max_frame_bytes; other errors only malformed",
          "[proxy][policy]") {
  auto e = malformed_ending(protocol::Errc::frame_too_large, "frame too large");
  CHECK(e.cause == EndCause::malformed);
  CHECK(e.reason == "frame too large");
  CHECK(e.limit == Limit::max_frame_bytes);
  CHECK(malformed_ending(protocol::Errc::frame_length_too_long, "x").limit == Limit::max_frame_bytes);
  CHECK_FALSE(malformed_ending(protocol::Errc::unknown_packet_id, "x").limit);
}

TEST_CASE("Kicks and refused versions tell the player why", "[proxy][policy]") {
  Messages m;
  const auto kick = kick_ending(m, "timer (balance)");
  CHECK(kick.cause == EndCause::kicked);
  CHECK(kick.reason == "Kicked by RustGuard: timer (balance)");

  const auto refused = unsupported_version_ending();
  CHECK(refused.cause == EndCause::kicked);
  CHECK(refused.reason.rfind("Unsupported Minecraft version. This server accepts ", 0) == 0);
  CHECK(refused.reason.find(" to ") != std::string::npos);
  CHECK(refused.reason.back() == '.');
  CHECK(refused.reason.find(',') == std::string::npos);  // one release name per end of the range
}

TEST_CASE("Logins are refused while the io thread runs late; status pings never", "[proxy][policy]") {
  using protocol::packets::Intent;
  using std::chrono::milliseconds;
  ConnectionLimits limits;
  limits.refuse_logins_lag_ms = 250;
  CHECK_FALSE(overload_ending(Intent::login, milliseconds(249), limits));
  const auto refused = overload_ending(Intent::login, milliseconds(250), limits);
  REQUIRE(refused);
  CHECK(refused->cause == EndCause::overloaded);
  CHECK(refused->limit == Limit::refuse_logins_lag);
  CHECK(refused->reason == "login refused: the io thread runs 250 ms late (connections.refuse_logins_lag_ms 250)");
  CHECK(overload_ending(Intent::transfer, milliseconds(900), limits));
  CHECK_FALSE(overload_ending(Intent::status, milliseconds(900), limits));
  limits.refuse_logins_lag_ms = 0;  // never
  CHECK_FALSE(overload_ending(Intent::login, std::chrono::seconds(30), limits));
}

TEST_CASE("The goodbye each ending shows the player", "[proxy][policy]") {
  Messages m;
  const std::string reason = "Kicked by RustGuard: x";
  auto text = [&](EndCause c, bool backend_kicked = false, bool from_server = false) {
    const std::string* t = goodbye_text(c, reason, backend_kicked, from_server, m);
    return t ? std::optional<std::string>(*t) : std::nullopt;
  };
  CHECK(text(EndCause::backend_closed) == m.backend_lost);
  CHECK_FALSE(text(EndCause::backend_closed, /*backend_kicked=*/true));  // the backend said why itself
  CHECK(text(EndCause::malformed) == m.protocol_error);
  CHECK(text(EndCause::malformed, false, /*from_server=*/true) == m.backend_lost);
  CHECK(text(EndCause::inflated_rate) == m.protocol_error);
  CHECK(text(EndCause::kicked) == reason);
  CHECK(text(EndCause::login_timeout) == m.timeout);
  CHECK(text(EndCause::idle_timeout) == m.timeout);
  CHECK(text(EndCause::shutdown) == m.shutdown);
  CHECK(text(EndCause::backend_unavailable) == m.backend_unavailable);
  CHECK(text(EndCause::overloaded) == m.overloaded);
  for (EndCause quiet : {EndCause::client_closed, EndCause::answered_by_proxy, EndCause::untrusted_proxy_header,
                         EndCause::bad_proxy_header}) {
    CHECK_FALSE(text(quiet));
  }
}

TEST_CASE("A PROXY header is used from a trusted peer and refused from anyone else", "[proxy][policy]") {
  const std::string v1 = "PROXY TCP4 198.51.100.2 203.0.113.1 40000 25565\r\n";
  std::vector<std::uint8_t> head(v1.begin(), v1.end());
  head.push_back(0x10);  // the first byte of the Minecraft stream
  const net::Endpoint peer{net::IpAddress::v4(10, 0, 0, 5), 51234};

  auto trusted = proxy_header_step(head, peer, true);
  CHECK_FALSE(trusted.end);
  CHECK_FALSE(trusted.incomplete);
  REQUIRE(trusted.header);
  CHECK(trusted.header->length == v1.size());
  CHECK(trusted.header->source.to_string() == "198.51.100.2:40000");
  CHECK(trusted.header->destination.to_string() == "203.0.113.1:25565");

  auto untrusted = proxy_header_step(head, peer, false);
  REQUIRE(untrusted.end);
  CHECK(untrusted.end->cause == EndCause::untrusted_proxy_header);
  CHECK(untrusted.end->reason == "PROXY header from untrusted address 10.0.0.5:51234 refused");
  CHECK(untrusted.end->limit == Limit::untrusted_proxy_header);

  const std::vector<std::uint8_t> partial(head.begin(), head.begin() + 10);
  CHECK(proxy_header_step(partial, peer, true).incomplete);

  const std::vector<std::uint8_t> minecraft{0x10, 0x00, 0xFB, 0x05};  // no header: the stream itself
  auto plain = proxy_header_step(minecraft, peer, false);
  CHECK_FALSE(plain.end);
  CHECK_FALSE(plain.incomplete);
  CHECK_FALSE(plain.header);

  const std::string bad = "PROXY TCP4 not-an-address\r\n";
  auto malformed = proxy_header_step(std::vector<std::uint8_t>(bad.begin(), bad.end()), peer, true);
  REQUIRE(malformed.end);
  CHECK(malformed.end->cause == EndCause::bad_proxy_header);
  CHECK(malformed.end->reason.rfind("malformed PROXY header: ", 0) == 0);
}

}  // namespace connection_policy_test
