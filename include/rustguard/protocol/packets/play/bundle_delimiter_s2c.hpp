#pragma once
// Bundle Delimiter (1.19.4+): opens or closes a bundle of packets the client
// applies in one tick. Empty body.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct BundleDelimiterS2c {
  static constexpr PacketKind kind = PacketKind::bundle_delimiter_s2c;

  static Result<BundleDelimiterS2c> decode(std::span<const std::uint8_t> body, std::int32_t /*protocol*/) noexcept {
    Reader r{body};
    if (auto res = r.finish("Bundle Delimiter"); !res) return res.error();
    return BundleDelimiterS2c{};
  }
};

}  // namespace rustguard::protocol::packets
