#pragma once
// Block clicks for the place tests: Use Item On in each version's layout
// (1.8: face byte, an empty held item, sixteenths; 1.9-1.10: varint face,
// hand, sixteenths; 1.11-1.13: floats; 1.14+: hand first, then inside-block,
// 1.21.2+ world-border hit, 1.19+ sequence), and the player's own block
// interaction range (Update Attributes, 1.21+ layout).

#include <cmath>
#include <cstdint>
#include <vector>

#include "engine_driver.hpp"
#include "rustguard/protocol/packets/play/attribute_ids_s2c.hpp"
#include "rustguard/protocol/packets/play/use_item_on_c2s.hpp"

namespace rustguard::test {

using protocol::BlockPos;
using protocol::packets::BlockFace;

struct Click {
  BlockPos block;
  BlockFace face = BlockFace::up;
  protocol::Vec3 cursor{0.5, 1.0, 0.5};
  bool inside = false;
};

inline Verdict use_item_on(Driver& d, const Click& c) {
  std::vector<std::uint8_t> b;
  protocol::Writer w{b};
  const bool old_position = d.pv < v::v1_14;
  // Sixteenths as the client writes them: truncated towards zero.
  auto sixteenth = [](double x) { return static_cast<std::int8_t>(static_cast<int>(x * 16.0)); };
  if (d.pv < v::v1_9) {
    w.position(c.block, old_position).i8(static_cast<std::int8_t>(c.face)).i16(-1);
    w.i8(sixteenth(c.cursor.x)).i8(sixteenth(c.cursor.y)).i8(sixteenth(c.cursor.z));
    return d.send(PacketKind::use_item_on_c2s, b);
  }
  if (d.pv >= v::v1_14) w.varint(0);  // main hand
  w.position(c.block, old_position).varint(static_cast<std::int32_t>(c.face));
  if (d.pv < v::v1_14) w.varint(0);
  if (d.pv < v::v1_11) {
    w.i8(sixteenth(c.cursor.x)).i8(sixteenth(c.cursor.y)).i8(sixteenth(c.cursor.z));
  } else {
    w.f32(static_cast<float>(c.cursor.x)).f32(static_cast<float>(c.cursor.y)).f32(static_cast<float>(c.cursor.z));
  }
  if (d.pv >= v::v1_14) w.boolean(c.inside);
  if (d.pv >= v::v1_21_2) w.boolean(false);
  if (d.pv >= v::v1_19) w.varint(7);
  return d.send(PacketKind::use_item_on_c2s, b);
}

// 1.8's "use the held item in the air": face 255, position -1/-1/-1.
inline Verdict use_in_air_1_8(Driver& d) {
  std::vector<std::uint8_t> b;
  protocol::Writer{b}.position({-1, -1, -1}, true).i8(-1).i16(-1).i8(0).i8(0).i8(0);
  return d.send(PacketKind::use_item_on_c2s, b);
}

// The player's block_interaction_range attribute (1.21+), acknowledged.
// False (nothing sent) before 1.21.
inline bool set_block_range(Driver& d, double range) {
  if (d.pv < v::v1_21) return false;
  const auto ids = protocol::packets::detail::attribute_id_table(d.pv);
  std::int32_t id = -1;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] == protocol::packets::Attribute::block_interaction_range) id = static_cast<std::int32_t>(i);
  }
  if (id < 0) return false;
  std::vector<std::uint8_t> b;
  protocol::Writer{b}.varint(kSelfId).varint(1).varint(id).f64(range).varint(0);
  d.receive(PacketKind::update_attributes_s2c, b);
  d.answer_all();
  return true;
}

}  // namespace rustguard::test
