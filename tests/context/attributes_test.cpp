#include <catch2/catch.hpp>

#include "rustguard/context/attributes.hpp"
#include "rustguard/context/effects.hpp"
#include "rustguard/context/knockback.hpp"
#include "rustguard/context/teleports.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace attributes_test {

using namespace rustguard;
namespace pk = protocol::packets;

TEST_CASE("attributes: modifiers apply in the game's order; sprint and effect modifiers are left out", "[context]") {
  pk::AttributeUpdate a;
  a.attribute = pk::Attribute::movement_speed;
  a.base_value = 0.1;
  a.modifiers.push_back({{}, "minecraft:sprinting", 0.3, 2});
  a.modifiers.push_back({{}, "minecraft:effect.speed", 0.4, 2});
  a.modifiers.push_back({{}, "plugin:boots", 0.5, 1});
  a.modifiers.push_back({context::detail::kSprintUuid, "", 0.3, 2});
  CHECK(context::attribute_value(a) == Approx(0.15));
  pk::AttributeUpdate g;
  g.attribute = pk::Attribute::gravity;
  g.base_value = 0.08;
  g.modifiers.push_back({{}, "x", 0.02, 0});
  g.modifiers.push_back({{}, "y", -0.5, 2});
  CHECK(context::attribute_value(g) == Approx(0.05));
  pk::UpdateAttributesS2c p;
  p.attributes = {a, g};
  context::AttributeValues values;
  CHECK(context::apply(values, p));
  CHECK(values.movement_speed == Approx(0.15));
  CHECK(values.gravity == Approx(0.05));
  CHECK_FALSE(context::apply(values, p));
}

TEST_CASE("effects: registry ids map to the movement effects", "[context]") {
  CHECK(context::movement_effect(0) == context::MovementEffect::speed);
  CHECK(context::movement_effect(7) == context::MovementEffect::jump_boost);
  CHECK(context::movement_effect(27) == context::MovementEffect::slow_falling);
  CHECK_FALSE(context::movement_effect(3));
  context::EffectLevels e;
  e.set(context::MovementEffect::speed, 1);
  CHECK(e.level(context::MovementEffect::speed) == 2);
  e.set(context::MovementEffect::slowness, -100);
  CHECK(e.level(context::MovementEffect::slowness) == 0);
}

TEST_CASE("knockback: full until confirmed, then decays by air friction", "[context]") {
  context::KnockbackTracker k;
  k.add({0.6, 0.5, 0.8}, 1, 2);
  CHECK(k.horizontal_allowance(0) == 0);
  CHECK(k.horizontal_allowance(1) == Approx(1.0));
  k.tick();
  CHECK(k.horizontal_allowance(1) == Approx(1.0));
  k.acknowledge(2);
  k.tick();
  CHECK(k.horizontal_allowance(2) == Approx(0.91));
  CHECK(k.upward_allowance(2) == Approx((0.5 - 0.08) * 0.98));
  for (int i = 0; i < 100; ++i) k.tick();
  CHECK(k.horizontal_allowance(2) == 0);
}

TEST_CASE("teleports: confirmation order and matching targets", "[context]") {
  context::PendingTeleports t;
  t.add({1, {10, 64, 10}, {}, Timestamp{0}, false});
  t.add({2, {20, 64, 20}, {}, Timestamp{0}, false});
  CHECK(t.match({10, 64, 10}, true) == nullptr);  // not confirmed yet
  CHECK(t.confirm(1) == context::ConfirmResult::ok);
  CHECK(t.match({10, 64, 10}, true) != nullptr);
  CHECK(t.size() == 1);
  CHECK(t.confirm(9) == context::ConfirmResult::unknown);
  CHECK(t.match({20, 64, 20}, false) != nullptr);  // 1.8: no confirmation
  CHECK(t.empty());
}

}  // namespace attributes_test
