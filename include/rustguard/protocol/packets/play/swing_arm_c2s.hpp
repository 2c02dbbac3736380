#pragma once
// Swing Arm (serverbound, "arm_animation"): the client swung a hand (every
// attack and most block interactions come with one). Also defines Hand, which
// several serverbound packets carry in the same VarInt form.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

enum class Hand : std::uint8_t { main_hand = 0, off_hand = 1 };

namespace detail {

// A VarInt hand (1.9+); anything but 0 and 1 is rejected.
inline Hand read_hand(Reader& r) noexcept {
  const std::int32_t v = r.varint();
  if (v != 0 && v != 1) {
    r.fail(make_error(Errc::invalid_value, "hand", v, 1));
    return Hand::main_hand;
  }
  return static_cast<Hand>(v);
}

}  // namespace detail

struct SwingArmC2s {
  static constexpr PacketKind kind = PacketKind::swing_arm_c2s;

  Hand hand = Hand::main_hand;  // 1.8 has no off hand: always main_hand there

  static Result<SwingArmC2s> decode(std::span<const std::uint8_t> body,
                                    std::int32_t protocol) noexcept {
    Reader r{body};
    SwingArmC2s p;
    if (protocol >= v::v1_9) p.hand = detail::read_hand(r);
    if (auto done = r.finish("Swing Arm"); !done) return done.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
