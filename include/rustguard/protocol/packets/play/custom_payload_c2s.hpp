#pragma once
// Custom Payload (serverbound, "custom_payload", play): a plugin-channel
// message. RustGuard reads the client brand from it and keeps the data raw.

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

struct CustomPayloadC2s {
  static constexpr PacketKind kind = PacketKind::custom_payload_c2s;
  // Vanilla servers refuse serverbound payloads above this size.
  static constexpr std::size_t kMaxDataBytes = 32767;

  std::string channel;              // "minecraft:brand", "MC|Brand", "fabric:..."
  std::vector<std::uint8_t> data;   // everything after the channel, unparsed

  std::optional<std::string_view> brand() const noexcept {
    return read_brand(channel, data);
  }

  static Result<CustomPayloadC2s> decode(std::span<const std::uint8_t> body,
                                         std::int32_t /*protocol*/) {
    CustomPayloadC2s p;
    if (auto read = detail::read_plugin_message(body, kMaxDataBytes, p.channel, p.data); !read) return read.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
