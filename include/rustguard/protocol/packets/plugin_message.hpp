#pragma once
// Plugin messages (Custom Payload, in play and, from 1.20.2, configuration;
// both directions): a channel name and channel-specific data kept raw. And the
// brand ("vanilla", "fabric", "lunarclient:...") announced on the brand
// channel, whose data is one String.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>
#include <string_view>

#include "rustguard/protocol/error.hpp"
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

namespace detail {

// Reads a plugin message body into `channel` and `data` (everything after the
// channel, unparsed), refusing data above `max_data_bytes`.
inline Result<void> read_plugin_message(std::span<const std::uint8_t> body, std::size_t max_data_bytes,
                                        std::string& channel, std::vector<std::uint8_t>& data) {
  Reader r{body};
  channel = r.string(32767);
  if (r.ok() && r.remaining() > max_data_bytes) {
    return make_error(Errc::array_too_long, "Custom Payload data", static_cast<std::int64_t>(r.remaining()),
                      static_cast<std::int64_t>(max_data_bytes));
  }
  const auto rest = r.take_rest();  // channel-specific: kept raw
  if (auto done = r.finish("Custom Payload"); !done) return done.error();
  data.assign(rest.begin(), rest.end());
  return {};
}

}  // namespace detail

}  // namespace rustguard::protocol::packets
