#pragma once
// Velocity "modern" player-info forwarding, read by a proxy in the middle.
//
// Behind Velocity, the backend asks for the player's identity with a Login
// Plugin Request on channel `velocity:player_info`; Velocity answers with a
// Login Plugin Response whose data is
//   32-byte HMAC-SHA256(secret, rest) | VarInt version | String client address
//   | UUID | String name | properties (VarInt count x name, value, optional signature)
//   | key data (versions 2 and 3), which RustGuard does not need.
// The identity is readable without the secret. With the secret (config.yml's
// velocity.forwarding_secret, the same as Velocity's and the backend's),
// velocity_signature_matches() checks that Velocity signed it: a client that
// reaches RustGuard directly, not through Velocity, cannot then claim
// another player's address or name (ConnectionTracker refuses the packet).

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/hmac_sha256.hpp"
#include "rustguard/protocol/reader.hpp"
#include "rustguard/protocol/types.hpp"

namespace rustguard::protocol {

inline constexpr std::string_view kVelocityForwardingChannel = "velocity:player_info";
inline constexpr std::size_t kVelocitySignatureBytes = 32;
// Forwarding versions Velocity defines: 1 default, 2 and 3 add the chat signing key,
// 4 lazy session. Newer ones keep the identity fields in the same place.
inline constexpr std::int32_t kVelocityMaxKnownForwardingVersion = 4;

struct VelocityForwardedPlayer {
  std::int32_t forwarding_version = 0;
  std::string client_address;  // the player's real address as Velocity saw it
  Uuid uuid;
  std::string name;
  std::int32_t property_count = 0;          // e.g. "textures"
  std::span<const std::uint8_t> signature;  // HMAC-SHA256 over `signed_data`
  std::span<const std::uint8_t> signed_data;
};

// Parses the data of a Login Plugin Response answering a velocity:player_info
// request. The spans point into `data`.
inline Result<VelocityForwardedPlayer> parse_velocity_forwarding(std::span<const std::uint8_t> data) noexcept {
  if (data.size() < kVelocitySignatureBytes + 1) {
    return make_error(Errc::truncated, "velocity forwarding data", static_cast<std::int64_t>(data.size()),
                      kVelocitySignatureBytes + 1);
  }
  VelocityForwardedPlayer out;
  out.signature = data.first(kVelocitySignatureBytes);
  out.signed_data = data.subspan(kVelocitySignatureBytes);
  Reader r{out.signed_data};
  out.forwarding_version = r.varint();
  if (r.ok() && (out.forwarding_version < 1 || out.forwarding_version > 64)) {
    return make_error(Errc::invalid_value, "velocity forwarding version", out.forwarding_version, 64);
  }
  out.client_address = r.string(255);
  out.uuid = r.uuid();
  out.name = r.string(16);
  out.property_count = r.length(64, "velocity forwarding properties");
  for (std::int32_t i = 0; i < out.property_count && r.ok(); ++i) {
    r.string_view(32767);  // name
    r.string_view(32767);  // value
    if (r.boolean()) r.string_view(32767);  // signature
  }
  if (!r.ok()) return r.error();
  // Key data (versions 2-3) follows; RustGuard needs only the identity.
  return out;
}

// Whether `player`'s signature is HMAC-SHA256(secret, signed data), as
// Velocity computes it with its forwarding secret (the secret's bytes as
// they are in its file, without the line break).
inline bool velocity_signature_matches(const VelocityForwardedPlayer& player, std::string_view secret) noexcept {
  return digests_equal(player.signature, hmac_sha256(secret, player.signed_data));
}

}  // namespace rustguard::protocol
