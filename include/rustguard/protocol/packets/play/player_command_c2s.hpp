#pragma once
// Player Command (serverbound, "entity_action"): sneaking, sprinting, leaving
// a bed, horse jumps, elytra. The action numbering differs across versions;
// it is normalised to PlayerCommandAction here.

#include <array>
#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

enum class PlayerCommandAction : std::uint8_t {
  start_sneaking,          // before 1.21.6 (then carried by Player Input)
  stop_sneaking,           // before 1.21.6
  leave_bed,
  start_sprinting,
  stop_sprinting,
  start_horse_jump,        // jump_boost holds the jump strength 0..100
  stop_horse_jump,         // 1.9+
  open_vehicle_inventory,
  start_elytra_flying,     // 1.9+
};

namespace detail {

using A = PlayerCommandAction;
inline constexpr std::array<A, 7> kPlayerCommands1_8{
    A::start_sneaking, A::stop_sneaking,    A::leave_bed,             A::start_sprinting,
    A::stop_sprinting, A::start_horse_jump, A::open_vehicle_inventory};
inline constexpr std::array<A, 9> kPlayerCommands1_9{
    A::start_sneaking,   A::stop_sneaking,   A::leave_bed,
    A::start_sprinting,  A::stop_sprinting,  A::start_horse_jump,
    A::stop_horse_jump,  A::open_vehicle_inventory, A::start_elytra_flying};
inline constexpr std::array<A, 7> kPlayerCommands1_21_6{
    A::leave_bed,       A::start_sprinting,        A::stop_sprinting,     A::start_horse_jump,
    A::stop_horse_jump, A::open_vehicle_inventory, A::start_elytra_flying};

inline std::span<const A> player_commands(std::int32_t protocol) noexcept {
  if (protocol < v::v1_9) return kPlayerCommands1_8;
  if (protocol < v::v1_21_6) return kPlayerCommands1_9;
  return kPlayerCommands1_21_6;
}

}  // namespace detail

struct PlayerCommandC2s {
  static constexpr PacketKind kind = PacketKind::player_command_c2s;

  std::int32_t entity_id = 0;  // the player's own entity id
  PlayerCommandAction action = PlayerCommandAction::leave_bed;
  std::int32_t jump_boost = 0;  // 0..100 for start_horse_jump, else 0

  static Result<PlayerCommandC2s> decode(std::span<const std::uint8_t> body,
                                         std::int32_t protocol) noexcept {
    Reader r{body};
    PlayerCommandC2s p;
    p.entity_id = r.varint();
    const std::int32_t action = r.varint();
    const auto table = detail::player_commands(protocol);
    if (r.ok()) {
      if (action < 0 || static_cast<std::size_t>(action) >= table.size()) {
        r.fail(make_error(Errc::invalid_value, "Player Command action", action,
                          static_cast<std::int64_t>(table.size()) - 1));
      } else {
        p.action = table[static_cast<std::size_t>(action)];
      }
    }
    p.jump_boost = r.varint();
    if (auto done = r.finish("Player Command"); !done) return done.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
