#pragma once
// Player Input (serverbound): the movement keys the client holds. Before
// 1.21.2 this is "steer_vehicle", sent only while riding, as two impulses
// (sideways, forward: -1..1, scaled by 0.3 when sneaking) and a flags byte
// (jump, unmount = sneak key). From 1.21.2 it is sent on every change of the
// keys, as one flags byte. Both forms are normalised to key states plus
// impulses here.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct PlayerInputC2s {
  static constexpr PacketKind kind = PacketKind::player_input_c2s;

  bool forward = false;
  bool backward = false;
  bool left = false;
  bool right = false;
  bool jump = false;
  bool sneak = false;   // the "unmount" flag before 1.21.2
  bool sprint = false;  // not sent before 1.21.2: false there
  // Impulses as the client computed them before 1.21.2 (left and forward
  // positive); from 1.21.2 derived from the keys as -1, 0 or 1.
  float sideways_impulse = 0;
  float forward_impulse = 0;

  static Result<PlayerInputC2s> decode(std::span<const std::uint8_t> body,
                                       std::int32_t protocol) noexcept {
    Reader r{body};
    PlayerInputC2s p;
    if (protocol < v::v1_21_2) {
      p.sideways_impulse = r.f32();
      p.forward_impulse = r.f32();
      const std::uint8_t flags = r.u8();
      if (r.ok() && (flags & ~std::uint8_t{0x03})) {
        r.fail(make_error(Errc::invalid_value, "Player Input flags", flags, 0x03));
      }
      p.jump = (flags & 0x01) != 0;
      p.sneak = (flags & 0x02) != 0;
      p.forward = p.forward_impulse > 0;
      p.backward = p.forward_impulse < 0;
      p.left = p.sideways_impulse > 0;
      p.right = p.sideways_impulse < 0;
    } else {
      const std::uint8_t flags = r.u8();
      if (r.ok() && (flags & 0x80)) {
        r.fail(make_error(Errc::invalid_value, "Player Input flags", flags, 0x7F));
      }
      p.forward = (flags & 0x01) != 0;
      p.backward = (flags & 0x02) != 0;
      p.left = (flags & 0x04) != 0;
      p.right = (flags & 0x08) != 0;
      p.jump = (flags & 0x10) != 0;
      p.sneak = (flags & 0x20) != 0;
      p.sprint = (flags & 0x40) != 0;
      p.forward_impulse = static_cast<float>(int{p.forward} - int{p.backward});
      p.sideways_impulse = static_cast<float>(int{p.left} - int{p.right});
    }
    if (auto done = r.finish("Player Input"); !done) return done.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
