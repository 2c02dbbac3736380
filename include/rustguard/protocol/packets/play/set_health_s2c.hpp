#pragma once
// Set Health (update_health): health, food and saturation. Food at or below 6
// forbids sprinting; health <= 0 means the player died.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct SetHealthS2c {
  static constexpr PacketKind kind = PacketKind::set_health_s2c;

  float health = 0;       // half hearts
  std::int32_t food = 0;  // 0 .. 20
  float saturation = 0;

  static Result<SetHealthS2c> decode(std::span<const std::uint8_t> body, std::int32_t /*protocol*/) noexcept {
    Reader r{body};
    SetHealthS2c p;
    p.health = r.f32();
    p.food = r.varint();
    p.saturation = r.f32();
    if (auto res = r.finish("Set Health"); !res) return res.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
