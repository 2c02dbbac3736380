#pragma once
// The brand ("vanilla", "fabric", "lunarclient:...") a client or server
// announces in a custom payload on the brand channel, in play (1.8+) and in
// configuration (1.20.2+). Its data is one String.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

inline constexpr std::string_view kBrandChannel = "minecraft:brand";       // 1.13+
inline constexpr std::string_view kLegacyBrandChannel = "MC|Brand";        // before 1.13
inline constexpr std::int32_t kMaxBrandChars = 32767;

constexpr bool is_brand_channel(std::string_view channel) noexcept {
  return channel == kBrandChannel || channel == kLegacyBrandChannel;
}

// The brand string (a view into `data`) when `channel` is a brand channel and
// `data` is exactly one well-formed String; nullopt otherwise. Bytes after the
// string make it malformed: vanilla writes nothing else there.
inline std::optional<std::string_view> read_brand(std::string_view channel,
                                                  std::span<const std::uint8_t> data) noexcept {
  if (!is_brand_channel(channel)) return std::nullopt;
  Reader r{data};
  const std::string_view brand = r.string_view(kMaxBrandChars);
  if (!r.finish("brand")) return std::nullopt;
  return brand;
}

}  // namespace rustguard::protocol::packets
