#pragma once
// Interact (serverbound, "use_entity"): the client attacked or used an
// entity. Before 26.1 one packet carries an action (interact / attack /
// interact_at with a hit point); from 26.1 attacks have their own packet
// (attack_c2s.hpp) and every Interact carries a hit point, so it decodes as
// interact_at.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/packets/play/swing_arm_c2s.hpp"
#include "rustguard/protocol/packets/play/wire_units_s2c.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/reader.hpp"
#include "rustguard/protocol/types.hpp"

namespace rustguard::protocol::packets {

enum class InteractAction : std::uint8_t { interact = 0, attack = 1, interact_at = 2 };

struct InteractC2s {
  static constexpr PacketKind kind = PacketKind::interact_c2s;

  std::int32_t entity_id = 0;
  InteractAction action = InteractAction::interact;
  // Where the entity was hit, relative to its position (blocks); only for
  // interact_at.
  Vec3 target{};
  Hand hand = Hand::main_hand;  // main_hand for attacks and before 1.9
  bool sneaking = false;        // sent from 1.16; false before

  static Result<InteractC2s> decode(std::span<const std::uint8_t> body,
                                    std::int32_t protocol) noexcept {
    Reader r{body};
    InteractC2s p;
    p.entity_id = r.varint();
    if (protocol >= v::v26_1) {
      p.action = InteractAction::interact_at;
      p.hand = detail::read_hand(r);
      p.target = detail::read_lp_vec3(r);  // the 1.21.9+ packed Vec3 form
      p.sneaking = r.boolean();
    } else {
      const std::int32_t action = r.varint();
      if (r.ok() && (action < 0 || action > 2)) {
        r.fail(make_error(Errc::invalid_value, "Interact action", action, 2));
      }
      p.action = static_cast<InteractAction>(r.ok() ? action : 0);
      if (p.action == InteractAction::interact_at) {
        p.target.x = r.f32();
        p.target.y = r.f32();
        p.target.z = r.f32();
      }
      if (protocol >= v::v1_9 && p.action != InteractAction::attack) p.hand = detail::read_hand(r);
      if (protocol >= v::v1_16) p.sneaking = r.boolean();
    }
    if (auto done = r.finish("Interact"); !done) return done.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
