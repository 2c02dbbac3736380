#pragma once
// Keep Alive (serverbound, play): echoes the id of the server's Keep Alive.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct KeepAliveC2s {
  static constexpr PacketKind kind = PacketKind::keep_alive_c2s;

  // A VarInt before 1.12.2 (protocol 340), a Long from then on; widened here.
  std::int64_t keep_alive_id = 0;

  static Result<KeepAliveC2s> decode(std::span<const std::uint8_t> body,
                                     std::int32_t protocol) noexcept {
    Reader r{body};
    KeepAliveC2s p;
    p.keep_alive_id = protocol < v::v1_12_2 ? r.varint() : r.i64();
    if (auto done = r.finish("Keep Alive"); !done) return done.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
