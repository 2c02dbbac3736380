#pragma once
// Custom Payload (clientbound, configuration, 1.20.2+): a plugin-channel
// message from the server (its brand, mod handshakes). Data stays raw.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/packets/plugin_message.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct ConfigCustomPayloadS2c {
  static constexpr PacketKind kind = PacketKind::config_custom_payload_s2c;
  // The game's limit on clientbound payloads.
  static constexpr std::size_t kMaxDataBytes = 1048576;

  std::string channel;
  std::vector<std::uint8_t> data;

  std::optional<std::string_view> brand() const noexcept { return read_brand(channel, data); }

  static Result<ConfigCustomPayloadS2c> decode(std::span<const std::uint8_t> body,
                                               std::int32_t /*protocol*/) {
    ConfigCustomPayloadS2c p;
    if (auto read = detail::read_plugin_message(body, kMaxDataBytes, p.channel, p.data); !read) return read.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
