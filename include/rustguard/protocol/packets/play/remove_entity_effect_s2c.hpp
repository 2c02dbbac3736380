#pragma once
// Remove Mob Effect: an effect ends on an entity.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/packets/play/entity_effect_s2c.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct RemoveEntityEffectS2c {
  static constexpr PacketKind kind = PacketKind::remove_entity_effect_s2c;

  std::int32_t entity_id = 0;
  std::int32_t effect_id = 0;  // 0-based registry id, as in EntityEffectS2c

  static Result<RemoveEntityEffectS2c> decode(std::span<const std::uint8_t> body, std::int32_t protocol) noexcept {
    Reader r{body};
    RemoveEntityEffectS2c p;
    p.entity_id = r.varint();
    p.effect_id = detail::read_effect_id(r, protocol);
    if (auto res = r.finish("Remove Mob Effect"); !res) return res.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
