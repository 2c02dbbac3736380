#pragma once
// Pong (serverbound, configuration, 1.20.2+): answers a Ping with its id.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct ConfigPongC2s {
  static constexpr PacketKind kind = PacketKind::config_pong_c2s;

  std::int32_t id = 0;

  static Result<ConfigPongC2s> decode(std::span<const std::uint8_t> body,
                           std::int32_t /*protocol*/) noexcept {
    Reader r{body};
    ConfigPongC2s p;
    p.id = r.i32();
    if (auto done = r.finish("Pong"); !done) return done.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
