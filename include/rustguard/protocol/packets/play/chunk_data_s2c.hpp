#pragma once
// Chunk Data (map_chunk): only the chunk coordinates are decoded. The live
// proxy recognises the packet by id and never inflates its body; this decoder
// serves tests and tools that want to know which chunk was sent.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct ChunkDataS2c {
  static constexpr PacketKind kind = PacketKind::chunk_data_s2c;

  std::int32_t chunk_x = 0;  // chunk coordinates (block / 16)
  std::int32_t chunk_z = 0;

  static Result<ChunkDataS2c> decode(std::span<const std::uint8_t> body, std::int32_t /*protocol*/) noexcept {
    Reader r{body};
    ChunkDataS2c p;
    p.chunk_x = r.i32();
    p.chunk_z = r.i32();
    r.take_rest();  // heightmaps, sections, block entities, light: not parsed (see above)
    if (!r.ok()) return r.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
