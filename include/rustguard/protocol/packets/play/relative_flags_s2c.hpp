#pragma once
// Which fields of a server teleport are relative to the current value rather
// than absolute. Sync Player Position sends them as a byte before 1.21.2 and
// as an int after (adding the velocity bits); Entity Teleport has them from
// 1.21.2. Bits the game does not define are ignored, as the game ignores them.

#include <cstdint>

namespace rustguard::protocol::packets {

struct RelativeFlags {
  bool x = false;
  bool y = false;
  bool z = false;
  bool yaw = false;
  bool pitch = false;
  bool velocity_x = false;     // 1.21.2+
  bool velocity_y = false;     // 1.21.2+
  bool velocity_z = false;     // 1.21.2+
  bool rotate_velocity = false;  // 1.21.2+: rotate the velocity by the yaw change

  static constexpr RelativeFlags from_bits(std::uint32_t bits) noexcept {
    RelativeFlags f;
    f.x = (bits & 0x001) != 0;
    f.y = (bits & 0x002) != 0;
    f.z = (bits & 0x004) != 0;
    f.yaw = (bits & 0x008) != 0;
    f.pitch = (bits & 0x010) != 0;
    f.velocity_x = (bits & 0x020) != 0;
    f.velocity_y = (bits & 0x040) != 0;
    f.velocity_z = (bits & 0x080) != 0;
    f.rotate_velocity = (bits & 0x100) != 0;
    return f;
  }
  constexpr std::uint32_t to_bits() const noexcept {
    return (x ? 0x001u : 0u) | (y ? 0x002u : 0u) | (z ? 0x004u : 0u) | (yaw ? 0x008u : 0u) |
           (pitch ? 0x010u : 0u) | (velocity_x ? 0x020u : 0u) | (velocity_y ? 0x040u : 0u) |
           (velocity_z ? 0x080u : 0u) | (rotate_velocity ? 0x100u : 0u);
  }
  friend bool operator==(const RelativeFlags&, const RelativeFlags&) = default;
};

}  // namespace rustguard::protocol::packets
