#pragma once
// Set Compression in the play state (1.8 only; later versions allow it only
// during login). The frame codec must switch at this packet.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct SetCompressionPlayS2c {
  static constexpr PacketKind kind = PacketKind::set_compression_play_s2c;

  std::int32_t threshold = 0;  // bytes; negative turns compression off

  static Result<SetCompressionPlayS2c> decode(std::span<const std::uint8_t> body, std::int32_t /*protocol*/) noexcept {
    Reader r{body};
    SetCompressionPlayS2c p;
    p.threshold = r.varint();
    if (auto res = r.finish("Set Compression (play)"); !res) return res.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
