// The punishment ladders inside the engine: a flag that fires a step carries
// its actions (placeholders filled in), is stored at once, and the step's
// kick or cancel becomes the packet's verdict like a check's own threshold.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "../checks/engine_driver.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace punishment_ladder_engine_test {

using namespace rustguard;
using namespace rustguard::test;
using actions::ActionType;
using actions::FiredKind;

namespace {

std::shared_ptr<engine::EngineConfig> pitch_ladder_config() {
  auto cfg = std::make_shared<engine::EngineConfig>();
  // The check alone only flags: no alert, no cancel.
  auto& limits = cfg->get<checks::badpackets::PitchCheck>().limits;
  limits.alert_vl = 0;
  limits.cancel_vl = 0;
  actions::PunishmentGroup g;
  g.name = "packets";
  g.checks = {{"badpackets.*", false}};
  g.cooldown_ms = 60'000;
  actions::LadderStep cancel;
  cancel.at = 2;
  cancel.actions = {{ActionType::cancel, ""}};
  actions::LadderStep alert;
  alert.at = 3;
  alert.actions = {{ActionType::alert, "%player% (%uuid%) %check% %type% VL %vl% on %version% at %server% [%group%]"},
                   {ActionType::command, "tempban %player% 1h %check%"}};
  actions::LadderStep kick;
  kick.at = 5;
  kick.strike = true;
  kick.actions = {{ActionType::kick, "Bye %player% (%check%, VL %vl%)"}};
  g.steps = {cancel, alert, kick};
  cfg->punishments.groups.push_back(g);
  cfg->punishments.server_name = "survival";
  return cfg;
}

// The last record of badpackets.pitch (other checks may flag a pitch of 150 too).
const Violation& last_pitch(Driver& d) {
  const auto& out = d.engine.violations();
  for (auto it = out.rbegin(); it != out.rend(); ++it) {
    if (it->check == "badpackets.pitch") return *it;
  }
  FAIL("no badpackets.pitch record");
  return out.front();
}

}  // namespace

TEST_CASE("ladder steps act on the flag that reaches them", "[engine][ladder]") {
  Driver d(v::v1_21_4, pitch_ladder_config(), engine::EngineMode::originate, /*fold=*/true);
  d.spawn_at(0, 64, 0);
  // VL 1: nothing but the record (folded later).
  CHECK(d.rot(0, 150, true) == Verdict::pass);
  // VL 2: the ladder cancels this packet; the record says so.
  CHECK(d.rot(0, 150, true) == Verdict::cancel);
  // VL 3: cancel again (cool-down is per step, the cancel step already
  // fired) is not repeated; the alert step fires with its texts.
  CHECK(d.rot(0, 150, true) == Verdict::pass);
  const Violation& third = last_pitch(d);
  CHECK(third.vl == Approx(3).margin(0.01));
  REQUIRE(third.actions.size() == 2);
  CHECK(third.actions[0].kind == FiredKind::alert);
  CHECK(third.actions[0].group == "packets");
  CHECK(third.actions[0].text ==
        "Steve (00000000-0000-1234-0000-000000005678) badpackets.pitch pitch VL 3.0 on 1.21.4 at survival [packets]");
  CHECK(third.actions[1].kind == FiredKind::command);
  CHECK(third.actions[1].text == "tempban Steve 1h badpackets.pitch");
  CHECK_FALSE(d.engine.kick_reason());
  // VL 4: nothing new; VL 5: the kick, with its text, and a strike.
  CHECK(d.rot(0, 150, true) == Verdict::pass);
  CHECK(d.rot(0, 150, true) == Verdict::kick);
  REQUIRE(d.engine.kick_reason());
  CHECK(*d.engine.kick_reason() == "Bye Steve (badpackets.pitch, VL 5.0)");
  CHECK(d.engine.kick_reason_is_message());  // the player reads it as it is
  const Violation& fifth = last_pitch(d);
  CHECK(has(fifth.outcome, Outcome::kick));
  REQUIRE(fifth.actions.size() == 1);
  CHECK(fifth.actions[0].kind == FiredKind::strike);
  CHECK(fifth.actions[0].group == "packets");
}

TEST_CASE("a cancel step drops the packet and marks the record", "[engine][ladder]") {
  Driver d(v::v1_21_4, pitch_ladder_config());
  d.spawn_at(0, 64, 0);
  REQUIRE(d.rot(0, 150, true) == Verdict::pass);
  REQUIRE(d.rot(0, 150, true) == Verdict::cancel);
  const Violation& second = last_pitch(d);
  CHECK(has(second.outcome, Outcome::cancel));
  CHECK(second.cancelled == 1);
  CHECK(second.actions.empty());  // a cancel is the verdict, not a listed action
}

TEST_CASE("strikes of earlier sessions count towards a strikes step", "[engine][ladder]") {
  auto cfg = pitch_ladder_config();
  actions::LadderStep ban;
  ban.measure = actions::StepMeasure::strikes;
  ban.at = 2;
  ban.actions = {{ActionType::command, "ban %player% strikes"}};
  cfg->punishments.groups[0].steps.push_back(ban);
  Driver d(v::v1_21_4, cfg);
  d.engine.add_prior_strike("packets", d.now - millis(3'600'000));
  d.spawn_at(0, 64, 0);
  Verdict last = Verdict::pass;
  for (int i = 0; i < 5; ++i) last = d.rot(0, 150, true);
  REQUIRE(last == Verdict::kick);
  const Violation& fifth = last_pitch(d);
  REQUIRE(fifth.actions.size() == 2);
  CHECK(fifth.actions[0].kind == FiredKind::strike);
  CHECK(fifth.actions[1].kind == FiredKind::command);
  CHECK(fifth.actions[1].text == "ban Steve strikes");
}

TEST_CASE("no punishment groups: flags carry no actions", "[engine][ladder]") {
  Driver d(v::v1_21_4);
  d.spawn_at(0, 64, 0);
  for (int i = 0; i < 10; ++i) d.rot(0, 150, true);
  for (const Violation& v : d.engine.violations()) CHECK(v.actions.empty());
}

}  // namespace punishment_ladder_engine_test
