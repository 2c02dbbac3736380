#pragma once
// RustGuard's settings as plain values. The core reads these; it never parses
// files. adapters/config_loader.hpp fills them from config.yml (and command-line
// overrides), so the proxy and the replay tool read configuration the same way.
// docs/configuration.md documents every key; keep both in step.

#include <cstdint>
#include <string>
#include <string_view>

#include "rustguard/engine/detection_engine.hpp"
#include <vector>

namespace rustguard {

struct Endpoint {
  std::string host;
  std::uint16_t port = 0;
  std::string to_string() const {
    const bool v6 = host.find(':') != std::string::npos;
    return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
  }
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

enum class LogLevel : std::uint8_t { trace, debug, info, warn, error, off };

constexpr std::string_view to_string(LogLevel l) noexcept {
  switch (l) {
    case LogLevel::trace: return "trace";
    case LogLevel::debug: return "debug";
    case LogLevel::info: return "info";
    case LogLevel::warn: return "warn";
    case LogLevel::error: return "error";
    case LogLevel::off: return "off";
  }
  return "?";
}

// What to do with a client whose protocol version has no generated packet table.
enum class UnknownVersionPolicy : std::uint8_t {
  forward,  // pass its bytes through uninspected, and say so in the log
  refuse,   // answer with a Disconnect naming the supported versions
};

// Frame and compression limits (see docs/configuration.md for why each default).
struct ProtocolLimits {
  std::uint32_t max_frame_bytes = 2'097'151;                 // the protocol's own 3-byte VarInt cap
  std::uint32_t max_inflated_clientbound = 8 * 1024 * 1024;  // chunk data, big NBT items
  std::uint32_t max_inflated_serverbound = 2 * 1024 * 1024;  // book edits, creative items
  std::uint32_t max_compression_ratio = 64;                  // inflated / compressed, bomb guard
  std::uint32_t compression_ratio_floor = 1024 * 1024;       // ratio guard applies above this size (1.8 chunk bulks)
  // Clients have no reason to send big, highly compressible packets; a bomb
  // aimed at the backend is one. Serverbound frames are all verified.
  std::uint32_t compression_ratio_floor_serverbound = 64 * 1024;
  // Serverbound frame caps before play: a handshake or a status request is a
  // few dozen bytes (a BungeeCord-forwarded handshake about 2 KiB), login
  // packets a few KiB (a Forge login answer more). Small caps keep a slow
  // client from making the proxy hold a 2 MiB frame per connection.
  std::uint32_t max_handshake_frame_bytes = 8 * 1024;
  std::uint32_t max_status_frame_bytes = 256;
  std::uint32_t max_login_frame_bytes = 64 * 1024;
  friend bool operator==(const ProtocolLimits&, const ProtocolLimits&) = default;
};

// Per-connection limits enforced by the live proxy. A connection that breaks
// one is closed with a logged reason and counted in rustguard_limit_hits_total.
struct ConnectionLimits {
  std::uint32_t login_timeout_ms = 10'000;    // handshake until the server accepts the login (or status done)
  std::uint32_t configuration_timeout_ms = 120'000;  // then until play (1.20.2+: resource packs load here)
  std::uint32_t idle_timeout_ms = 30'000;     // nothing read from the client
  std::uint32_t connect_timeout_ms = 5'000;   // reaching the backend
  std::uint32_t max_connections = 4'096;      // open player connections, all threads
  double per_ip_rate = 2.0;                   // new connections per IP per second (refill)
  std::uint32_t per_ip_burst = 8;             // ... and how many may arrive at once
  std::uint32_t max_inflated_bytes_per_second = 16 * 1024 * 1024;  // per connection, both directions
  std::uint32_t max_pending_bytes = 1024 * 1024;  // unsent bytes toward one side before reading pauses
  std::uint32_t shutdown_flush_ms = 2'000;        // time to flush the goodbye on shutdown/close
  friend bool operator==(const ConnectionLimits&, const ConnectionLimits&) = default;
};

// How the SQLite violation log batches and what it does when the database
// fails (adapters/violation_log.hpp has the mechanism; docs/database-schema.md
// the guarantees).
struct ViolationLogSettings {
  std::uint32_t flush_interval_ms = 250;  // a batch waits at most this long
  std::uint32_t flush_rows = 4096;        // ... or until it holds this many records
  std::uint32_t retry_max_ms = 2000;      // backoff ceiling while the database is locked or unwritable
  std::uint32_t spill_after_ms = 5000;    // then records go to <database>.spill, imported later
  std::uint32_t spill_after_rows = 262144;
  std::uint64_t max_spill_bytes = std::uint64_t{256} << 20;  // beyond it records are dropped (counted, logged)
  friend bool operator==(const ViolationLogSettings&, const ViolationLogSettings&) = default;
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
  friend bool operator==(const Messages&, const Messages&) = default;
};

// HAProxy PROXY protocol, inbound (only from trusted networks) and toward the backend.
struct ProxyProtocolConfig {
  std::vector<std::string> trusted;  // CIDRs allowed to send a PROXY v1/v2 header
  bool to_backend = false;           // send a PROXY v2 header to the backend
  friend bool operator==(const ProxyProtocolConfig&, const ProxyProtocolConfig&) = default;
};

struct Config {
  Endpoint listen{"0.0.0.0", 25565};
  Endpoint backend{"127.0.0.1", 25566};
  Endpoint admin{"127.0.0.1", 9464};  // Prometheus /metrics; keep it on loopback
  std::string database = "rustguard.db";
  ViolationLogSettings violation_log{};
  unsigned threads = 0;  // io threads; 0 = one per core
  LogLevel log_level = LogLevel::info;
  // Refused by default: an uninspected stream is a way to switch RustGuard off.
  UnknownVersionPolicy unknown_versions = UnknownVersionPolicy::refuse;
  ProtocolLimits limits{};
  ConnectionLimits connections{};
  Messages messages{};
  ProxyProtocolConfig proxy_protocol{};
  engine::EngineConfig checks{};  // checks.* : the detection engine and every check
  friend bool operator==(const Config&, const Config&) = default;
};

}  // namespace rustguard
