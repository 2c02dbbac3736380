#pragma once
// Spawn Player (named_entity_spawn, before 1.20.2; Add Entity after). 1.8 adds
// the held item; before 1.15 the entity metadata follows. Neither is parsed.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/packets/play/wire_units_s2c.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/reader.hpp"
#include "rustguard/protocol/types.hpp"

namespace rustguard::protocol::packets {

struct SpawnPlayerS2c {
  static constexpr PacketKind kind = PacketKind::spawn_player_s2c;

  std::int32_t entity_id = 0;
  Uuid uuid;
  Vec3 position;    // blocks (1.8: fixed point / 32)
  float yaw = 0;    // degrees
  float pitch = 0;  // degrees

  static Result<SpawnPlayerS2c> decode(std::span<const std::uint8_t> body, std::int32_t protocol) noexcept {
    Reader r{body};
    SpawnPlayerS2c p;
    p.entity_id = r.varint();
    p.uuid = r.uuid();
    p.position = detail::read_entity_position(r, protocol);
    p.yaw = r.angle();
    p.pitch = r.angle();
    if (protocol < v::v1_15) {
      r.take_rest();  // 1.8 held item, entity metadata: not needed
      if (!r.ok()) return r.error();
      return p;
    }
    if (auto res = r.finish("Spawn Player"); !res) return res.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
