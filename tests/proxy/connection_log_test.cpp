// How the proxy's log lines name a connection (tools/proxy/connection_log.hpp).

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "../../tools/proxy/connection_log.hpp"
#include "rustguard/protocol/writer.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace connection_log_test {

using namespace rustguard;
using namespace rustguard::proxy;

namespace {

const net::Endpoint kPeer{net::IpAddress::v4(10, 0, 0, 5), 51234};
const net::Endpoint kReal{net::IpAddress::v4(198, 51, 100, 2), 40000};

void handshake(protocol::ConnectionTracker& t, std::int32_t protocol, std::int32_t intent) {
  std::vector<std::uint8_t> body;
  protocol::Writer{body}.varint(protocol).string("mc.example.org").u16(25565).varint(intent);
  REQUIRE(t.on_packet(protocol::Direction::serverbound, protocol::PacketKind::intention_c2s, body).ok());
}

}  // namespace

TEST_CASE("The address names the proxy or Velocity a player came through", "[proxy][log]") {
  protocol::PlayerIdentity identity;
  CHECK(address_text({kPeer, kPeer, false}, identity) == "10.0.0.5:51234");
  CHECK(player_address({kPeer, kPeer, false}, identity) == "10.0.0.5:51234");

  CHECK(address_text({kPeer, kReal, true}, identity) == "198.51.100.2:40000 (via 10.0.0.5:51234)");
  CHECK(player_address({kPeer, kReal, true}, identity) == "198.51.100.2:40000");

  identity.velocity_forwarded = true;
  identity.forwarded_address = "203.0.113.9";
  CHECK(address_text({kPeer, kPeer, false}, identity) == "203.0.113.9 (Velocity, via 10.0.0.5:51234)");
  CHECK(player_address({kPeer, kPeer, false}, identity) == "203.0.113.9");

  const net::Endpoint v6{*net::parse_ip_address("2001:db8::1"), 25565};
  CHECK(address_text({v6, v6, false}, protocol::PlayerIdentity{}) == "[2001:db8::1]:25565");
}

TEST_CASE("The client is described by what it announced", "[proxy][log]") {
  protocol::ConnectionTracker fresh;
  CHECK(describe_client(fresh, false) == "no handshake");
  CHECK(describe_client(fresh, true) == "legacy ping");

  protocol::ConnectionTracker status;
  handshake(status, 765, 1);
  CHECK(describe_client(status, false) == "protocol 765 (" + std::string(protocol::release_names(765)) + ") status");

  protocol::ConnectionTracker unknown;
  handshake(unknown, 123456, 2);
  CHECK(describe_client(unknown, false) == "protocol 123456 (unsupported) login");
}

TEST_CASE("The disconnect line", "[proxy][log]") {
  DisconnectFacts f;
  f.id = 7;
  f.name = "Steve";
  f.address = "203.0.113.7:51234";
  f.description = "protocol 765 (1.20.3, 1.20.4) login as Steve";
  f.duration = std::chrono::milliseconds(12'045);
  f.bytes_up = 2048;
  f.bytes_down = 65536;
  f.reason = "client closed the connection";
  CHECK(disconnect_line(f) ==
        "disconnect #7 Steve 203.0.113.7:51234: protocol 765 (1.20.3, 1.20.4) login as Steve, 12.045 s, 2048 B up, "
        "65536 B down: client closed the connection");

  DisconnectFacts quiet;
  quiet.id = 8;
  quiet.address = "10.0.0.5:51234";
  quiet.description = "no handshake";
  quiet.duration = std::chrono::milliseconds(5);
  CHECK(disconnect_line(quiet) == "disconnect #8 - 10.0.0.5:51234: no handshake, 0.005 s, 0 B up, 0 B down: client closed");

  // A player whose timing verdicts were held (the proxy read late) says so.
  f.timing_flags_held = 18;
  CHECK(disconnect_line(f) ==
        "disconnect #7 Steve 203.0.113.7:51234: protocol 765 (1.20.3, 1.20.4) login as Steve, 12.045 s, 2048 B up, "
        "65536 B down, 18 timing flags held: client closed the connection");
}

}  // namespace connection_log_test
