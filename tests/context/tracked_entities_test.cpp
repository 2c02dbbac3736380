#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <vector>

#include "rustguard/context/entity_dimensions.hpp"
#include "rustguard/context/tracked_entities.hpp"
#include "rustguard/protocol/protocol_numbers.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace tracked_entities_test {

using rustguard::context::Aabb;
using rustguard::context::EntityIdSpace;
using rustguard::context::EntitySpawn;
using rustguard::context::TrackedEntities;
using rustguard::protocol::Vec3;
namespace v = rustguard::protocol::v;

namespace {

EntitySpawn player(std::int32_t id, Vec3 at) {
  return EntitySpawn{id, -1, at, rustguard::context::kPlayerDimensions, 3};
}

std::vector<Aabb> boxes(const TrackedEntities& t, std::int32_t id, std::uint64_t acked) {
  std::vector<Aabb> out;
  t.any_box(id, acked, [&](const Aabb& b) {
    out.push_back(b);
    return false;
  });
  return out;
}

// Whether some possible box holds the point.
bool may_contain(const TrackedEntities& t, std::int32_t id, std::uint64_t acked, Vec3 p) {
  return t.any_box(id, acked, [&](const Aabb& b) { return b.contains(p); });
}

}  // namespace

TEST_CASE("tracked entities: a spawned entity stands in a box of its size", "[context][entities]") {
  TrackedEntities t;
  REQUIRE(t.spawn(player(7, {10, 64, 20})));
  CHECK(t.size() == 1);
  CHECK(t.contains(7));
  const auto b = boxes(t, 7, 0);
  REQUIRE(b.size() == 1);
  CHECK(b[0].min.x == Approx(9.7));
  CHECK(b[0].max.x == Approx(10.3));
  CHECK(b[0].min.y == Approx(64.0));
  CHECK(b[0].max.y == Approx(65.8));
  CHECK(b[0].min.z == Approx(19.7));
  CHECK(*t.min_distance(7, 0, {10, 65, 23}) == Approx(2.7));
  CHECK(*t.min_distance(7, 0, {10, 65, 20}) == 0.0);
  CHECK_FALSE(t.min_distance(8, 0, {0, 0, 0}));
  CHECK_FALSE(t.any_box(8, 0, [](const Aabb&) { return true; }));
}

TEST_CASE("tracked entities: a move is unknown to the client until it acknowledges the transaction before it",
          "[context][entities]") {
  TrackedEntities t;
  t.spawn(player(1, {0, 64, 0}));
  // The last transaction sent before the move is 5; the client acknowledged 4.
  t.move_by(1, {2, 0, 0}, 5, 4);
  CHECK(t.info(1)->latest == Vec3{2, 64, 0});
  CHECK(t.info(1)->confirmed == Vec3{0, 64, 0});
  CHECK(may_contain(t, 1, 4, {0, 65, 0}));
  CHECK_FALSE(may_contain(t, 1, 4, {2, 65, 0}));
  // Acknowledged 5: the old and the new position (and the way between) are possible.
  CHECK(may_contain(t, 1, 5, {0, 65, 0}));
  CHECK(may_contain(t, 1, 5, {1, 65, 0}));
  CHECK(may_contain(t, 1, 5, {2, 65, 0}));
  // Acknowledged 6 (the transaction after the move): certain once settled.
  t.client_tick(6);
  CHECK(t.info(1)->confirmed == Vec3{2, 64, 0});
}

TEST_CASE("tracked entities: relative moves add up exactly (1.8 thirty-seconds, 1.9+ 4096ths)", "[context][entities]") {
  TrackedEntities t;
  t.spawn(player(1, {100.5, 64, -3.25}));
  for (int i = 0; i < 1000; ++i) t.move_by(1, {1.0 / 32, -1.0 / 4096, 3.0 / 32}, 1, 1);
  CHECK(t.info(1)->latest == Vec3{100.5 + 1000.0 / 32, 64 - 1000.0 / 4096, -3.25 + 3000.0 / 32});
  CHECK(rustguard::context::position_margin(v::v1_8) == 1.0 / 32);
  CHECK(rustguard::context::position_margin(v::v1_21_4) == 0.0);
}

TEST_CASE("tracked entities: interpolation keeps the way from the old position possible for the entity's ticks",
          "[context][entities]") {
  TrackedEntities t;
  t.spawn(player(1, {0, 64, 0}));
  t.move_to(1, {4, 64, 0}, 1, 1);  // a teleport 4 blocks away, sent after transaction 1
  t.client_tick(2);                // the client acknowledged 2: it has the new position
  CHECK(t.info(1)->confirmed == Vec3{4, 64, 0});
  // ... but it slides the box there over 3 ticks: the union of both ends.
  CHECK(may_contain(t, 1, 2, {0, 65, 0}));
  CHECK(may_contain(t, 1, 2, {2, 65, 0}));
  for (int i = 0; i < 3; ++i) t.client_tick(2);
  CHECK(may_contain(t, 1, 2, {1, 65, 0}));  // 4 ticks counted: the ack may have come mid-tick
  t.client_tick(2);
  CHECK_FALSE(may_contain(t, 1, 2, {1, 65, 0}));
  CHECK(may_contain(t, 1, 2, {4, 65, 0}));
  CHECK(boxes(t, 1, 2).size() == 1);
}

TEST_CASE("tracked entities: a new step starts from the positions the client may still interpolate from",
          "[context][entities]") {
  TrackedEntities t;
  t.spawn(player(1, {0, 64, 0}));
  // One block a tick along x, a transaction after every second move.
  std::uint64_t seq = 1;
  for (int i = 1; i <= 6; ++i) {
    t.move_by(1, {1, 0, 0}, seq, seq);
    if (i % 2 == 0) ++seq;
  }
  // The last step (moves 5, 6) may still show the box from 3 positions back.
  CHECK(may_contain(t, 1, seq, {3.5, 65, 0}));
  CHECK(may_contain(t, 1, seq, {6, 65, 0}));
}

TEST_CASE("tracked entities: open steps are bounded; merging only widens", "[context][entities]") {
  TrackedEntities t;
  t.spawn(player(1, {0, 64, 0}));
  // Ten steps, none acknowledged: at most kMaxSteps kept.
  for (std::uint64_t s = 1; s <= 10; ++s) t.move_by(1, {0, 0, 1}, s, 0);
  CHECK(t.info(1)->latest == Vec3{0, 64, 10});
  // Every position sent is possible once the client acknowledged the last step's opening.
  for (int z = 0; z <= 10; ++z) CHECK(may_contain(t, 1, 10, {0, 65, static_cast<double>(z)}));
  // Before it acknowledged anything, only where the entity was.
  CHECK(may_contain(t, 1, 0, {0, 65, 0}));
  CHECK_FALSE(may_contain(t, 1, 0, {0, 65, 1}));
  // Merged steps open with the oldest of them: more is possible early, never less.
  CHECK_FALSE(may_contain(t, 1, 1, {0, 65, 10}));
  CHECK(boxes(t, 1, 10).size() <= 1 + 1 + TrackedEntities::kMaxSteps);
  t.client_tick(11);
  CHECK(t.info(1)->confirmed == Vec3{0, 64, 10});
}

TEST_CASE("tracked entities: removal, respawn (clear), unknown ids and replacement", "[context][entities]") {
  TrackedEntities t;
  for (std::int32_t id = 0; id < 100; ++id) t.spawn(player(id, {static_cast<double>(id), 64, 0}));
  CHECK(t.size() == 100);
  for (std::int32_t id = 0; id < 100; id += 2) t.remove(id);
  CHECK(t.size() == 50);
  for (std::int32_t id = 0; id < 100; ++id) {
    INFO(id);
    CHECK(t.contains(id) == (id % 2 == 1));
    if (id % 2 == 1) CHECK(t.info(id)->latest.x == id);
  }
  t.remove(12345);           // never tracked: nothing happens
  t.move_by(12345, {1, 0, 0}, 1, 1);
  CHECK(t.size() == 50);
  // The same id spawned again replaces the entity (as the client does).
  t.spawn(player(1, {-5, 70, -5}));
  CHECK(t.size() == 50);
  CHECK(t.info(1)->latest == Vec3{-5, 70, -5});
  t.clear();
  CHECK(t.size() == 0);
  CHECK_FALSE(t.contains(1));
  t.spawn(player(3, {0, 0, 0}));
  CHECK(t.contains(3));
}

TEST_CASE("tracked entities: at most kMaxEntities; spawns beyond are counted, not tracked", "[context][entities]") {
  TrackedEntities t;
  for (std::int32_t id = 0; id < static_cast<std::int32_t>(TrackedEntities::kMaxEntities); ++id) {
    REQUIRE(t.spawn(player(id * 7919, {0, 0, 0})));
  }
  CHECK_FALSE(t.spawn(player(-1, {0, 0, 0})));
  CHECK(t.dropped_spawns() == 1);
  CHECK_FALSE(t.contains(-1));
  CHECK(t.size() == TrackedEntities::kMaxEntities);
  // Every id still found after the table grew several times; removal frees a place.
  for (std::int32_t id = 0; id < static_cast<std::int32_t>(TrackedEntities::kMaxEntities); ++id) {
    REQUIRE(t.contains(id * 7919));
  }
  t.remove(0);
  CHECK(t.spawn(player(-1, {0, 0, 0})));
}

TEST_CASE("tracked entities: the index survives churn (backward-shift deletion)", "[context][entities]") {
  TrackedEntities t;
  std::vector<bool> alive(4096, false);
  std::uint32_t x = 12345;
  for (int step = 0; step < 20000; ++step) {
    x = x * 1103515245u + 12345u;
    const auto id = static_cast<std::int32_t>((x >> 8) % 4096);
    if (alive[static_cast<std::size_t>(id)]) {
      t.remove(id);
      alive[static_cast<std::size_t>(id)] = false;
    } else if (t.size() < TrackedEntities::kMaxEntities) {
      t.spawn(player(id, {static_cast<double>(id), 0, 0}));
      alive[static_cast<std::size_t>(id)] = true;
    }
  }
  std::size_t n = 0;
  for (std::int32_t id = 0; id < 4096; ++id) {
    const bool a = alive[static_cast<std::size_t>(id)];
    n += a;
    REQUIRE(t.contains(id) == a);
    if (a) REQUIRE(t.info(id)->latest.x == id);
  }
  CHECK(t.size() == n);
}

TEST_CASE("entity dimensions: generated tables by version and id space", "[context][entities]") {
  using rustguard::context::entity_type_info;
  // 1.21.4: one id space; player 147, zombie 143 (minecraft-data).
  const auto p = entity_type_info(v::v1_21_4, EntityIdSpace::spawn_entity, 147);
  CHECK(p.is_player);
  CHECK(p.dimensions.known);
  CHECK(p.dimensions.width == 0.6f);
  CHECK(p.dimensions.height == 1.8f);
  CHECK(entity_type_info(v::v1_21_4, EntityIdSpace::spawn_entity, 143).dimensions.height == 1.95f);
  // Boats interpolate over 10 ticks, minecarts 5.
  CHECK(entity_type_info(v::v1_21_4, EntityIdSpace::spawn_entity, 84).interpolation_ticks == 10);
  CHECK(entity_type_info(v::v1_21_4, EntityIdSpace::spawn_entity, 81).interpolation_ticks == 5);
  // 1.8: object 1 is a boat, mob 54 a zombie.
  const auto boat = entity_type_info(v::v1_8, EntityIdSpace::spawn_entity, 1);
  CHECK(boat.dimensions.width == 1.5f);
  CHECK(boat.interpolation_ticks == 10);
  CHECK(entity_type_info(v::v1_8, EntityIdSpace::spawn_mob, 54).dimensions.height == 1.8f);
  // Unknown ids: the default box, marked unknown.
  const auto unknown = entity_type_info(v::v1_21_4, EntityIdSpace::spawn_entity, 100000);
  CHECK_FALSE(unknown.dimensions.known);
  CHECK(unknown.dimensions.width == 0.6f);
  CHECK_FALSE(entity_type_info(v::v1_21_4, EntityIdSpace::spawn_entity, -1).dimensions.known);
  // Sized by metadata (1.8 Slime mob 55, 1.21.4 slime 110 per minecraft-data): unknown size.
  CHECK_FALSE(entity_type_info(v::v1_8, EntityIdSpace::spawn_mob, 55).dimensions.known);
  std::size_t by_metadata = 0;
  for (const auto& row : rustguard::context::detail::entity_table(v::v1_21_4).types) by_metadata += row.sized_by_metadata;
  // slime, magma cube, phantom, pufferfish, shulker (the interaction entity has
  // no size in minecraft-data: unknown as any type missing from the table)
  CHECK(by_metadata == 5);
}

TEST_CASE("tracked entities: the scale attribute scales the box about the feet, lag-compensated",
          "[context][entities]") {
  TrackedEntities t;
  t.spawn(player(3, {0, 64, 0}));
  // Scale 2 sent after transaction 5; the client acknowledged 4.
  t.set_scale(3, 2.0, 5, 4);
  const Vec3 high{0, 67.0, 0};  // above the unscaled box (65.8), inside the scaled one (67.6)
  const Vec3 wide{0.5, 65, 0};  // beyond the unscaled half width (0.3), within 0.6
  // Until acknowledged 6 either scale may show: the larger box.
  CHECK(may_contain(t, 3, 4, high));
  CHECK(may_contain(t, 3, 5, wide));
  CHECK(t.info(3)->dimensions.height == 3.6f);  // the server's newest
  CHECK(may_contain(t, 3, 6, high));
  const auto b = boxes(t, 3, 6);
  REQUIRE(b.size() == 1);
  CHECK(b[0].min.y == Approx(64.0));  // the feet stay where they are
  CHECK(b[0].max.x - b[0].min.x == Approx(1.2));
  // Back to 1 after transaction 8: the big box stays possible until 9 is acknowledged.
  t.set_scale(3, 1.0, 8, 6);
  CHECK(may_contain(t, 3, 8, high));
  CHECK_FALSE(may_contain(t, 3, 9, high));
  CHECK_FALSE(may_contain(t, 3, 9, wide));
  // Two changes before the client acknowledged the first: every scale sent stays possible.
  t.set_scale(3, 4.0, 10, 9);
  t.set_scale(3, 0.5, 11, 9);
  CHECK(may_contain(t, 3, 10, {0, 70, 0}));  // scale 4: 7.2 high
  CHECK_FALSE(may_contain(t, 3, 12, {0, 70, 0}));
  CHECK(t.info(3)->dimensions.height == Approx(0.9f).epsilon(0.001));
  // The game's range is 0.0625-16; NaN is ignored; a respawned entity starts at 1.
  t.set_scale(3, 1000.0, 12, 12);
  CHECK(boxes(t, 3, 13)[0].max.y == Approx(64.0 + 1.8 * 16));
  t.set_scale(3, std::nan(""), 13, 13);
  CHECK(boxes(t, 3, 14)[0].max.y == Approx(64.0 + 1.8 * 16));
  t.spawn(player(3, {0, 64, 0}));
  CHECK(boxes(t, 3, 14)[0].max.y == Approx(65.8));
  t.set_scale(99, 2.0, 14, 14);  // untracked: ignored
  CHECK_FALSE(t.contains(99));
}

TEST_CASE("tracked entities: a rider has no known box until it certainly got off and was interpolated",
          "[context][entities]") {
  TrackedEntities t;
  t.spawn(player(7, {0, 64, 0}));
  t.spawn(player(8, {2, 64, 0}));
  t.spawn(EntitySpawn{30, -1, {0, 64, 0}, rustguard::context::kPlayerDimensions, 3});  // the vehicle
  const std::vector<std::int32_t> seated{7};
  t.set_passengers(30, seated, /*seq_before=*/1);
  CHECK(boxes(t, 7, 5).empty());  // seated: where the client shows it is the seat's business
  CHECK_FALSE(t.info(7)->placed);
  CHECK(boxes(t, 8, 5).size() == 1);  // the others are untouched
  CHECK(boxes(t, 30, 5).size() == 1);

  t.set_passengers(30, {}, /*seq_before=*/4);  // 7 gets off after transaction 4
  t.client_tick(4);
  CHECK(boxes(t, 7, 4).empty());  // not acknowledged: the client may still seat it
  t.client_tick(5);               // applied; now it slides off the seat for 3 ticks
  CHECK(boxes(t, 7, 5).empty());
  for (int i = 0; i < 3; ++i) t.client_tick(5);
  CHECK(boxes(t, 7, 5).empty());
  t.client_tick(5);
  CHECK(boxes(t, 7, 5).size() == 1);
  CHECK(t.info(7)->placed);

  // A new spawn of the rider's id is a new entity, standing on its own.
  t.set_passengers(30, seated, 6);
  CHECK(boxes(t, 7, 9).empty());
  t.spawn(player(7, {5, 64, 5}));
  CHECK(may_contain(t, 7, 9, {5, 65, 5}));
}

TEST_CASE("tracked entities: 1.8 Attach Entity seats one rider per vehicle and lets it off like Set Passengers",
          "[context][entities]") {
  TrackedEntities t;
  t.spawn(player(7, {0, 64, 0}));
  t.spawn(player(8, {2, 64, 0}));
  t.spawn(EntitySpawn{30, -1, {0, 64, 0}, rustguard::context::kPlayerDimensions, 3});  // the vehicle
  t.attach(7, 30, /*seq_before=*/1);
  CHECK(boxes(t, 7, 5).empty());
  CHECK_FALSE(t.info(7)->placed);
  CHECK(boxes(t, 8, 5).size() == 1);
  // 8 takes the seat: 7 is off (one rider per 1.8 vehicle), 8 seated.
  t.attach(8, 30, /*seq_before=*/2);
  CHECK(boxes(t, 8, 5).empty());
  t.client_tick(2);
  CHECK(boxes(t, 7, 2).empty());  // not acknowledged yet
  t.client_tick(3);
  for (int i = 0; i < 4; ++i) t.client_tick(3);
  CHECK(boxes(t, 7, 3).size() == 1);
  // Vehicle -1: 8 gets off, certain once the transaction after it is acknowledged.
  t.attach(8, -1, /*seq_before=*/3);
  t.client_tick(4);
  for (int i = 0; i < 4; ++i) t.client_tick(4);
  CHECK(boxes(t, 8, 4).size() == 1);
  // Unknown riders and a leash-less detach of an entity on foot change nothing.
  t.attach(99, 30, 4);
  t.attach(7, -1, 4);
  CHECK(boxes(t, 7, 4).size() == 1);
  CHECK_FALSE(t.contains(99));
}

}  // namespace tracked_entities_test
