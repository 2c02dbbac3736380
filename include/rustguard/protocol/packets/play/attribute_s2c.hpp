#pragma once
// The entity attributes RustGuard's movement and reach checks read. Update
// Attributes names them by string before 1.20.5 ("generic.movementSpeed" up to
// 1.15, "minecraft:generic.movement_speed" from 1.16) and by registry id from
// 1.20.5 (attribute_ids_s2c.hpp). Every other attribute is `other`.

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string_view>

namespace rustguard::protocol::packets {

// Order and spelling match NAMED_ATTRIBUTES in tools/codegen/generate_attribute_ids.mjs.
enum class Attribute : std::uint8_t {
  movement_speed,
  jump_strength,  // also the pre-1.20.5 horse.jump_strength
  gravity,
  step_height,
  scale,
  entity_interaction_range,
  block_interaction_range,
  sneaking_speed,
  water_movement_efficiency,
  movement_efficiency,
  safe_fall_distance,
  fall_damage_multiplier,
  flying_speed,
  knockback_resistance,
  explosion_knockback_resistance,
  attack_speed,
  block_break_speed,
  max_health,
  other,
};

inline constexpr std::string_view kAttributeNames[] = {
    "movement_speed", "jump_strength", "gravity", "step_height", "scale", "entity_interaction_range",
    "block_interaction_range", "sneaking_speed", "water_movement_efficiency", "movement_efficiency",
    "safe_fall_distance", "fall_damage_multiplier", "flying_speed", "knockback_resistance",
    "explosion_knockback_resistance", "attack_speed", "block_break_speed", "max_health", "other",
};

constexpr std::string_view to_string(Attribute a) noexcept {
  return kAttributeNames[static_cast<std::size_t>(a)];
}

namespace detail {

// True when `camel` (e.g. "movementSpeed" or "movement_speed") spells `snake`.
constexpr bool spells_snake(std::string_view camel, std::string_view snake) noexcept {
  std::size_t j = 0;
  for (const char c : camel) {
    if (c >= 'A' && c <= 'Z') {
      if (j >= snake.size() || snake[j] != '_') return false;
      ++j;
      if (j >= snake.size() || snake[j] != static_cast<char>(c - 'A' + 'a')) return false;
    } else if (j >= snake.size() || snake[j] != c) {
      return false;
    }
    ++j;
  }
  return j == snake.size();
}

}  // namespace detail

// "minecraft:generic.movement_speed", "generic.movementSpeed", "horse.jumpStrength",
// "minecraft:movement_speed" -> the attribute; namespace and group prefix
// ("generic.", "player.", "horse.") are dropped, camelCase equals snake_case.
constexpr Attribute attribute_from_name(std::string_view name) noexcept {
  if (const auto colon = name.find(':'); colon != std::string_view::npos) name.remove_prefix(colon + 1);
  if (const auto dot = name.rfind('.'); dot != std::string_view::npos) name.remove_prefix(dot + 1);
  for (std::size_t i = 0; i + 1 < std::size(kAttributeNames); ++i) {
    if (detail::spells_snake(name, kAttributeNames[i])) return static_cast<Attribute>(i);
  }
  return Attribute::other;
}

}  // namespace rustguard::protocol::packets
