// The entity tracker fed by the engine from clientbound packets in the 1.8
// (fixed point, Spawn Player) and 1.21.4 (doubles, Add Entity, Entity
// Position Sync) layouts, lag-compensated by the engine's own transactions.

#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "../checks/engine_driver.hpp"
#include "rustguard/context/tracked_entities.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace entity_tracking_test {

using rustguard::context::Aabb;
using rustguard::protocol::Vec3;
using rustguard::test::Driver;
namespace v = rustguard::protocol::v;
using rustguard::protocol::PacketKind;
using rustguard::protocol::Writer;

namespace {

constexpr std::int32_t kPlayer = 100;
constexpr std::int32_t kZombie = 101;

void spawn_player(Driver& d, std::int32_t id, Vec3 at) {
  std::vector<std::uint8_t> b;
  Writer w{b};
  if (d.pv >= v::v1_20_2) {
    // Add Entity with the player type (147 in 1.21.4).
    w.varint(id).uuid({1, static_cast<std::uint64_t>(id)}).varint(147).f64(at.x).f64(at.y).f64(at.z);
    w.u8(0).u8(0).u8(0).varint(0).i16(0).i16(0).i16(0);
    d.receive(PacketKind::spawn_entity_s2c, b);
    return;
  }
  w.varint(id).uuid({1, static_cast<std::uint64_t>(id)});
  w.i32(static_cast<std::int32_t>(at.x * 32)).i32(static_cast<std::int32_t>(at.y * 32)).i32(static_cast<std::int32_t>(at.z * 32));
  w.u8(0).u8(0).i16(0).u8(0x7F);  // angles, held item, empty metadata
  d.receive(PacketKind::spawn_player_s2c, b);
}

void spawn_zombie(Driver& d, std::int32_t id, Vec3 at) {
  std::vector<std::uint8_t> b;
  Writer w{b};
  if (d.pv >= v::v1_19) {
    w.varint(id).uuid({2, static_cast<std::uint64_t>(id)}).varint(143).f64(at.x).f64(at.y).f64(at.z);
    w.u8(0).u8(0).u8(0).varint(0).i16(0).i16(0).i16(0);
    d.receive(PacketKind::spawn_entity_s2c, b);
    return;
  }
  // 1.8 Spawn Mob: type byte 54 (zombie), fixed point, angles, velocity, metadata.
  w.varint(id).u8(54);
  w.i32(static_cast<std::int32_t>(at.x * 32)).i32(static_cast<std::int32_t>(at.y * 32)).i32(static_cast<std::int32_t>(at.z * 32));
  w.u8(0).u8(0).u8(0).i16(0).i16(0).i16(0).u8(0x7F);
  d.receive(PacketKind::spawn_living_entity_s2c, b);
}

void move_by(Driver& d, std::int32_t id, Vec3 delta) {
  std::vector<std::uint8_t> b;
  Writer w{b};
  w.varint(id);
  if (d.pv < v::v1_9) {
    w.i8(static_cast<std::int8_t>(delta.x * 32)).i8(static_cast<std::int8_t>(delta.y * 32)).i8(static_cast<std::int8_t>(delta.z * 32));
  } else {
    w.i16(static_cast<std::int16_t>(delta.x * 4096)).i16(static_cast<std::int16_t>(delta.y * 4096))
        .i16(static_cast<std::int16_t>(delta.z * 4096));
  }
  w.boolean(true);
  d.receive(PacketKind::entity_relative_move_s2c, b);
}

// Where the server puts the entity outright: Entity Teleport (1.8) or
// Entity Position Sync (1.21.2+).
void place(Driver& d, std::int32_t id, Vec3 at) {
  std::vector<std::uint8_t> b;
  Writer w{b};
  w.varint(id);
  if (d.pv < v::v1_9) {
    w.i32(static_cast<std::int32_t>(at.x * 32)).i32(static_cast<std::int32_t>(at.y * 32)).i32(static_cast<std::int32_t>(at.z * 32));
    w.u8(0).u8(0).boolean(true);
    d.receive(PacketKind::entity_teleport_s2c, b);
    return;
  }
  w.f64(at.x).f64(at.y).f64(at.z).f64(0).f64(0).f64(0).f32(0).f32(0).boolean(true);
  d.receive(PacketKind::entity_position_sync_s2c, b);
}

void remove(Driver& d, std::int32_t id) {
  std::vector<std::uint8_t> b;
  Writer{b}.varint(1).varint(id);
  d.receive(PacketKind::remove_entities_s2c, b);
}

bool may_contain(const Driver& d, std::int32_t id, Vec3 p) {
  const auto& ctx = d.engine.context();
  return ctx.entities.any_box(id, ctx.transactions.acked_seq(), [&](const Aabb& b) { return b.contains(p); });
}

}  // namespace

TEST_CASE("entity tracking through the engine: spawn, lag-compensated moves, teleport, removal, respawn",
          "[engine][entities]") {
  const std::int32_t pv = GENERATE(v::v1_8, v::v1_21_4);
  INFO("protocol " << pv);
  Driver d(pv);
  d.spawn_at(0, 64, 0);
  const auto& entities = d.engine.context().entities;

  spawn_player(d, kPlayer, {10, 64, 10});
  spawn_zombie(d, kZombie, {-10, 64, -10});
  REQUIRE(entities.contains(kPlayer));
  REQUIRE(entities.contains(kZombie));
  CHECK(entities.info(kPlayer)->dimensions.known);
  CHECK(entities.info(kPlayer)->dimensions.height == 1.8f);
  CHECK(entities.info(kZombie)->dimensions.known);
  CHECK(entities.info(kZombie)->dimensions.height == (pv == v::v1_8 ? 1.8f : 1.95f));
  d.answer_all();

  // A move with no transaction after it yet: the client may not have it.
  move_by(d, kPlayer, {1, 0, 0});
  CHECK(entities.info(kPlayer)->latest == Vec3{11, 64, 10});
  CHECK(may_contain(d, kPlayer, {10, 65, 10}));
  // A second later the heartbeat follows the next move: answered, both moves are certain.
  d.advance_ms(1100);
  move_by(d, kPlayer, {1, 0, 0});
  REQUIRE_FALSE(d.unanswered.empty());
  CHECK(may_contain(d, kPlayer, {12, 65, 10}));  // acknowledged the transaction before the moves
  d.answer_all();
  d.pos(0, 64, 0, true);  // a client tick settles them
  CHECK(entities.info(kPlayer)->confirmed == Vec3{12, 64, 10});
  // The box may still be on its way from x = 10 for the interpolation ticks.
  CHECK(may_contain(d, kPlayer, {10.5, 65, 10}));
  for (int i = 0; i < 4; ++i) d.pos(0, 64, 0, true);
  CHECK_FALSE(may_contain(d, kPlayer, {10.5, 65, 10}));
  CHECK(may_contain(d, kPlayer, {12, 65, 10}));

  place(d, kPlayer, {20, 70, 20});
  CHECK(entities.info(kPlayer)->latest == Vec3{20, 70, 20});
  const auto distance = entities.min_distance(kPlayer, d.engine.context().transactions.acked_seq(), {12, 65, 10});
  REQUIRE(distance);
  CHECK(*distance == 0.0);  // not acknowledged yet: the old box is still possible

  remove(d, kZombie);
  CHECK_FALSE(entities.contains(kZombie));
  CHECK(entities.size() == 1);

  d.respawn();
  CHECK(entities.size() == 0);
}

}  // namespace entity_tracking_test
