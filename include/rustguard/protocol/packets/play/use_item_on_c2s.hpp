#pragma once
// Use Item On (serverbound, "block_place"): the client right-clicked a block
// face (placing a block, opening a container, using an item on a block).

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/packets/play/player_action_c2s.hpp"
#include "rustguard/protocol/packets/play/swing_arm_c2s.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/reader.hpp"
#include "rustguard/protocol/types.hpp"

namespace rustguard::protocol::packets {

struct UseItemOnC2s {
  static constexpr PacketKind kind = PacketKind::use_item_on_c2s;

  BlockPos position{};
  BlockFace face = BlockFace::down;
  // False only for 1.8's "use the held item in the air" form (face byte 255,
  // position -1/-1/-1), which later versions send as Use Item.
  bool targets_block = true;
  Hand hand = Hand::main_hand;  // main_hand before 1.9
  // Where on the face the click landed, 0..1 (blocks) on each axis; 1.8-1.10
  // send sixteenths, converted here.
  Vec3 cursor{};
  // False when 1.8's held item carried NBT: the cursor follows the NBT, which
  // is not parsed (RustGuard has no need for item data), so it is unknown.
  bool cursor_known = true;
  bool inside_block = false;       // 1.14+
  bool world_border_hit = false;   // 1.21.2+
  std::int32_t sequence = 0;       // 1.19+

  static Result<UseItemOnC2s> decode(std::span<const std::uint8_t> body,
                                     std::int32_t protocol) noexcept {
    Reader r{body};
    UseItemOnC2s p;
    const bool old_position = protocol < v::v1_14;
    if (protocol < v::v1_9) {
      p.position = r.position(old_position);
      const std::int8_t face = r.i8();
      if (face == -1) {
        p.targets_block = false;
      } else if (r.ok()) {
        p.face = detail::face_from(face, r);
      }
      if (!skip_1_8_held_item(r)) {
        p.cursor_known = false;
        r.take_rest();
        if (auto done = r.finish("Use Item On"); !done) return done.error();
        return p;
      }
      read_sixteenths(r, p.cursor);
    } else {
      if (protocol >= v::v1_14) p.hand = detail::read_hand(r);
      p.position = r.position(old_position);
      const std::int32_t face = r.varint();
      if (r.ok()) p.face = detail::face_from(face, r);
      if (protocol < v::v1_14) p.hand = detail::read_hand(r);
      if (protocol < v::v1_11) {
        read_sixteenths(r, p.cursor);
      } else {
        p.cursor.x = r.f32();
        p.cursor.y = r.f32();
        p.cursor.z = r.f32();
      }
      if (protocol >= v::v1_14) p.inside_block = r.boolean();
      if (protocol >= v::v1_21_2) p.world_border_hit = r.boolean();
      if (protocol >= v::v1_19) p.sequence = r.varint();
    }
    if (auto done = r.finish("Use Item On"); !done) return done.error();
    return p;
  }

 private:
  static void read_sixteenths(Reader& r, Vec3& cursor) noexcept {
    cursor.x = r.i8() / 16.0;
    cursor.y = r.i8() / 16.0;
    cursor.z = r.i8() / 16.0;
  }

  // 1.8's item stack: i16 item id (-1 = empty), then count, damage and NBT
  // whose first byte is 0 when there is none. Returns false when NBT follows.
  static bool skip_1_8_held_item(Reader& r) noexcept {
    if (r.i16() == -1) return true;
    r.skip(3, "held item count and damage");
    return r.u8() == 0 || !r.ok();
  }
};

}  // namespace rustguard::protocol::packets
