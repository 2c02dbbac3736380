#pragma once
// Vehicle Move (serverbound, "vehicle_move", 1.9+): where the client moved the
// vehicle it controls.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct VehicleMoveC2s {
  static constexpr PacketKind kind = PacketKind::vehicle_move_c2s;

  double x = 0;  // blocks
  double y = 0;  // blocks
  double z = 0;  // blocks
  float yaw = 0;    // degrees
  float pitch = 0;  // degrees
  bool on_ground = false;  // sent from 1.21.4; false before

  static Result<VehicleMoveC2s> decode(std::span<const std::uint8_t> body,
                                       std::int32_t protocol) noexcept {
    Reader r{body};
    VehicleMoveC2s p;
    p.x = r.f64();
    p.y = r.f64();
    p.z = r.f64();
    p.yaw = r.f32();
    p.pitch = r.f32();
    if (protocol >= v::v1_21_4) p.on_ground = r.boolean();
    if (auto done = r.finish("Vehicle Move"); !done) return done.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
