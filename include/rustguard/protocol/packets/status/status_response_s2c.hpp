#pragma once
// Status Response (clientbound, "server_info"): the server list entry as a
// JSON document (version, players, description, favicon), kept as text.

#include <cstdint>
#include <span>
#include <string>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct StatusResponseS2c {
  static constexpr PacketKind kind = PacketKind::status_response_s2c;

  std::string json;

  static Result<StatusResponseS2c> decode(std::span<const std::uint8_t> body,
                                          std::int32_t /*protocol*/) {
    Reader r{body};
    StatusResponseS2c p;
    p.json = r.string(32767);
    if (auto done = r.finish("Status Response"); !done) return done.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
