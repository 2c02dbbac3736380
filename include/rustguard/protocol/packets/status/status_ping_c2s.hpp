#pragma once
// Status Ping (serverbound, "ping"): a payload the server echoes, so the
// client can time the round trip.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct StatusPingC2s {
  static constexpr PacketKind kind = PacketKind::status_ping_c2s;

  std::int64_t payload = 0;  // opaque; vanilla clients send their clock in ms

  static Result<StatusPingC2s> decode(std::span<const std::uint8_t> body,
                                      std::int32_t /*protocol*/) noexcept {
    Reader r{body};
    StatusPingC2s p;
    p.payload = r.i64();
    if (auto done = r.finish("Status Ping"); !done) return done.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
