#pragma once
// Set Passengers (1.9+): which entities ride a vehicle. A player riding
// something moves by the vehicle's rules, not its own.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct SetPassengersS2c {
  static constexpr PacketKind kind = PacketKind::set_passengers_s2c;

  // A vehicle carries a handful of passengers; the cap stops a hostile count.
  static constexpr std::int32_t kMaxPassengers = 1024;

  std::int32_t vehicle_id = 0;
  std::vector<std::int32_t> passenger_ids;

  static Result<SetPassengersS2c> decode(std::span<const std::uint8_t> body, std::int32_t /*protocol*/) noexcept {
    Reader r{body};
    SetPassengersS2c p;
    p.vehicle_id = r.varint();
    const std::int32_t n = r.length(kMaxPassengers, "Set Passengers count");
    p.passenger_ids.reserve(std::min<std::size_t>(static_cast<std::size_t>(n), r.remaining()));
    for (std::int32_t i = 0; i < n && r.ok(); ++i) p.passenger_ids.push_back(r.varint());
    if (auto res = r.finish("Set Passengers"); !res) return res.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
