#pragma once
// What one frame may claim, in both directions: the limits the core's
// connection session holds every stream to (docs/configuration.md, `limits`,
// has why each default). A plain value, part of the core: the session
// includes this and nothing of the tools' settings or of the engine.
// adapters/config_loader.hpp fills it from config.yml's `limits:`.

#include <cstdint>

namespace rustguard {

struct ProtocolLimits {
  std::uint32_t max_frame_bytes = 2'097'151;                 // the protocol's own 3-byte VarInt cap
  std::uint32_t max_inflated_clientbound = 8 * 1024 * 1024;  // chunk data, big NBT items
  std::uint32_t max_inflated_serverbound = 2 * 1024 * 1024;  // book edits, creative items
  std::uint32_t max_compression_ratio = 64;                  // inflated / compressed, bomb guard
  std::uint32_t compression_ratio_floor = 1024 * 1024;       // ratio guard applies above this size (1.8 chunk bulks)
  // Clients have no reason to send big, highly compressible packets; a bomb
  // aimed at the backend is one. Serverbound frames are all verified.
  std::uint32_t compression_ratio_floor_serverbound = 64 * 1024;
  // Serverbound frame caps before play: a handshake or a status request is a
  // few dozen bytes (a BungeeCord-forwarded handshake about 2 KiB), login
  // packets a few KiB (a Forge login answer more). Small caps keep a slow
  // client from making the proxy hold a 2 MiB frame per connection.
  std::uint32_t max_handshake_frame_bytes = 8 * 1024;
  std::uint32_t max_status_frame_bytes = 256;
  std::uint32_t max_login_frame_bytes = 64 * 1024;
  friend bool operator==(const ProtocolLimits&, const ProtocolLimits&) = default;
};

}  // namespace rustguard
