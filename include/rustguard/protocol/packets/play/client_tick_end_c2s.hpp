#pragma once
// Client Tick End (serverbound, "tick_end", 1.21.2+): marks the end of one
// client tick, so packets between two of them belong to the same tick.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct ClientTickEndC2s {
  static constexpr PacketKind kind = PacketKind::client_tick_end_c2s;

  static Result<ClientTickEndC2s> decode(std::span<const std::uint8_t> body,
                                         std::int32_t /*protocol*/) noexcept {
    Reader r{body};
    if (auto done = r.finish("Client Tick End"); !done) return done.error();
    return ClientTickEndC2s{};
  }
};

}  // namespace rustguard::protocol::packets
