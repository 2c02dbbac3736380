#pragma once
// Keep Alive (clientbound, configuration, 1.20.2+): the client must echo the id.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct ConfigKeepAliveS2c {
  static constexpr PacketKind kind = PacketKind::config_keep_alive_s2c;

  std::int64_t keep_alive_id = 0;

  static Result<ConfigKeepAliveS2c> decode(std::span<const std::uint8_t> body,
                           std::int32_t /*protocol*/) noexcept {
    Reader r{body};
    ConfigKeepAliveS2c p;
    p.keep_alive_id = r.i64();
    if (auto done = r.finish("Keep Alive"); !done) return done.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
