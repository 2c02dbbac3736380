#pragma once
// Finish Configuration (clientbound, 1.20.2+): the server is done configuring;
// the client answers with Finish Configuration and both enter play.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct FinishConfigurationS2c {
  static constexpr PacketKind kind = PacketKind::finish_configuration_s2c;

  static Result<FinishConfigurationS2c> decode(std::span<const std::uint8_t> body,
                           std::int32_t /*protocol*/) noexcept {
    Reader r{body};
    if (auto done = r.finish("Finish Configuration"); !done) return done.error();
    return FinishConfigurationS2c{};
  }
};

}  // namespace rustguard::protocol::packets
