#pragma once
// Move Entity Pos / PosRot / Rot (rel_entity_move, entity_move_look,
// entity_look): small position deltas and rotations of tracked entities.
// Deltas are bytes in 1/32 block in 1.8 and shorts in 1/4096 block from 1.9.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/reader.hpp"
#include "rustguard/protocol/types.hpp"

namespace rustguard::protocol::packets {

namespace detail {
inline Vec3 read_entity_delta(Reader& r, std::int32_t protocol) noexcept {
  if (protocol < v::v1_9) {
    return Vec3{r.i8() / 32.0, r.i8() / 32.0, r.i8() / 32.0};
  }
  return Vec3{r.i16() / 4096.0, r.i16() / 4096.0, r.i16() / 4096.0};
}
}  // namespace detail

struct EntityRelativeMoveS2c {
  static constexpr PacketKind kind = PacketKind::entity_relative_move_s2c;

  std::int32_t entity_id = 0;
  Vec3 delta;  // blocks
  bool on_ground = false;

  static Result<EntityRelativeMoveS2c> decode(std::span<const std::uint8_t> body, std::int32_t protocol) noexcept {
    Reader r{body};
    EntityRelativeMoveS2c p;
    p.entity_id = r.varint();
    p.delta = detail::read_entity_delta(r, protocol);
    p.on_ground = r.boolean();
    if (auto res = r.finish("Move Entity Pos"); !res) return res.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
