#pragma once
// Start Configuration (1.20.2+): the server sends the player back to the
// configuration state; play packets stop until it returns. Empty body.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct StartConfigurationS2c {
  static constexpr PacketKind kind = PacketKind::start_configuration_s2c;

  static Result<StartConfigurationS2c> decode(std::span<const std::uint8_t> body, std::int32_t /*protocol*/) noexcept {
    Reader r{body};
    if (auto res = r.finish("Start Configuration"); !res) return res.error();
    return StartConfigurationS2c{};
  }
};

}  // namespace rustguard::protocol::packets
