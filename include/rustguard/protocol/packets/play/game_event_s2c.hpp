#pragma once
// Game Event (game_state_change): one byte naming the event and one float
// argument. RustGuard follows game mode changes (flight and reach rules
// differ per mode) and the immediate-respawn / credits events.

#include <cstdint>
#include <span>

#include "rustguard/protocol/error.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/reader.hpp"

namespace rustguard::protocol::packets {

// Event ids (stable since 1.8; later versions only appended).
enum class GameEvent : std::uint8_t {
  no_respawn_block_available = 0,
  start_raining = 1,
  stop_raining = 2,
  change_game_mode = 3,   // value: the new game mode (0 survival .. 3 spectator)
  win_game = 4,           // value 1: roll the credits (the player leaves the End)
  demo_event = 5,
  arrow_hit_player = 6,
  rain_level_change = 7,
  thunder_level_change = 8,
  puffer_fish_sting = 9,  // 1.13+
  guardian_elder_effect = 10,
  immediate_respawn = 11,  // 1.15+
  limited_crafting = 12,   // 1.20.2+
  level_chunks_load_start = 13,  // 1.20.3+: the client waits for chunks before moving
};

struct GameEventS2c {
  static constexpr PacketKind kind = PacketKind::game_event_s2c;

  // Raw id: the game ignores ids it does not know, and so does RustGuard.
  std::uint8_t event = 0;
  float value = 0;

  GameEvent game_event() const noexcept { return static_cast<GameEvent>(event); }
  bool is(GameEvent e) const noexcept { return event == static_cast<std::uint8_t>(e); }

  static Result<GameEventS2c> decode(std::span<const std::uint8_t> body, std::int32_t /*protocol*/) noexcept {
    Reader r{body};
    GameEventS2c p;
    p.event = r.u8();
    p.value = r.f32();
    if (auto res = r.finish("Game Event"); !res) return res.error();
    return p;
  }
};

}  // namespace rustguard::protocol::packets
