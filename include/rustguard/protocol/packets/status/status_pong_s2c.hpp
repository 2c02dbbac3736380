#pragma once
// Status Pong (clientbound, "ping"): the server's echo of Status Ping.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct StatusPongS2c {
  static constexpr PacketKind kind = PacketKind::status_pong_s2c;

  std::int64_t payload = 0;

  static Result<StatusPongS2c> decode(std::span<const std::uint8_t> body,
                                      std::int32_t /*protocol*/) noexcept {
    Reader r{body};
    StatusPongS2c p;
    p.payload = r.i64();
    if (auto done = r.finish("Status Pong"); !done) return done.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
