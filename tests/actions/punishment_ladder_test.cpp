#include <catch2/catch.hpp>

#include <vector>

#include "rustguard/actions/punishment_ladder.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace punishment_ladder_test {

using namespace rustguard;
using namespace rustguard::actions;

namespace {

Timestamp at_s(double s) { return Timestamp{static_cast<std::int64_t>(s * 1e6)}; }

LadderStep vl_step(double at, std::int64_t within_ms, bool strike = false) {
  LadderStep s;
  s.measure = StepMeasure::vl;
  s.at = at;
  s.within_ms = within_ms;
  s.actions = {{ActionType::alert, ""}};
  s.strike = strike;
  return s;
}

LadderStep strikes_step(double at) {
  LadderStep s;
  s.measure = StepMeasure::strikes;
  s.at = at;
  s.actions = {{ActionType::command, "ban %player%"}};
  return s;
}

Punishments combat_ladder() {
  Punishments p;
  PunishmentGroup g;
  g.name = "combat";
  g.checks = {{"combat.*", false}, {"aim.*", false}, {"aim.duplicate", true}};
  g.cooldown_ms = 10'000;
  g.steps = {vl_step(10, 60'000), vl_step(30, 60'000, true), strikes_step(3)};
  p.groups.push_back(g);
  p.strike_expiry_ms = 24LL * 3600 * 1000;
  return p;
}

std::vector<std::size_t> steps_of(const std::vector<FiredStep>& fired) {
  std::vector<std::size_t> out;
  for (const FiredStep& f : fired) out.push_back(f.step);
  return out;
}

}  // namespace

TEST_CASE("the group VL adds each check's latest VL within the window", "[actions][ladder]") {
  const Punishments p = combat_ladder();
  PunishmentLadder ladder;
  CHECK(ladder.on_flag(p, "combat.reach", 4, at_s(0)).empty());
  CHECK(ladder.on_flag(p, "combat.reach", 6, at_s(1)).empty());  // the check's VL replaces, not adds
  CHECK(ladder.group_vl(0, at_s(1), 60'000) == Approx(6));
  CHECK(ladder.on_flag(p, "movement.speed", 50, at_s(2)).empty());  // not in the group
  CHECK(ladder.on_flag(p, "aim.duplicate", 50, at_s(2)).empty());   // excluded
  // 6 (reach) + 5 (snap) = 11: the alert step fires on the combination.
  CHECK(steps_of(ladder.on_flag(p, "aim.snap", 5, at_s(3))) == std::vector<std::size_t>{0});
  // Out of the window a check adds nothing.
  CHECK(ladder.group_vl(0, at_s(61.5), 60'000) == Approx(5));
  CHECK(ladder.group_vl(0, at_s(63.5), 60'000) == Approx(0));
}

TEST_CASE("a step fires again only after the cool-down", "[actions][ladder]") {
  const Punishments p = combat_ladder();
  PunishmentLadder ladder;
  CHECK(steps_of(ladder.on_flag(p, "combat.reach", 12, at_s(0))) == std::vector<std::size_t>{0});
  CHECK(ladder.on_flag(p, "combat.reach", 13, at_s(5)).empty());
  CHECK(ladder.on_flag(p, "combat.reach", 14, at_s(9.999)).empty());
  CHECK(steps_of(ladder.on_flag(p, "combat.reach", 15, at_s(10))) == std::vector<std::size_t>{0});
  // Below the threshold nothing fires, cool-down or not.
  CHECK(ladder.on_flag(p, "combat.reach", 2, at_s(30)).empty());
}

TEST_CASE("strikes accumulate, expire, and the strikes step fires when the count reaches it", "[actions][ladder]") {
  const Punishments p = combat_ladder();
  PunishmentLadder ladder;
  // Two strikes from earlier sessions (one of them expired by now).
  ladder.add_prior_strike(p, "combat", at_s(0));
  ladder.add_prior_strike(p, "combat", at_s(100'000));
  ladder.add_prior_strike(p, "no such group", at_s(100'000));  // ignored
  const Timestamp now = at_s(90'000 + 24 * 3600);  // the first one expired 24 h after it
  CHECK(ladder.strikes(p, 0, now) == 1);
  // VL 31: both vl steps fire; the second gives a strike (2 now): no ban yet.
  CHECK(steps_of(ladder.on_flag(p, "combat.reach", 31, now)) == std::vector<std::size_t>{0, 1});
  CHECK(ladder.strikes(p, 0, now) == 2);
  // After the cool-down the strike step fires again: 3 strikes, then the ban.
  const Timestamp later = now + millis(10'000);
  CHECK(steps_of(ladder.on_flag(p, "combat.reach", 32, later)) == std::vector<std::size_t>{0, 1, 2});
  CHECK(ladder.strikes(p, 0, later) == 3);
  // A fourth strike does not ban again (the count passed 3 already).
  const Timestamp again = later + millis(10'000);
  CHECK(steps_of(ladder.on_flag(p, "combat.reach", 33, again)) == std::vector<std::size_t>{0, 1});
}

TEST_CASE("strikes from earlier sessions alone never fire a strikes step", "[actions][ladder]") {
  const Punishments p = combat_ladder();
  PunishmentLadder ladder;
  for (int i = 0; i < 5; ++i) ladder.add_prior_strike(p, "combat", at_s(i));
  CHECK(ladder.strikes(p, 0, at_s(10)) == 5);
  // A flag that fires no striking step: nothing about strikes happens.
  CHECK(steps_of(ladder.on_flag(p, "combat.reach", 11, at_s(10))) == std::vector<std::size_t>{0});
}

TEST_CASE("several groups may cover one check, each with its own state", "[actions][ladder]") {
  Punishments p = combat_ladder();
  PunishmentGroup all;
  all.name = "everything";
  all.checks = {{"*", false}};
  all.cooldown_ms = 0;
  all.steps = {vl_step(5, 1'000)};
  p.groups.push_back(all);
  PunishmentLadder ladder;
  const auto fired = ladder.on_flag(p, "combat.reach", 12, at_s(0));
  REQUIRE(fired.size() == 2);
  CHECK(fired[0].group == 0);
  CHECK(fired[1].group == 1);
  // Cool-down 0: fires on every flag at or above the threshold.
  CHECK(ladder.on_flag(p, "movement.speed", 6, at_s(0.5)).size() == 1);
  CHECK(ladder.on_flag(p, "movement.speed", 6, at_s(0.6)).size() == 1);
}

}  // namespace punishment_ladder_test
