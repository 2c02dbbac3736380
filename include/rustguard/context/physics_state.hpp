#pragma once
// Everything the server decides that changes which movement is legal: game
// mode, abilities, effects, attributes, food, riding. One value per "version"
// of the server's view; lag compensation keeps the confirmed one and those
// still in flight (lag_compensated.hpp).

#include <cstdint>

#include "rustguard/context/attributes.hpp"
#include "rustguard/context/effects.hpp"

namespace rustguard::context {

enum class GameMode : std::uint8_t { survival = 0, creative = 1, adventure = 2, spectator = 3 };

struct Abilities {
  bool invulnerable = false;
  bool flying = false;  // as the server last set it
  bool may_fly = false;
  bool instabuild = false;
  float fly_speed = 0.05f;
  float walk_speed = 0.1f;
  friend bool operator==(const Abilities&, const Abilities&) = default;
};

struct PhysicsState {
  GameMode game_mode = GameMode::survival;
  Abilities abilities{};
  EffectLevels effects{};
  AttributeValues attributes{};
  std::int32_t food = 20;
  bool riding = false;
  friend bool operator==(const PhysicsState&, const PhysicsState&) = default;
};

}  // namespace rustguard::context
