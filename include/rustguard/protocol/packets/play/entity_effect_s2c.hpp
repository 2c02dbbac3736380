#pragma once
// Update Mob Effect: an effect starts or changes on an entity. Speed, jump
// boost, slowness, levitation, slow falling, dolphin's grace... change what
// movement is legal, so the checks track the player's own effects.
//
// Effect ids are normalised to the 0-based registry id the game uses on the
// wire since 1.20.2 (speed = 0); earlier versions send id + 1.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/packets/play/nbt_skip_s2c.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

namespace detail {
// Effect id as sent -> 0-based registry id.
constexpr std::int32_t normalise_effect_id(std::int32_t wire, std::int32_t protocol) noexcept {
  return protocol < v::v1_20_2 ? wire - 1 : wire;
}
// Byte before 1.18.2, VarInt from 1.18.2.
inline std::int32_t read_effect_id(Reader& r, std::int32_t protocol) noexcept {
  return normalise_effect_id(protocol < v::v1_18_2 ? r.i8() : r.varint(), protocol);
}
}  // namespace detail

struct EntityEffectS2c {
  static constexpr PacketKind kind = PacketKind::entity_effect_s2c;

  std::int32_t entity_id = 0;
  std::int32_t effect_id = 0;   // 0-based registry id (speed = 0)
  std::int32_t amplifier = 0;   // level - 1 (byte before 1.20.5, VarInt after)
  std::int32_t duration_ticks = 0;  // -1 = infinite (1.19.4+)
  bool ambient = false;         // from a beacon / conduit
  bool show_particles = true;   // 1.8: the inverse of its "hide particles" bool
  bool show_icon = true;        // 1.14+ (always shown before)
  bool blend = false;           // 1.20.5+: fade the darkness/night-vision blend
  bool has_factor_data = false; // 1.19 .. 1.20.4: optional NBT (skipped)

  static Result<EntityEffectS2c> decode(std::span<const std::uint8_t> body, std::int32_t protocol) noexcept {
    Reader r{body};
    EntityEffectS2c p;
    p.entity_id = r.varint();
    p.effect_id = detail::read_effect_id(r, protocol);
    p.amplifier = protocol >= v::v1_20_5 ? r.varint() : r.i8();
    p.duration_ticks = r.varint();
    if (protocol < v::v1_9) {
      p.show_particles = !r.boolean();
    } else {
      const std::uint8_t flags = r.u8();
      p.ambient = (flags & 0x01) != 0;
      p.show_particles = (flags & 0x02) != 0;
      p.show_icon = protocol < v::v1_14 || (flags & 0x04) != 0;
      p.blend = protocol >= v::v1_20_5 && (flags & 0x08) != 0;
    }
    if (protocol >= v::v1_19 && protocol < v::v1_20_5) {
      // The factor data only animates the darkness effect on the client.
      p.has_factor_data = r.boolean();
      if (p.has_factor_data) detail::skip_nbt(r, protocol < v::v1_20_2);
    }
    if (auto res = r.finish("Update Mob Effect"); !res) return res.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
