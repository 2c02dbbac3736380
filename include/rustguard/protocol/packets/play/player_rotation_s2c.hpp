#pragma once
// Player Rotation (1.21.2+): the server turns the player without moving it.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct PlayerRotationS2c {
  static constexpr PacketKind kind = PacketKind::player_rotation_s2c;

  float yaw = 0;    // degrees
  float pitch = 0;  // degrees
  bool relative_yaw = false;    // 1.21.9+: yaw is added to the current yaw
  bool relative_pitch = false;  // 1.21.9+

  static Result<PlayerRotationS2c> decode(std::span<const std::uint8_t> body, std::int32_t protocol) noexcept {
    Reader r{body};
    PlayerRotationS2c p;
    p.yaw = r.f32();
    if (protocol >= v::v1_21_9) p.relative_yaw = r.boolean();
    p.pitch = r.f32();
    if (protocol >= v::v1_21_9) p.relative_pitch = r.boolean();
    if (auto res = r.finish("Player Rotation"); !res) return res.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
