#pragma once
// The live proxy's own settings in config.yml: where it listens and
// connects, the per-connection limits, the texts it shows players and the
// PROXY protocol. Plain values without the engine, so the proxy's sans-I/O
// pieces (tools/proxy/connection_policy.hpp) need nothing else.
// adapters/config_loader.hpp fills them; docs/configuration.md documents
// every key.

#include <cstdint>
#include <string>
#include <vector>

namespace rustguard {

// A host *name* (or address) and a port, as config.yml spells them: the
// proxy resolves `backend` for every new connection and binds `listen` and
// `admin`. (net::Endpoint is a resolved IP address and port.)
struct Endpoint {
  std::string host;
  std::uint16_t port = 0;
  std::string to_string() const {
    const bool v6 = host.find(':') != std::string::npos;
    return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
  }
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

// What to do with a client whose protocol version has no generated packet table.
enum class UnknownVersionPolicy : std::uint8_t {
  forward,  // pass its bytes through uninspected, and say so in the log
  refuse,   // answer with a Disconnect naming the supported versions
};

// Per-connection limits enforced by the live proxy. A connection that breaks
// one is closed with a logged reason and counted in rustguard_limit_hits_total.
struct ConnectionLimits {
  std::uint32_t login_timeout_ms = 10'000;           // handshake until the server accepts the login (or status done)
  std::uint32_t configuration_timeout_ms = 120'000;  // then until play (1.20.2+: resource packs load here)
  std::uint32_t idle_timeout_ms = 30'000;            // nothing read from the client
  std::uint32_t connect_timeout_ms = 5'000;          // reaching the backend
  std::uint32_t max_connections = 4'096;             // open player connections, all threads
  double per_ip_rate = 2.0;                          // new connections per IP per second (refill)
  std::uint32_t per_ip_burst = 8;                    // ... and how many may arrive at once
  std::uint32_t max_inflated_bytes_per_second = 16 * 1024 * 1024;  // per connection, both directions
  std::uint32_t max_pending_bytes = 1024 * 1024;  // unsent bytes toward one side before reading pauses
  std::uint32_t shutdown_flush_ms = 2'000;        // time to flush the goodbye on shutdown/close
  // Refuse new logins while the io thread a connection lands on runs this late
  // (its event loop's lag); 0: never. Players online come first.
  std::uint32_t refuse_logins_lag_ms = 250;
  friend bool operator==(const ConnectionLimits&, const ConnectionLimits&) = default;
};

// Texts the proxy shows players itself.
struct Messages {
  std::string backend_unavailable = "The server is not reachable right now. Please try again in a moment.";
  std::string backend_lost = "Lost connection to the server.";
  std::string shutdown = "The server is restarting. Please reconnect in a moment.";
  std::string protocol_error = "Disconnected: invalid data from the connection.";
  std::string timeout = "Timed out.";
  std::string kick = "Kicked by RustGuard";  // followed by ": <check and reason>"
  std::string motd = "A Minecraft server";  // server list text when the backend is down and nothing is cached
  std::string overloaded = "The server is very busy right now. Please try again in a moment.";
  friend bool operator==(const Messages&, const Messages&) = default;
};

// HAProxy PROXY protocol, inbound (only from trusted networks) and toward the backend.
struct ProxyProtocolConfig {
  std::vector<std::string> trusted;  // CIDRs allowed to send a PROXY v1/v2 header
  bool to_backend = false;           // send a PROXY v2 header to the backend
  friend bool operator==(const ProxyProtocolConfig&, const ProxyProtocolConfig&) = default;
};

}  // namespace rustguard
