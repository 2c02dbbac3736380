#pragma once
// Synchronize Player Position: the server teleports the player (or corrects
// it). The client must confirm it (1.9+ by teleport id) and continue from the
// new position; until then its movement is judged against this one.

#include <cstdint>
#include <span>
#include <vector>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/packets/play/relative_flags_s2c.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/reader.hpp"
#include "rustguard/protocol/types.hpp"
#include "rustguard/protocol/writer.hpp"

namespace rustguard::protocol::packets {

struct SyncPlayerPositionS2c {
  static constexpr PacketKind kind = PacketKind::sync_player_position_s2c;

  Vec3 position;            // blocks (absolute, or an offset for relative axes)
  float yaw = 0;            // degrees
  float pitch = 0;          // degrees
  RelativeFlags relative;   // byte before 1.21.2, int after
  std::int32_t teleport_id = 0;  // 1.9+; 0 in 1.8, which has no confirmation
  bool dismount_vehicle = false;  // 1.17 .. 1.19.3 only
  Vec3 velocity;            // blocks/tick, 1.21.2+ (zero before)

  static Result<SyncPlayerPositionS2c> decode(std::span<const std::uint8_t> body, std::int32_t protocol) noexcept {
    Reader r{body};
    SyncPlayerPositionS2c p;
    if (protocol >= v::v1_21_2) {
      p.teleport_id = r.varint();
      p.position = {r.f64(), r.f64(), r.f64()};
      p.velocity = {r.f64(), r.f64(), r.f64()};
      p.yaw = r.f32();
      p.pitch = r.f32();
      p.relative = RelativeFlags::from_bits(static_cast<std::uint32_t>(r.i32()));
    } else {
      p.position = {r.f64(), r.f64(), r.f64()};
      p.yaw = r.f32();
      p.pitch = r.f32();
      // Only the five position/rotation bits exist before 1.21.2.
      p.relative = RelativeFlags::from_bits(r.u8() & 0x1Fu);
      if (protocol >= v::v1_9) p.teleport_id = r.varint();
      if (protocol >= v::v1_17 && protocol < v::v1_19_4) p.dismount_vehicle = r.boolean();
    }
    if (auto res = r.finish("Synchronize Player Position"); !res) return res.error();
    return p;
  }

  // RustGuard writes its own (setbacks) and rewrites the server's teleport
  // ids (session/teleport_ids.hpp), in the layout decode() reads.
  void encode(std::vector<std::uint8_t>& body, std::int32_t protocol) const {
    Writer w{body};
    if (protocol >= v::v1_21_2) {
      w.varint(teleport_id);
      w.f64(position.x).f64(position.y).f64(position.z);
      w.f64(velocity.x).f64(velocity.y).f64(velocity.z);
      w.f32(yaw).f32(pitch);
      w.i32(static_cast<std::int32_t>(relative.to_bits()));
      return;
    }
    w.f64(position.x).f64(position.y).f64(position.z);
    w.f32(yaw).f32(pitch);
    w.u8(static_cast<std::uint8_t>(relative.to_bits() & 0x1Fu));
    if (protocol >= v::v1_9) w.varint(teleport_id);
    if (protocol >= v::v1_17 && protocol < v::v1_19_4) w.boolean(dismount_vehicle);
  }
};

}  // namespace rustguard::protocol::packets
