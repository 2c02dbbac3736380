#pragma once
// Finish Configuration (serverbound, 1.20.2+): the client acknowledged the end
// of configuration; the connection enters play.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct FinishConfigurationC2s {
  static constexpr PacketKind kind = PacketKind::finish_configuration_c2s;

  static Result<FinishConfigurationC2s> decode(std::span<const std::uint8_t> body,
                           std::int32_t /*protocol*/) noexcept {
    Reader r{body};
    if (auto done = r.finish("Finish Configuration"); !done) return done.error();
    return FinishConfigurationC2s{};
  }
};

}  // namespace rustguard::protocol::packets
