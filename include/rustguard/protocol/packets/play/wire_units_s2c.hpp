#pragma once
// Unit conversions shared by the clientbound entity and teleport packets, so
// every decoder turns the same wire form into the same normalised value:
// positions in blocks, velocities in blocks per tick, angles in degrees.

#include <cstdint>

#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/reader.hpp"
#include "rustguard/protocol/types.hpp"

namespace rustguard::protocol::packets::detail {

// 1.8 absolute entity positions: fixed point, 1/32 block.
constexpr double fixed_point_to_blocks(std::int32_t v) noexcept { return static_cast<double>(v) / 32.0; }

// 1.8 absolute entity position (three fixed-point ints), doubles from 1.9.
inline Vec3 read_fixed_point_position(Reader& r) noexcept {
  Vec3 p;
  p.x = fixed_point_to_blocks(r.i32());
  p.y = fixed_point_to_blocks(r.i32());
  p.z = fixed_point_to_blocks(r.i32());
  return p;
}
inline Vec3 read_entity_position(Reader& r, std::int32_t protocol) noexcept {
  if (protocol < v::v1_9) return read_fixed_point_position(r);
  Vec3 p;
  p.x = r.f64();
  p.y = r.f64();
  p.z = r.f64();
  return p;
}

// Velocity shorts (before 1.21.9): 1/8000 block per tick.
constexpr double velocity_short_to_blocks(std::int16_t v) noexcept { return static_cast<double>(v) / 8000.0; }

inline Vec3 read_velocity_shorts(Reader& r) noexcept {
  Vec3 v;
  v.x = velocity_short_to_blocks(r.i16());
  v.y = velocity_short_to_blocks(r.i16());
  v.z = velocity_short_to_blocks(r.i16());
  return v;
}

// The 1.21.9+ packed velocity ("lpVec3"): one zero byte for a zero vector,
// otherwise 48 bits little-endian-ish (byte a, byte b, then a big-endian u32)
// holding a 2-bit scale, a continuation bit and three 15-bit components, each
// mapping 0..32766 onto -1..1 and multiplied by the scale; when the
// continuation bit is set a VarInt carries the scale's higher bits.
// The arithmetic matches the game's (and minecraft-protocol's) bit for bit.
inline double lp_unpack(std::uint64_t packed, int shift) noexcept {
  std::uint64_t q = (packed >> shift) & 0x7FFF;
  if (q > 32766) q = 32766;
  return (static_cast<double>(q) * 2.0) / 32766.0 - 1.0;
}

inline Vec3 read_lp_vec3(Reader& r) noexcept {
  const std::uint8_t a = r.u8();
  if (!r.ok() || a == 0) return {};
  const std::uint8_t b = r.u8();
  const auto c = static_cast<std::uint32_t>(r.i32());
  const std::uint64_t packed = (static_cast<std::uint64_t>(c) << 16) | (static_cast<std::uint64_t>(b) << 8) | a;
  std::uint64_t scale = a & 3u;
  if ((a & 4u) != 0) scale |= static_cast<std::uint64_t>(static_cast<std::uint32_t>(r.varint())) << 2;
  if (!r.ok()) return {};
  const double s = static_cast<double>(scale);
  return Vec3{lp_unpack(packed, 3) * s, lp_unpack(packed, 18) * s, lp_unpack(packed, 33) * s};
}

// Entity velocity in the form the version sends.
inline Vec3 read_entity_velocity(Reader& r, bool packed) noexcept {
  return packed ? read_lp_vec3(r) : read_velocity_shorts(r);
}

}  // namespace rustguard::protocol::packets::detail
