#pragma once
// The size of a spawned entity from the type id its spawn packet carried, by
// the version's generated table (entity_dimensions.gen.hpp, from
// minecraft-data). Before 1.14 Spawn Object / Add Entity and Spawn Mob number
// types in separate id spaces, so the caller says which packet it read.
//
// What the tables do not hold: the scale attribute (1.20.5+), poses that
// change a box (a sneaking or swimming player, a baby mob, a slime's size
// from metadata). A type missing from the table gets kDefaultDimensions with
// `known` false.

#include <cstddef>
#include <cstdint>

#include "rustguard/context/entity_box.hpp"
#include "rustguard/context/entity_dimensions.gen.hpp"

namespace rustguard::context {

enum class EntityIdSpace : std::uint8_t {
  spawn_entity,  // Spawn Object before 1.14 (object ids); Add Entity, one id space, from 1.14
  spawn_mob,     // Spawn Mob (before 1.19)
};

struct EntityTypeInfo {
  EntityDimensions dimensions = kDefaultDimensions;
  std::uint8_t interpolation_ticks = 3;
  bool is_player = false;
};

inline EntityTypeInfo entity_type_info(std::int32_t protocol, EntityIdSpace space, std::int32_t type) noexcept {
  const detail::EntityTable t = detail::entity_table(protocol);
  const bool objects = space == EntityIdSpace::spawn_entity && !t.objects.empty();
  const auto table = objects ? t.objects : t.types;
  EntityTypeInfo info;
  if (type < 0 || static_cast<std::size_t>(type) >= table.size()) return info;
  const detail::EntityTypeSize& s = table[static_cast<std::size_t>(type)];
  if (s.width <= 0.0f) return info;
  info.dimensions = EntityDimensions{s.width, s.height, true};
  info.interpolation_ticks = s.interpolation_ticks;
  info.is_player = !objects && type == t.player_type;
  return info;
}

// Spawn Player (before 1.20.2) carries no type id.
inline EntityTypeInfo player_type_info() noexcept { return EntityTypeInfo{kPlayerDimensions, 3, true}; }

}  // namespace rustguard::context
