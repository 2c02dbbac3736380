#pragma once
// The attribute values the movement checks read, computed from Update
// Attributes the way the game does (base, then add, then add-multiplied-base,
// then multiply-total). Movement speed leaves out the sprint and the
// speed/slowness effect modifiers: the checks apply sprinting and effects
// themselves, from the player's state, and counting them twice would widen
// every envelope.

#include <string_view>

#include "rustguard/protocol/packets/play/update_attributes_s2c.hpp"
#include "rustguard/protocol/types.hpp"

namespace rustguard::context {

struct AttributeValues {
  double movement_speed = 0.1;  // blocks/tick acceleration base on normal ground
  double jump_strength = 0.42;  // initial jump velocity, blocks/tick
  double gravity = 0.08;        // blocks/tick^2
  double step_height = 0.6;     // blocks
  double scale = 1.0;
  double entity_interaction_range = 3.0;
  double block_interaction_range = 4.5;  // 1.20.5+; the client's reach for clicking blocks
  friend bool operator==(const AttributeValues&, const AttributeValues&) = default;
};

namespace detail {

// Modifier identities of sprinting, speed and slowness: uuids before 1.21,
// identifiers from 1.21.
inline constexpr protocol::Uuid kSprintUuid{0x662A6B8DDA3E4C1CULL, 0x881396EA6097278DULL};
inline constexpr protocol::Uuid kSpeedEffectUuid{0x91AEAA56376B4498ULL, 0x935B2F7F68070635ULL};
inline constexpr protocol::Uuid kSlownessEffectUuid{0x7107DE5E7CE84030ULL, 0x940E514C1F160890ULL};

inline bool applied_by_checks(const protocol::packets::AttributeModifier& m) noexcept {
  if (!m.id.empty()) {
    const std::string_view id = m.id;
    return id == "minecraft:sprinting" || id == "minecraft:effect.speed" || id == "minecraft:effect.slowness";
  }
  return m.uuid == kSprintUuid || m.uuid == kSpeedEffectUuid || m.uuid == kSlownessEffectUuid;
}

}  // namespace detail

inline double attribute_value(const protocol::packets::AttributeUpdate& a) noexcept {
  const bool movement = a.attribute == protocol::packets::Attribute::movement_speed;
  double base = a.base_value;
  for (const auto& m : a.modifiers) {
    if (m.operation == 0 && !(movement && detail::applied_by_checks(m))) base += m.amount;
  }
  double value = base;
  for (const auto& m : a.modifiers) {
    if (m.operation == 1 && !(movement && detail::applied_by_checks(m))) value += base * m.amount;
  }
  for (const auto& m : a.modifiers) {
    if (m.operation == 2 && !(movement && detail::applied_by_checks(m))) value *= 1.0 + m.amount;
  }
  return value;
}

// Applies the attributes this context follows; returns whether any changed.
inline bool apply(AttributeValues& values, const protocol::packets::UpdateAttributesS2c& p) noexcept {
  using protocol::packets::Attribute;
  bool changed = false;
  for (const auto& a : p.attributes) {
    double* slot = nullptr;
    switch (a.attribute) {
      case Attribute::movement_speed: slot = &values.movement_speed; break;
      case Attribute::jump_strength: slot = &values.jump_strength; break;
      case Attribute::gravity: slot = &values.gravity; break;
      case Attribute::step_height: slot = &values.step_height; break;
      case Attribute::scale: slot = &values.scale; break;
      case Attribute::entity_interaction_range: slot = &values.entity_interaction_range; break;
      case Attribute::block_interaction_range: slot = &values.block_interaction_range; break;
      default: break;
    }
    if (slot == nullptr) continue;
    const double v = attribute_value(a);
    if (v == v && *slot != v) {  // NaN from a hostile server is ignored
      *slot = v;
      changed = true;
    }
  }
  return changed;
}

}  // namespace rustguard::context
