#pragma once
// Set Position (serverbound, "position"): the client moved without turning.
// y is the feet position in every supported version (1.7's separate head
// "stance" value is gone by 1.8).

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/packets/play/set_movement_flags_c2s.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct SetPositionC2s {
  static constexpr PacketKind kind = PacketKind::set_position_c2s;

  double x = 0;       // blocks
  double feet_y = 0;  // blocks
  double z = 0;       // blocks
  bool on_ground = false;
  bool horizontal_collision = false;  // always false before 1.21.2

  static Result<SetPositionC2s> decode(std::span<const std::uint8_t> body,
                                       std::int32_t protocol) noexcept {
    Reader r{body};
    SetPositionC2s p;
    p.x = r.f64();
    p.feet_y = r.f64();
    p.z = r.f64();
    const auto flags = detail::read_movement_flags(r, protocol);
    if (auto done = r.finish("Set Position"); !done) return done.error();
    p.on_ground = flags.on_ground;
    p.horizontal_collision = flags.horizontal_collision;
    return p;
  }
};

}  // namespace rustguard::protocol::packets
