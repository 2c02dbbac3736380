#pragma once
// Attach Entity. On 1.8 it is how riding starts and ends: entity rides
// vehicle (vehicle -1: gets off), or, with the leash flag, a leash between
// them. From 1.9 riding moved to Set Passengers and this packet is the leash
// only (attached entity, holder), decoded as a leash.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct AttachEntityS2c {
  static constexpr PacketKind kind = PacketKind::attach_entity_s2c;

  std::int32_t entity_id = 0;
  std::int32_t vehicle_id = -1;  // the vehicle, or the leash holder; -1: none
  bool leash = false;

  // Whether this is 1.8 riding (not a leash).
  bool riding() const noexcept { return !leash; }

  static Result<AttachEntityS2c> decode(std::span<const std::uint8_t> body, std::int32_t protocol) noexcept {
    Reader r{body};
    AttachEntityS2c p;
    p.entity_id = r.i32();
    p.vehicle_id = r.i32();
    p.leash = protocol < v::v1_9 ? r.boolean() : true;
    if (auto res = r.finish("Attach Entity"); !res) return res.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
