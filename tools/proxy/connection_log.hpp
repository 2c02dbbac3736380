#pragma once
// How the proxy's log lines name a connection: its address (with the proxy
// or Velocity it came through), what the client announced, and the line
// written when it ends. Plain values in, text out.

#include <fmt/core.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "rustguard/net/endpoint.hpp"
#include "rustguard/protocol/connection_tracker.hpp"
#include "rustguard/protocol/packet_registry.hpp"

namespace rustguard::proxy {

// Where the client connects from. `peer` is the TCP peer; `real` the address
// a trusted PROXY header named (`proxied`), else the peer.
struct ClientAddress {
  net::Endpoint peer;
  net::Endpoint real;
  bool proxied = false;
};

// "203.0.113.7:51234", "198.51.100.2:40000 (via 10.0.0.5:51234)" behind a
// PROXY header, "198.51.100.2 (Velocity, via 10.0.0.9:40000)" with Velocity
// modern forwarding.
inline std::string address_text(const ClientAddress& a, const protocol::PlayerIdentity& identity) {
  if (identity.velocity_forwarded && !identity.forwarded_address.empty()) {
    return identity.forwarded_address + " (Velocity, via " + a.peer.to_string() + ")";
  }
  if (a.proxied) return a.real.to_string() + " (via " + a.peer.to_string() + ")";
  return a.peer.to_string();
}

// The player's own address, as GET /players shows it.
inline std::string player_address(const ClientAddress& a, const protocol::PlayerIdentity& identity) {
  return identity.velocity_forwarded && !identity.forwarded_address.empty() ? identity.forwarded_address
                                                                            : a.real.to_string();
}

// "protocol 765 (1.20.3, 1.20.4) login as Steve", "legacy ping", "no handshake".
inline std::string describe_client(const protocol::ConnectionTracker& t, bool legacy_ping) {
  if (legacy_ping) return "legacy ping";
  if (t.state(protocol::Direction::serverbound) == protocol::State::handshake) return "no handshake";
  const auto names = protocol::release_names(t.protocol());
  std::string s = "protocol " + std::to_string(t.protocol()) + " (" +
                  (names.empty() ? std::string("unsupported") : std::string(names)) + ")";
  s += t.intent() == protocol::packets::Intent::status ? " status" : " login";
  if (!t.identity().name.empty()) s += " as " + t.identity().name;
  return s;
}

// What the disconnect line reports of a connection.
struct DisconnectFacts {
  std::uint64_t id = 0;
  std::string_view name;         // empty before Login Start
  std::string_view address;      // address_text()
  std::string_view description;  // describe_client()
  std::chrono::milliseconds duration{};
  std::uint64_t bytes_up = 0;    // from the client
  std::uint64_t bytes_down = 0;  // from the server
  // Timing verdicts the engine held for this player because the proxy read
  // late (checks.engine.host_late_threshold_ms): where a timer cheat went
  // unflagged, this says whether the host, not the check, was the cause.
  std::uint64_t timing_flags_held = 0;
  std::string_view reason;  // empty: the client closed
};

// "disconnect #7 Steve 203.0.113.7:51234: protocol 765 (...) login as Steve,
//  12.345 s, 2048 B up, 65536 B down: client closed the connection", with
//  ", 3 timing flags held" after the bytes when there were any.
inline std::string disconnect_line(const DisconnectFacts& f) {
  const auto ms = f.duration.count();
  const std::string held =
      f.timing_flags_held == 0 ? std::string() : fmt::format(", {} timing flags held", f.timing_flags_held);
  return fmt::format("disconnect #{} {} {}: {}, {}.{:03} s, {} B up, {} B down{}: {}", f.id,
                     f.name.empty() ? std::string_view("-") : f.name, f.address, f.description, ms / 1000, ms % 1000,
                     f.bytes_up, f.bytes_down, held, f.reason.empty() ? std::string_view("client closed") : f.reason);
}

}  // namespace rustguard::proxy
