#pragma once
// Client Information (serverbound, configuration, 1.20.2+): same layout as in
// play (client_information_c2s.hpp).

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/packets/play/client_information_c2s.hpp"

namespace rustguard::protocol::packets {

struct ConfigClientInformationC2s : ClientInformationC2s {
  static constexpr PacketKind kind = PacketKind::config_client_information_c2s;

  static Result<ConfigClientInformationC2s> decode(std::span<const std::uint8_t> body,
                                                   std::int32_t protocol) {
    auto r = ClientInformationC2s::decode(body, protocol);
    if (!r) return r.error();
    return ConfigClientInformationC2s{std::move(*r)};
  }
};

}  // namespace rustguard::protocol::packets
