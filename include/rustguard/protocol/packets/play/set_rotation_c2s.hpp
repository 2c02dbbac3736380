#pragma once
// Set Rotation (serverbound, "look"): the client turned without moving.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/packets/play/set_movement_flags_c2s.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct SetRotationC2s {
  static constexpr PacketKind kind = PacketKind::set_rotation_c2s;

  float yaw = 0;    // degrees, unbounded (the client does not wrap it)
  float pitch = 0;  // degrees, -90 (up) .. 90 (down) for an honest client
  bool on_ground = false;
  bool horizontal_collision = false;  // always false before 1.21.2

  static Result<SetRotationC2s> decode(std::span<const std::uint8_t> body,
                                       std::int32_t protocol) noexcept {
    Reader r{body};
    SetRotationC2s p;
    p.yaw = r.f32();
    p.pitch = r.f32();
    const auto flags = detail::read_movement_flags(r, protocol);
    if (auto done = r.finish("Set Rotation"); !done) return done.error();
    p.on_ground = flags.on_ground;
    p.horizontal_collision = flags.horizontal_collision;
    return p;
  }
};

}  // namespace rustguard::protocol::packets
