#pragma once
// Set Movement Flags (serverbound, "flying" / "status only"): the client's
// on-ground state on a tick where it neither moved nor turned. Also holds the
// flag reader the three other movement packets share, because the flags'
// wire form is this packet's whole body.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

namespace detail {

struct MovementFlags {
  bool on_ground = false;
  bool horizontal_collision = false;  // only sent from 1.21.2; false before
};

// Before 1.21.2 a bool; from 1.21.2 a flags byte (bit 0 on ground, bit 1
// horizontal collision). Unknown bits are rejected: vanilla never sets them,
// so they mark a forged packet.
inline MovementFlags read_movement_flags(Reader& r, std::int32_t protocol) noexcept {
  MovementFlags f;
  if (protocol < v::v1_21_2) {
    f.on_ground = r.boolean();
    return f;
  }
  const std::uint8_t bits = r.u8();
  if (bits & ~std::uint8_t{0x03}) {
    r.fail(make_error(Errc::invalid_value, "movement flags", bits, 0x03));
    return f;
  }
  f.on_ground = (bits & 0x01) != 0;
  f.horizontal_collision = (bits & 0x02) != 0;
  return f;
}

}  // namespace detail

struct SetMovementFlagsC2s {
  static constexpr PacketKind kind = PacketKind::set_movement_flags_c2s;

  bool on_ground = false;
  bool horizontal_collision = false;  // always false before 1.21.2

  static Result<SetMovementFlagsC2s> decode(std::span<const std::uint8_t> body,
                                            std::int32_t protocol) noexcept {
    Reader r{body};
    const auto flags = detail::read_movement_flags(r, protocol);
    if (auto done = r.finish("Set Movement Flags"); !done) return done.error();
    return SetMovementFlagsC2s{flags.on_ground, flags.horizontal_collision};
  }
};

}  // namespace rustguard::protocol::packets
