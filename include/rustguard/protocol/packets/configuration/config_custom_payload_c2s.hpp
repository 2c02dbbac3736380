#pragma once
// Custom Payload (serverbound, configuration, 1.20.2+): same layout and limit
// as in play; a modern client sends its brand here, before play.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/packets/play/custom_payload_c2s.hpp"

namespace rustguard::protocol::packets {

struct ConfigCustomPayloadC2s : CustomPayloadC2s {
  static constexpr PacketKind kind = PacketKind::config_custom_payload_c2s;

  static Result<ConfigCustomPayloadC2s> decode(std::span<const std::uint8_t> body,
                                               std::int32_t protocol) {
    auto r = CustomPayloadC2s::decode(body, protocol);
    if (!r) return r.error();
    return ConfigCustomPayloadC2s{std::move(*r)};
  }
};

}  // namespace rustguard::protocol::packets
