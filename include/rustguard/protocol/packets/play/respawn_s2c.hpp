#pragma once
// Respawn: the player gets a new entity in a (possibly different) world, after
// death or a dimension change. Physics state resets, so the movement checks
// start over from the next teleport. Read to the end in every era; the
// dimension-type NBT of 1.16.2 .. 1.18.2 is skipped.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/packets/play/dimension_s2c.hpp"
#include "rustguard/protocol/packets/play/nbt_skip_s2c.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct RespawnS2c {
  static constexpr PacketKind kind = PacketKind::respawn_s2c;

  DimensionIdentity dimension;
  std::uint8_t game_mode = 0;
  std::int8_t previous_game_mode = -1;  // 1.16+
  // What the client keeps from the old player entity, 1.16+; 0 before. Since
  // 1.19.3 a bit set (1 = attributes, 2 = entity data); 1.16 .. 1.19.2 send
  // one bool ("copy metadata"), kept here as 0 or 1.
  std::uint8_t data_kept = 0;

  bool keeps_attributes() const noexcept { return (data_kept & 0x01) != 0; }
  bool keeps_entity_data() const noexcept { return (data_kept & 0x02) != 0; }

  static Result<RespawnS2c> decode(std::span<const std::uint8_t> body, std::int32_t protocol) noexcept {
    Reader r{body};
    RespawnS2c p;
    if (protocol < v::v1_16) {
      p.dimension.legacy_dimension = r.i32();
      if (protocol >= v::v1_15) r.skip(8, "hashed seed");
      if (protocol < v::v1_14) r.u8();  // difficulty
      p.game_mode = detail::read_game_mode(r, r.u8());
      r.string_view(16);  // level type
    } else if (protocol < v::v1_20_5) {
      if (protocol >= v::v1_16_2 && protocol < v::v1_19) {
        detail::skip_nbt(r, true);  // dimension type as NBT
      } else {
        p.dimension.dimension_type_name = r.string(32767);
      }
      p.dimension.world_name = r.string(32767);
      r.skip(8, "hashed seed");
      p.game_mode = detail::read_game_mode(r, r.u8());
      p.previous_game_mode = detail::read_previous_game_mode(r);
      r.skip(2, "debug and flat flags");
      if (protocol < v::v1_20_2) p.data_kept = r.u8();
      if (protocol >= v::v1_19) detail::skip_death_location(r);
      if (protocol >= v::v1_20) r.varint();  // portal cooldown
      if (protocol >= v::v1_20_2) p.data_kept = r.u8();
    } else {
      detail::read_spawn_info(r, protocol, p.dimension, p.game_mode, p.previous_game_mode);
      p.data_kept = r.u8();
    }
    if (auto res = r.finish("Respawn"); !res) return res.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
