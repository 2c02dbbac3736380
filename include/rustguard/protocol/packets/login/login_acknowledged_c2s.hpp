#pragma once
// Login Acknowledged (serverbound, login, 1.20.2+): the client accepted Login
// Success; the connection moves to the configuration state.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct LoginAcknowledgedC2s {
  static constexpr PacketKind kind = PacketKind::login_acknowledged_c2s;

  static Result<LoginAcknowledgedC2s> decode(std::span<const std::uint8_t> body,
                                             std::int32_t /*protocol*/) noexcept {
    Reader r{body};
    if (auto done = r.finish("Login Acknowledged"); !done) return done.error();
    return LoginAcknowledgedC2s{};
  }
};

}  // namespace rustguard::protocol::packets
