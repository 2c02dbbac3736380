#pragma once
// Keep Alive (clientbound, play). The client echoes the id; RustGuard reads it
// to measure latency and writes its own when it needs a probe.

#include <cstdint>
#include <span>
#include <vector>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/reader.hpp"
#include "rustguard/protocol/writer.hpp"

namespace rustguard::protocol::packets {

struct KeepAliveS2c {
  static constexpr PacketKind kind = PacketKind::keep_alive_s2c;

  std::int64_t id = 0;  // VarInt before 1.12.2 (fits 32 bits), i64 from 1.12.2

  static Result<KeepAliveS2c> decode(std::span<const std::uint8_t> body, std::int32_t protocol) noexcept {
    Reader r{body};
    KeepAliveS2c p;
    p.id = protocol >= v::v1_12_2 ? r.i64() : r.varint();
    if (auto res = r.finish("Keep Alive"); !res) return res.error();
    return p;
  }

  // Before 1.12.2 only the low 32 bits go on the wire.
  void encode(std::vector<std::uint8_t>& body, std::int32_t protocol) const {
    Writer w{body};
    if (protocol >= v::v1_12_2) {
      w.i64(id);
    } else {
      w.varint(static_cast<std::int32_t>(id));
    }
  }
};

}  // namespace rustguard::protocol::packets
