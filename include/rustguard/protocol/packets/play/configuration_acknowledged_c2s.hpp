#pragma once
// Configuration Acknowledged (serverbound, play, 1.20.2+): the client left the
// play state after Start Configuration; what follows is configuration.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct ConfigurationAcknowledgedC2s {
  static constexpr PacketKind kind = PacketKind::configuration_acknowledged_c2s;

  static Result<ConfigurationAcknowledgedC2s> decode(std::span<const std::uint8_t> body,
                                                     std::int32_t /*protocol*/) noexcept {
    Reader r{body};
    if (auto done = r.finish("Configuration Acknowledged"); !done) return done.error();
    return ConfigurationAcknowledgedC2s{};
  }
};

}  // namespace rustguard::protocol::packets
