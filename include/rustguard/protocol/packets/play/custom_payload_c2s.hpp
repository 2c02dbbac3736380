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
#include "rustguard/protocol/packets/configuration/brand.hpp"
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
    Reader r{body};
    CustomPayloadC2s p;
    p.channel = r.string(32767);
    if (r.ok() && r.remaining() > kMaxDataBytes) {
      return make_error(Errc::array_too_long, "Custom Payload data",
                        static_cast<std::int64_t>(r.remaining()), kMaxDataBytes);
    }
    const auto rest = r.take_rest();  // channel-specific: kept raw
    if (auto done = r.finish("Custom Payload"); !done) return done.error();
    p.data.assign(rest.begin(), rest.end());
    return p;
  }
};

}  // namespace rustguard::protocol::packets
