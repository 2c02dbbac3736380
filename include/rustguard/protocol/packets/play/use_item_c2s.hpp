#pragma once
// Use Item (serverbound, "use_item", 1.9+): the client right-clicked with the
// item in a hand without targeting a block (1.8 sends a Use Item On with face
// 255 instead).

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/packets/play/swing_arm_c2s.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct UseItemC2s {
  static constexpr PacketKind kind = PacketKind::use_item_c2s;

  Hand hand = Hand::main_hand;
  std::int32_t sequence = 0;  // 1.19+
  // The client's view when it used the item (1.21+), degrees; 0 before.
  float yaw = 0;
  float pitch = 0;
  bool has_rotation = false;

  static Result<UseItemC2s> decode(std::span<const std::uint8_t> body,
                                   std::int32_t protocol) noexcept {
    Reader r{body};
    UseItemC2s p;
    p.hand = detail::read_hand(r);
    if (protocol >= v::v1_19) p.sequence = r.varint();
    if (protocol >= v::v1_21) {
      p.yaw = r.f32();
      p.pitch = r.f32();
      p.has_rotation = true;
    }
    if (auto done = r.finish("Use Item"); !done) return done.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
