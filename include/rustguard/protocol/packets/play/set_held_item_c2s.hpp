#pragma once
// Set Held Item (serverbound, "held_item_slot"): the client selected a hotbar
// slot. The slot is kept as sent: vanilla ignores values outside 0..8 rather
// than disconnecting, so an out-of-range slot is a check's business, not a
// decoding error.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct SetHeldItemC2s {
  static constexpr PacketKind kind = PacketKind::set_held_item_c2s;
  static constexpr std::int16_t kHotbarSlots = 9;

  std::int16_t slot = 0;  // hotbar slot, 0..8 from an honest client

  bool slot_in_hotbar() const noexcept { return slot >= 0 && slot < kHotbarSlots; }

  static Result<SetHeldItemC2s> decode(std::span<const std::uint8_t> body,
                                       std::int32_t /*protocol*/) noexcept {
    Reader r{body};
    SetHeldItemC2s p;
    p.slot = r.i16();
    if (auto done = r.finish("Set Held Item"); !done) return done.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
