#pragma once
// Attack (serverbound, 26.1+): the client hit an entity. Before 26.1 an attack
// was Interact with action `attack` (see interact_c2s.hpp).

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

struct AttackC2s {
  static constexpr PacketKind kind = PacketKind::attack_c2s;

  std::int32_t entity_id = 0;

  static Result<AttackC2s> decode(std::span<const std::uint8_t> body,
                                  std::int32_t /*protocol*/) noexcept {
    Reader r{body};
    AttackC2s p;
    p.entity_id = r.varint();
    if (auto done = r.finish("Attack"); !done) return done.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
