#pragma once
// Ping (clientbound, configuration, 1.20.2+): the client answers with a Pong
// carrying the same id.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct ConfigPingS2c {
  static constexpr PacketKind kind = PacketKind::config_ping_s2c;

  std::int32_t id = 0;

  static Result<ConfigPingS2c> decode(std::span<const std::uint8_t> body,
                           std::int32_t /*protocol*/) noexcept {
    Reader r{body};
    ConfigPingS2c p;
    p.id = r.i32();
    if (auto done = r.finish("Ping"); !done) return done.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
