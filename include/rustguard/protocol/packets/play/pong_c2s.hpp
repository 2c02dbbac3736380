#pragma once
// Pong (serverbound, play, 1.17+): answers a clientbound Ping with its id. The
// proxy injects Pings to learn which server packets the client has processed.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct PongC2s {
  static constexpr PacketKind kind = PacketKind::pong_c2s;

  std::int32_t id = 0;

  static Result<PongC2s> decode(std::span<const std::uint8_t> body,
                                std::int32_t /*protocol*/) noexcept {
    Reader r{body};
    PongC2s p;
    p.id = r.i32();
    if (auto done = r.finish("Pong"); !done) return done.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
