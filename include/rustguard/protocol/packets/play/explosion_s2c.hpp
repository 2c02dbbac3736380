#pragma once
// Explosion: where it happened and the knockback it gives the receiving
// player, which the movement checks must expect.
//
// Layouts: before 1.19.3 f32 centre; 1.19.3 f64 centre; both then a radius,
// the destroyed block offsets and the knockback as three f32 (always present),
// and from 1.20.3 block interaction, particles and sound. 1.21.2 dropped the
// radius and block list and made the knockback an optional f64 vector (the
// game's Vec3 codec; minecraft-data 3.119.0 still types it as f32 for
// 1.21.2/1.21.3 only, a known data bug); 1.21.9 added the radius and a block
// count back before it. Particles, sounds and (1.20.3+) everything after the
// knockback are not parsed: they carry registry-dependent structures the
// anti-cheat never needs.

#include <cstddef>
#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/reader.hpp"
#include "rustguard/protocol/types.hpp"

namespace rustguard::protocol::packets {

struct ExplosionS2c {
  static constexpr PacketKind kind = PacketKind::explosion_s2c;

  Vec3 center;             // blocks
  bool has_knockback = false;  // always true before 1.21.2
  Vec3 knockback;          // blocks/tick added to the player's velocity

  static Result<ExplosionS2c> decode(std::span<const std::uint8_t> body, std::int32_t protocol) noexcept {
    Reader r{body};
    ExplosionS2c p;
    if (protocol >= v::v1_21_2) {
      p.center = {r.f64(), r.f64(), r.f64()};
      if (protocol >= v::v1_21_9) {
        r.skip(4, "explosion radius");
        r.skip(4, "explosion block count");
      }
      p.has_knockback = r.boolean();
      if (p.has_knockback) p.knockback = {r.f64(), r.f64(), r.f64()};
      r.take_rest();  // particle, sound (and 1.21.9+ block particles): not needed
      if (!r.ok()) return r.error();
      return p;
    }
    if (protocol >= v::v1_19_3) {
      p.center = {r.f64(), r.f64(), r.f64()};
    } else {
      p.center = {r.f32(), r.f32(), r.f32()};
    }
    r.skip(4, "explosion radius");
    const std::int32_t blocks = protocol >= v::v1_17 ? r.varint() : r.i32();
    if (r.ok() && blocks < 0) r.fail(make_error(Errc::negative_length, "explosion block count", blocks));
    r.skip(static_cast<std::size_t>(blocks < 0 ? 0 : blocks) * 3, "explosion block offsets");
    p.has_knockback = true;
    p.knockback = {r.f32(), r.f32(), r.f32()};
    if (protocol >= v::v1_20_3) {
      r.take_rest();  // block interaction, particles, sound: not needed
      if (!r.ok()) return r.error();
      return p;
    }
    if (auto res = r.finish("Explosion"); !res) return res.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
