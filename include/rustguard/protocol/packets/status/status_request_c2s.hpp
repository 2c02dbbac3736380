#pragma once
// Status Request (serverbound, "ping_start"): asks for the server list entry.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct StatusRequestC2s {
  static constexpr PacketKind kind = PacketKind::status_request_c2s;

  static Result<StatusRequestC2s> decode(std::span<const std::uint8_t> body,
                                         std::int32_t /*protocol*/) noexcept {
    Reader r{body};
    if (auto done = r.finish("Status Request"); !done) return done.error();
    return StatusRequestC2s{};
  }
};

}  // namespace rustguard::protocol::packets
