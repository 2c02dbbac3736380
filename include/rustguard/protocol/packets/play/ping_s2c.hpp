#pragma once
// Ping (play, 1.17+): the client answers with a Pong carrying the same id
// after handling every packet sent before it. RustGuard injects its own to
// learn which server state the client has applied (transaction ordering).

#include <cstdint>
#include <span>
#include <vector>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/reader.hpp"
#include "rustguard/protocol/writer.hpp"

namespace rustguard::protocol::packets {

struct PingS2c {
  static constexpr PacketKind kind = PacketKind::ping_s2c;

  std::int32_t id = 0;

  static Result<PingS2c> decode(std::span<const std::uint8_t> body, std::int32_t /*protocol*/) noexcept {
    Reader r{body};
    PingS2c p;
    p.id = r.i32();
    if (auto res = r.finish("Ping"); !res) return res.error();
    return p;
  }

  void encode(std::vector<std::uint8_t>& body, std::int32_t /*protocol*/) const { Writer{body}.i32(id); }
};

}  // namespace rustguard::protocol::packets
