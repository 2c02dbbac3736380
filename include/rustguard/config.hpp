#pragma once
// RustGuard's settings as plain values. The core reads these; it never parses
// files. adapters/config_loader.hpp fills them from config.yml (and command-line
// overrides), so the proxy and the replay tool read configuration the same way.
// docs/configuration.md documents every key; keep both in step.

#include <cstdint>
#include <string>
#include <string_view>

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
  std::uint32_t compression_ratio_floor = 128 * 1024;        // ratio guard applies above this size
  friend bool operator==(const ProtocolLimits&, const ProtocolLimits&) = default;
};

struct Config {
  Endpoint listen{"0.0.0.0", 25565};
  Endpoint backend{"127.0.0.1", 25566};
  Endpoint admin{"127.0.0.1", 9464};  // Prometheus /metrics; keep it on loopback
  std::string database = "rustguard.db";
  unsigned threads = 0;  // io threads; 0 = one per core
  LogLevel log_level = LogLevel::info;
  UnknownVersionPolicy unknown_versions = UnknownVersionPolicy::forward;
  ProtocolLimits limits{};
  friend bool operator==(const Config&, const Config&) = default;
};

}  // namespace rustguard
