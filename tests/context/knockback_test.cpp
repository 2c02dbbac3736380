#include <catch2/catch.hpp>

#include "rustguard/context/context_snapshot.hpp"
#include "rustguard/context/knockback.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace knockback_test {

using rustguard::context::KnockbackTracker;
using rustguard::protocol::Vec3;

TEST_CASE("knockback: an entry counts from its opening transaction's ack until physics decays it", "[context]") {
  KnockbackTracker k;
  CHECK(k.horizontal_allowance(100) == 0);
  k.add({0.4, 0.3, 0.0}, 5, 6);
  CHECK(k.horizontal_allowance(4) == 0);  // not yet applicable
  CHECK(k.horizontal_allowance(5) == Approx(0.4));
  CHECK(k.upward_allowance(5) == Approx(0.3));
  k.tick();  // not confirmed yet: no decay
  CHECK(k.horizontal_allowance(5) == Approx(0.4));
  k.acknowledge(6);
  k.tick();
  CHECK(k.horizontal_allowance(6) == Approx(0.4 * KnockbackTracker::kAirFriction));
  // Decayed below what matters: gone, and a new entry takes its place.
  for (int i = 0; i < 100; ++i) k.tick();
  CHECK(k.horizontal_allowance(6) == 0);
  CHECK(k.upward_allowance(6) == 0);
  k.add({0.1, 0, 0}, 7, 0);
  k.close_open(8);
  k.acknowledge(8);
  CHECK(k.horizontal_allowance(8) == Approx(0.1));
}

TEST_CASE("knockback: when all eight slots hold knockback, the weakest is replaced", "[context]") {
  KnockbackTracker k;
  for (int i = 1; i <= 8; ++i) k.add({0.1 * i, 0, 0}, 1, 2);
  CHECK(k.horizontal_allowance(1) == Approx(0.8));
  k.add({0.05, 0, 0}, 1, 2);  // replaces 0.1, the weakest
  k.add({0.9, 0, 0}, 1, 2);   // replaces 0.05
  CHECK(k.horizontal_allowance(1) == Approx(0.9));
  // Seven of the first eight, and 0.9: decaying all of them leaves none.
  k.acknowledge(2);
  for (int i = 0; i < 200; ++i) k.tick();
  CHECK(k.horizontal_allowance(2) == 0);
  // Every slot is free again: eight new entries fit without replacing.
  for (int i = 1; i <= 8; ++i) k.add({0.01 * i, 0, 0}, 3, 4);
  CHECK(k.horizontal_allowance(3) == Approx(0.08));
}

TEST_CASE("knockback: a snapshot's reader rebuilds which entries are active", "[context][snapshot]") {
  // The mask of active slots is not in the snapshot: after decoding, the
  // allowances must see exactly the entries the writer had.
  rustguard::context::PlayerContext ctx;
  ctx.knockback.add({0.3, 0.2, 0.4}, 1, 2);
  ctx.knockback.add({0.1, 0, 0}, 1, 2);
  const auto bytes = rustguard::context::encode_snapshot(ctx);
  const auto decoded = rustguard::context::decode_snapshot(bytes);
  INFO(decoded.error);
  REQUIRE(decoded.context.has_value());
  CHECK(decoded.context->knockback.horizontal_allowance(1) == Approx(0.5));
  CHECK(decoded.context->knockback.upward_allowance(1) == Approx(0.2));
  // Clearing drops them all.
  ctx.knockback.clear();
  CHECK(ctx.knockback.horizontal_allowance(1) == 0);
}

}  // namespace knockback_test
