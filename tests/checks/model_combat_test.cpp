#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>

#include "entity_inputs.hpp"
#include "rustguard/checks/model/combat.hpp"
#include "rustguard/checks/movement/speed.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace model_combat_test {

using namespace rustguard::test;
using rustguard::checks::model::combat_feature_index;
using rustguard::checks::model::CombatFeatureVector;
using rustguard::checks::model::CombatModel;
using rustguard::checks::model::CombatCheck;
using rustguard::checks::model::kCombatFeatureCount;
using rustguard::protocol::Vec3;

namespace {

const std::int32_t kVersions[] = {v::v1_8, v::v1_21_4, v::v26_1};
constexpr std::int32_t kTarget = 100;
const Vec3 kFeet{0.5, 64, 0.5};

// A target whose box's near face is `face` blocks in front of the player.
Vec3 target_at(double face) { return {kFeet.x, kFeet.y, kFeet.z + face + 0.3}; }
Look look_at_target(Vec3 target) { return look_at({kFeet.x, kFeet.y + 1.62, kFeet.z}, {target.x, target.y + 1.0, target.z}); }

std::size_t at(std::string_view name) {
  const std::size_t i = combat_feature_index(name);
  REQUIRE(i < kCombatFeatureCount);
  return i;
}

// A model that only reads reach_excess_mean: p > 0.5 once the mean eye-to-box
// distance is beyond the range.
std::shared_ptr<const CombatModel> reach_model() {
  auto m = std::make_shared<CombatModel>();
  m->name = "reach-only";
  m->version = 3;
  m->scale.fill(1);
  m->weight[at("reach_excess_mean")] = 40;
  m->bias = 0;
  m->threshold = 0.5;
  return m;
}

std::shared_ptr<rustguard::engine::EngineConfig> config_with(std::shared_ptr<const CombatModel> model, double gate,
                                                            bool collect = false) {
  auto cfg = std::make_shared<rustguard::engine::EngineConfig>();
  auto& p = cfg->get<CombatCheck>().params;
  p.model = std::move(model);
  p.gate = gate;
  p.collect = collect;
  return cfg;
}

// The player stands at kFeet and attacks a target `face` blocks away every
// other tick (10 CPS) for `seconds`, turning its look by `wobble` degrees
// every tick as a hand does. With `slide`, the player's feet also move that
// many blocks sideways every tick (more than walking allows: Speed's buffer).
void fight(Driver& d, double face, double seconds, float wobble = 0.45F, double slide = 0) {
  const Vec3 target = target_at(face);
  d.spawn_at(kFeet.x, kFeet.y, kFeet.z);
  spawn_player_entity(d, kTarget, target);
  d.answer_all();
  Look look = look_at_target(target);
  for (int i = 0; i < 3; ++i) stand_tick(d, kFeet, look);
  d.advance_ms(1100);
  place_entity(d, kTarget, target);
  d.answer_all();
  const int ticks = static_cast<int>(seconds * 20);
  Vec3 feet = kFeet;
  for (int i = 0; i < ticks; ++i) {
    look.yaw += (i % 4 < 2) ? wobble : -wobble;
    feet.x += slide;
    if (i % 2 == 0) {
      attack_tick(d, kTarget, feet, look);
    } else {
      stand_tick(d, feet, look);
    }
  }
}

}  // namespace

TEST_CASE("model.combat: features of a fight within reach and beyond it", "[checks][model]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Driver near(pv, config_with(nullptr, 0, true));
    fight(near, 2.5, 6);
    Driver far(pv, config_with(nullptr, 0, true));
    fight(far, 3.4, 6);
    const auto& wn = near.engine.check<CombatCheck>().collected();
    const auto& wf = far.engine.check<CombatCheck>().collected();
    REQUIRE(wn.size() >= 3);  // 60 attacks, one window per 10 from the 15th
    REQUIRE(wf.size() == wn.size());
    const CombatFeatureVector& n = wn.back().features;
    const CombatFeatureVector& f = wf.back().features;
    CHECK(n[at("cps")] == Approx(10).margin(1.0));
    CHECK(n[at("attacks_per_second")] == Approx(10).margin(1.0));
    CHECK(n[at("click_mean_ms")] == Approx(100).margin(1));
    CHECK(n[at("click_std_ms")] < 1);
    CHECK(n[at("reach_excess_mean")] < -0.3);
    CHECK(f[at("reach_excess_mean")] > 0.2);
    CHECK(f[at("reach_excess_max")] > 0.2);
    CHECK(f[at("reach_near_edge_share")] == Approx(1));
    CHECK(n[at("reach_near_edge_share")] == Approx(0));
    CHECK(n[at("no_swing_share")] == Approx(0));
    CHECK(n[at("target_switch_share")] == Approx(0));
    CHECK(n[at("targets_distinct")] == Approx(1));
    CHECK(n[at("hit_share")] == Approx(1));
    CHECK(n[at("aim_offset_mean")] < 5);
    CHECK(n[at("turn_mean")] == Approx(0.45).margin(0.05));
    CHECK(n[at("gcd_fit_share")] == Approx(1));
    // The whole vector depends only on the packets: a second run is identical.
    Driver again(pv, config_with(nullptr, 0, true));
    fight(again, 3.4, 6);
    REQUIRE(again.engine.check<CombatCheck>().collected().size() == wf.size());
    CHECK(again.engine.check<CombatCheck>().collected().back().features == f);
  }
}

TEST_CASE("model.combat: the movement checks' evidence short of a flag is in the window", "[checks][model]") {
  using rustguard::checks::movement::SpeedCheck;
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Driver still(pv, config_with(nullptr, 0, true));
    fight(still, 2.5, 3);
    // Sliding 0.45 blocks a tick on the ground: Speed banks the excess
    // (and flags once its buffer is full), the window carries its buffer.
    auto sliding_config = config_with(nullptr, 0, true);
    Driver sliding(pv, sliding_config);
    fight(sliding, 2.5, 3, 0.45F, 0.45);
    const auto& ws = still.engine.check<CombatCheck>().collected();
    const auto& wm = sliding.engine.check<CombatCheck>().collected();
    REQUIRE(!ws.empty());
    REQUIRE(wm.size() == ws.size());
    CHECK(ws.back().features[at("speed_buffer")] == 0);
    CHECK(ws.back().features[at("fly_offending")] == 0);
    CHECK(ws.back().features[at("nofall_off_grid")] == 0);
    CHECK(wm.back().features[at("speed_buffer")] > 1);
    // A disabled check holds no evidence.
    sliding_config->get<SpeedCheck>().limits.enabled = false;
    Driver off(pv, sliding_config);
    fight(off, 2.5, 3, 0.45F, 0.45);
    REQUIRE(!off.engine.check<CombatCheck>().collected().empty());
    CHECK(off.engine.check<CombatCheck>().collected().back().features[at("speed_buffer")] == 0);
  }
}

TEST_CASE("model.combat: a suspicious player's far hits are flagged with the features that decided", "[checks][model]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    // Gate 0: every player is judged. 3.4 blocks: combat.reach flags too.
    Driver d(pv, config_with(reach_model(), 0));
    fight(d, 3.4, 6);
    CHECK(d.count("model.combat", "verdict") >= 3);
    CHECK(d.engine.check<CombatCheck>().passed_gate());
    CHECK(d.engine.check<CombatCheck>().windows_scored() >= d.count("model.combat", "verdict"));
    CHECK(d.max_vl("model.combat") >= 1.5);  // the alert
    bool named = false;
    for (const auto& v : d.engine.violations()) {
      if (v.check != "model.combat") continue;
      named = v.detail.find("reach_excess_mean") != std::string::npos &&
              v.detail.find("model reach-only v3") != std::string::npos &&
              v.numbers_json.find("\"probability\":") != std::string::npos;
      if (!named) FAIL_CHECK(v.detail);
    }
    CHECK(named);
  }
}

TEST_CASE("model.combat: an honest fight gets no verdict", "[checks][model]") {
  for (const std::int32_t pv : kVersions) {
    INFO("protocol " << pv);
    Driver d(pv, config_with(reach_model(), 0));
    fight(d, 2.5, 6);
    CHECK(d.count("model.combat") == 0);
    CHECK(d.count("combat.reach") == 0);
  }
}

TEST_CASE("model.combat: below the gate the model does not run", "[checks][model]") {
  // 3.1 blocks: beyond reach for the model, but the gate is far above what
  // combat.reach's flags add to the suspicion score.
  Driver d(v::v1_21_4, config_with(reach_model(), 1e6));
  fight(d, 3.4, 6);
  CHECK(d.count("combat.reach") > 0);
  CHECK(d.count("model.combat") == 0);
  CHECK(d.engine.check<CombatCheck>().collected().empty());
  CHECK_FALSE(d.engine.check<CombatCheck>().passed_gate());
  CHECK(d.engine.check<CombatCheck>().windows_scored() == 0);
}

TEST_CASE("model.combat: no model, no verdict and nothing kept", "[checks][model]") {
  Driver d(v::v1_21_4, config_with(nullptr, 0));
  fight(d, 3.4, 6);
  CHECK(d.count("model.combat") == 0);
  CHECK(d.engine.check<CombatCheck>().collected().empty());
}

TEST_CASE("model.combat: the score is the logistic of the weighted standardised features", "[checks][model]") {
  CombatModel m;
  m.scale.fill(2);
  m.mean.fill(1);
  m.weight[0] = 1.5;
  m.weight[1] = -0.5;
  m.bias = -1;
  CombatFeatureVector x{};
  x.fill(1);
  x[0] = 5;  // z = 2, contributes 3
  x[1] = 3;  // z = 1, contributes -0.5
  const auto s = m.score(x);
  CHECK(s.contribution[0] == Approx(3));
  CHECK(s.contribution[1] == Approx(-0.5));
  CHECK(s.probability == Approx(1 / (1 + std::exp(-1.5))));
  const auto top = rustguard::checks::model::top_contributions<2>(s);
  CHECK(top[0] == 0);
  CHECK(top[1] != 1);  // a negative contribution is never the top reason
  CHECK(CombatModel::sigmoid(-800) >= 0);
  CHECK(CombatModel::sigmoid(800) == 1);
}

TEST_CASE("model.combat: a verdict is held while the proxy reads late", "[checks][model]") {
  // The click features are arrival times: an overloaded proxy's lateness
  // must not become a verdict (held as the timing checks' flags are).
  Driver d(v::v1_21_4, config_with(reach_model(), 0));
  d.engine.on_host_late(d.now, rustguard::Micros{30'000'000});
  fight(d, 3.4, 6);
  CHECK(d.count("model.combat") == 0);
  CHECK(d.engine.check<CombatCheck>().windows_scored() >= 3);
  CHECK(d.engine.timing_flags_held() >= 3);
}

}  // namespace model_combat_test
