#pragma once
// Keep Alive (serverbound, configuration, 1.20.2+): echoes the server's id.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct ConfigKeepAliveC2s {
  static constexpr PacketKind kind = PacketKind::config_keep_alive_c2s;

  std::int64_t keep_alive_id = 0;

  static Result<ConfigKeepAliveC2s> decode(std::span<const std::uint8_t> body,
                           std::int32_t /*protocol*/) noexcept {
    Reader r{body};
    ConfigKeepAliveC2s p;
    p.keep_alive_id = r.i64();
    if (auto done = r.finish("Keep Alive"); !done) return done.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
