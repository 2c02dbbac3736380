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
#include "rustguard/protocol/packets/configuration/brand.hpp"
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
    Reader r{body};
    ConfigCustomPayloadS2c p;
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
