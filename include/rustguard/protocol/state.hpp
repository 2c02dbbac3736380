#pragma once
// Connection states and directions of the Minecraft protocol.

#include <cstdint>
#include <string_view>

namespace rustguard::protocol {

enum class State : std::uint8_t { handshake, status, login, configuration, play };
inline constexpr int kStateCount = 5;

// serverbound: client -> server (C2s); clientbound: server -> client (S2c).
enum class Direction : std::uint8_t { serverbound, clientbound };

constexpr std::string_view to_string(State s) noexcept {
  switch (s) {
    case State::handshake: return "handshake";
    case State::status: return "status";
    case State::login: return "login";
    case State::configuration: return "configuration";
    case State::play: return "play";
  }
  return "?";
}

constexpr std::string_view to_string(Direction d) noexcept {
  return d == Direction::serverbound ? "serverbound" : "clientbound";
}

}  // namespace rustguard::protocol
