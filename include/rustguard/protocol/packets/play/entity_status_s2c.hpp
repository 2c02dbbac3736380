#pragma once
// Entity Event (entity_status): a one-byte event on an entity (hurt, death,
// totem use, op-level changes for the player itself...).

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct EntityStatusS2c {
  static constexpr PacketKind kind = PacketKind::entity_status_s2c;

  std::int32_t entity_id = 0;  // an int here, not a VarInt
  std::int8_t status = 0;

  static Result<EntityStatusS2c> decode(std::span<const std::uint8_t> body, std::int32_t /*protocol*/) noexcept {
    Reader r{body};
    EntityStatusS2c p;
    p.entity_id = r.i32();
    p.status = r.i8();
    if (auto res = r.finish("Entity Event"); !res) return res.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
