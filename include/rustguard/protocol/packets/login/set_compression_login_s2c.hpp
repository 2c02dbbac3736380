#pragma once
// Set Compression (clientbound, login "compress"): from the next frame on,
// frames use the compressed format with this threshold (bytes); a negative
// threshold turns compression off.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct SetCompressionLoginS2c {
  static constexpr PacketKind kind = PacketKind::set_compression_login_s2c;

  std::int32_t threshold = 0;  // bytes; < 0 disables compression

  static Result<SetCompressionLoginS2c> decode(std::span<const std::uint8_t> body,
                                               std::int32_t /*protocol*/) noexcept {
    Reader r{body};
    SetCompressionLoginS2c p;
    p.threshold = r.varint();
    if (auto done = r.finish("Set Compression"); !done) return done.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
