#pragma once
// The size of a spawned entity from the type id its spawn packet carried, by
// the version's generated table (entity_dimensions.gen.hpp, from
// minecraft-data). Before 1.14 Spawn Object / Add Entity and Spawn Mob number
// types in separate id spaces, so the caller says which packet it read.
//
// What the tables do not hold: the scale attribute (1.20.5+; the tracker
// applies it per entity), poses and metadata that change a box. A pose only
// shrinks a player's box inside the standing one (sneaking, swimming,
// gliding, sleeping all keep the feet and the width), and a baby mob is
// smaller than the table's adult, so the table's box is the largest the
// client can show and a hit it rules out stays ruled out. Types whose size
// grows with metadata (slimes, magma cubes, phantoms, pufferfish, shulkers,
// interaction entities; the generator marks them) get `known` false, as does
// a type missing from the table (with kDefaultDimensions).

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
  info.dimensions = EntityDimensions{s.width, s.height, !s.sized_by_metadata};
  info.interpolation_ticks = s.interpolation_ticks;
  info.is_player = !objects && type == t.player_type;
  return info;
}

// Spawn Player (before 1.20.2) carries no type id.
inline EntityTypeInfo player_type_info() noexcept { return EntityTypeInfo{kPlayerDimensions, 3, true}; }

}  // namespace rustguard::context
