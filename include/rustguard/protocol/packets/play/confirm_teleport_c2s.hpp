#pragma once
// Confirm Teleportation (serverbound, "teleport_confirm", 1.9+): the client
// applied the server teleport with this id. Until it arrives, movement from
// the client may still be relative to the old position.

#include <cstdint>
#include <span>
#include <vector>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/reader.hpp"
#include "rustguard/protocol/writer.hpp"

namespace rustguard::protocol::packets {

struct ConfirmTeleportC2s {
  static constexpr PacketKind kind = PacketKind::confirm_teleport_c2s;

  std::int32_t teleport_id = 0;

  static Result<ConfirmTeleportC2s> decode(std::span<const std::uint8_t> body,
                                           std::int32_t /*protocol*/) noexcept {
    Reader r{body};
    ConfirmTeleportC2s p;
    p.teleport_id = r.varint();
    if (auto done = r.finish("Confirm Teleportation"); !done) return done.error();
    return p;
  }

  // The proxy forwards the confirmation of a server teleport with the
  // server's own id (session/teleport_ids.hpp).
  void encode(std::vector<std::uint8_t>& body, std::int32_t /*protocol*/) const { Writer{body}.varint(teleport_id); }
};

}  // namespace rustguard::protocol::packets
