#pragma once
// Keeps the player's tracked entities (context/tracked_entities.hpp) in step
// with the clientbound spawn, move and removal packets: a context updater
// (context_update.hpp), registered in context_updaters.hpp.
//
// Every move is recorded against the last transaction sequence issued before
// it (TransactionQueue::issued_seq()); the transaction that follows it (a
// heartbeat, a change's closing one, or in observe mode the next transaction
// or receipt marker of the capture) is the one whose acknowledgement makes it
// certain. Entity moves ask for no transaction of their own: the heartbeat
// (checks.engine.heartbeat_ms) bounds how long a move stays uncertain, and
// moves between two transactions merge into one step (see the tracker).
//
// Set Passengers (1.8: Attach Entity) marks riders, whose boxes the tracker
// does not know. Update Attributes of another entity carries its scale.
//
// Login, Respawn (every dimension change is one) and Start Configuration
// make the client drop every entity, so they clear the tracker. Each movement
// packet is one client tick for the interpolation trails.

#include <cmath>

#include "rustguard/context/attributes.hpp"
#include "rustguard/context/entity_dimensions.hpp"
#include "rustguard/context/movement.hpp"
#include "rustguard/context/player_context.hpp"
#include "rustguard/context/tracked_entities.hpp"
#include "rustguard/engine/context_update.hpp"
#include "rustguard/protocol/packets/clientbound.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"

namespace rustguard::engine {

struct EntityTracking {
  using Space = context::EntityIdSpace;

  static void before(const protocol::packets::SpawnEntityS2c& p, ClientboundUpdate& u) {
    spawn(u, p.entity_id, p.type, p.position, context::entity_type_info(u.ctx.protocol, Space::spawn_entity, p.type));
  }
  static void before(const protocol::packets::SpawnLivingEntityS2c& p, ClientboundUpdate& u) {
    spawn(u, p.entity_id, p.type, p.position, context::entity_type_info(u.ctx.protocol, Space::spawn_mob, p.type));
  }
  static void before(const protocol::packets::SpawnPlayerS2c& p, ClientboundUpdate& u) {
    spawn(u, p.entity_id, -1, p.position, context::player_type_info());
  }

  static void before(const protocol::packets::EntityRelativeMoveS2c& p, ClientboundUpdate& u) noexcept {
    move_by(u, p.entity_id, p.delta);
  }
  static void before(const protocol::packets::EntityMoveRotationS2c& p, ClientboundUpdate& u) noexcept {
    move_by(u, p.entity_id, p.delta);
  }

  static void before(const protocol::packets::EntityTeleportS2c& p, ClientboundUpdate& u) noexcept {
    if (!finite(p.position)) return;
    auto& entities = u.ctx.entities;
    protocol::Vec3 to = p.position;
    // 1.21.2+: each axis may be relative to where the entity is.
    if (p.relative.x || p.relative.y || p.relative.z) {
      const auto info = entities.info(p.entity_id);
      if (!info) return;
      if (p.relative.x) to.x += info->latest.x;
      if (p.relative.y) to.y += info->latest.y;
      if (p.relative.z) to.z += info->latest.z;
    }
    entities.move_to(p.entity_id, to, u.ctx.transactions.issued_seq(), u.ctx.transactions.acked_seq());
  }

  static void before(const protocol::packets::EntityPositionSyncS2c& p, ClientboundUpdate& u) noexcept {
    if (!finite(p.position)) return;
    u.ctx.entities.move_to(p.entity_id, p.position, u.ctx.transactions.issued_seq(), u.ctx.transactions.acked_seq());
  }

  static void before(const protocol::packets::SetPassengersS2c& p, ClientboundUpdate& u) noexcept {
    u.ctx.entities.set_passengers(p.vehicle_id, p.passenger_ids, u.ctx.transactions.issued_seq());
  }

  // The scale attribute of another entity (the player's own is the physics
  // state's, lag_compensation.hpp). No scale attribute exists before 1.20.5.
  static void before(const protocol::packets::UpdateAttributesS2c& p, ClientboundUpdate& u) noexcept {
    if (p.entity_id == u.ctx.entity_id) return;
    for (const auto& a : p.attributes) {
      if (a.attribute != protocol::packets::Attribute::scale) continue;
      u.ctx.entities.set_scale(p.entity_id, context::attribute_value(a), u.ctx.transactions.issued_seq(),
                               u.ctx.transactions.acked_seq());
    }
  }

  static void before(const protocol::packets::AttachEntityS2c& p, ClientboundUpdate& u) noexcept {
    if (p.riding()) u.ctx.entities.attach(p.entity_id, p.vehicle_id, u.ctx.transactions.issued_seq());
  }

  static void before(const protocol::packets::RemoveEntitiesS2c& p, ClientboundUpdate& u) noexcept {
    for (const auto id : p.entity_ids) u.ctx.entities.remove(id);
  }

  static void before(const protocol::packets::LoginPlayS2c&, ClientboundUpdate& u) noexcept { u.ctx.entities.clear(); }
  static void before(const protocol::packets::RespawnS2c&, ClientboundUpdate& u) noexcept { u.ctx.entities.clear(); }
  static void before(const protocol::packets::StartConfigurationS2c&, ClientboundUpdate& u) noexcept {
    u.ctx.entities.clear();
  }

  // One client tick: interpolation trails age, certain moves settle.
  static void after(const context::MoveSample&, ServerboundUpdate& u) noexcept {
    u.ctx.entities.client_tick(u.ctx.transactions.acked_seq());
  }

 private:
  static bool finite(const protocol::Vec3& v) noexcept {
    return std::isfinite(v.x) && std::isfinite(v.y) && std::isfinite(v.z);
  }

  static void spawn(ClientboundUpdate& u, std::int32_t id, std::int32_t type, const protocol::Vec3& position,
                    const context::EntityTypeInfo& info) {
    if (!finite(position)) return;
    (void)u.ctx.entities.spawn(context::EntitySpawn{id, type, position, info.dimensions, info.interpolation_ticks});
  }

  static void move_by(ClientboundUpdate& u, std::int32_t id, const protocol::Vec3& delta) noexcept {
    u.ctx.entities.move_by(id, delta, u.ctx.transactions.issued_seq(), u.ctx.transactions.acked_seq());
  }
};

}  // namespace rustguard::engine
