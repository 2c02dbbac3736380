// The model stage's costs (checks/model/): one feature update per packet
// kind a fighting player sends (a rotation, a swing, an attack with its
// reach and aim geometry against a tracked target), computing a full
// window's features, and scoring them with the shipped model.
//
//   rustguard_bench_model [iterations] [model file]
//
// Goals (issue 15): a feature update <= 100 ns, a model evaluation <= 5 us.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "rustguard/adapters/combat_model_file.hpp"
#include "rustguard/checks/model/combat_features.hpp"
#include "rustguard/checks/model/combat_model.hpp"

namespace {

using namespace rustguard;
using Clock = std::chrono::steady_clock;

// A player at (0.5, 64, 0.5) on 1.21.4 and a target player 2.8 blocks in front.
context::PlayerContext fighter() {
  context::PlayerContext ctx;
  ctx.protocol = 769;
  ctx.entity_id = 42;
  ctx.in_play = true;
  ctx.any_movement = true;
  ctx.movement.position = {0.5, 64, 0.5};
  ctx.movement.position_known = true;
  ctx.entities.spawn(context::EntitySpawn{100, 148, {0.5, 64, 3.6}, context::kPlayerDimensions, 0});
  return ctx;
}

context::MoveSample turn(float yaw, float pitch) {
  context::MoveSample m;
  m.input.has_rotation = true;
  m.input.has_position = true;
  m.input.position = {0.5, 64, 0.5};
  m.input.yaw = yaw;
  m.input.pitch = pitch;
  m.position_known = true;
  m.from = m.input.position;
  return m;
}

double ns_per(Clock::duration d, long n) { return std::chrono::duration<double, std::nano>(d).count() / static_cast<double>(n); }

}  // namespace

int main(int argc, char** argv) {
  const long iterations = argc > 1 ? std::max(1L, std::atol(argv[1])) : 2'000'000;
  const std::string model_path = argc > 2 ? argv[2] : RUSTGUARD_SOURCE_DIR "/captures/model/combat-model.yml";
  const context::PlayerContext ctx = fighter();
  checks::model::CombatFeatures f;
  Timestamp now{1'000'000'000};
  f.on_attack(100, ctx, now);  // the rings exist from the first click

  // A fighting player's packets in the proportion a 10 CPS fighter sends
  // them: 20 rotations, 10 swings and 10 attacks a second.
  auto t0 = Clock::now();
  for (long i = 0; i < iterations; ++i) {
    now += millis(50);
    (void)f.on_move(turn(static_cast<float>(i % 90) * 0.15F, 10.0F + static_cast<float>(i % 7) * 0.15F), ctx, now);
  }
  const double rotation_ns = ns_per(Clock::now() - t0, iterations);
  t0 = Clock::now();
  for (long i = 0; i < iterations; ++i) f.on_swing(now);
  const double swing_ns = ns_per(Clock::now() - t0, iterations);
  const long attacks = iterations / 10;
  t0 = Clock::now();
  for (long i = 0; i < attacks; ++i) {
    now += millis(1);
    f.on_attack(100, ctx, now);
  }
  const double attack_ns = ns_per(Clock::now() - t0, attacks);

  // A full window: 10 s of 10 CPS with its rotations.
  checks::model::CombatFeatures window;
  Timestamp t{2'000'000'000};
  for (int tick = 0; tick < 200; ++tick) {
    t += millis(50);
    if (tick % 2 == 0) {
      window.on_attack(100, ctx, t);
      window.on_swing(t);
    }
    (void)window.on_move(turn(static_cast<float>(tick % 30) * 0.15F, 5.0F), ctx, t);
  }
  const long computes = std::max(1L, iterations / 100);
  checks::model::CombatFeatureVector x{};
  double sink = 0;
  t0 = Clock::now();
  for (long i = 0; i < computes; ++i) {
    x = window.compute(t, 10);
    sink += x[0];
  }
  const double compute_ns = ns_per(Clock::now() - t0, computes);

  checks::model::CombatModel model;
  try {
    model = adapters::read_combat_model(model_path);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  t0 = Clock::now();
  for (long i = 0; i < iterations; ++i) {
    x[0] += 1e-9;
    sink += model.score(x).probability;
  }
  const double score_ns = ns_per(Clock::now() - t0, iterations);
  if (sink == 42) std::printf(" ");

  std::printf("model stage costs, %ld iterations (goals: feature update <= 100 ns, model evaluation <= 5 us)\n", iterations);
  std::printf("  feature update, rotation packet:  %7.1f ns\n", rotation_ns);
  std::printf("  feature update, arm swing:        %7.1f ns\n", swing_ns);
  std::printf("  feature update, attack (geometry): %6.1f ns\n", attack_ns);
  std::printf("  a 10 CPS fighter, per packet:     %7.1f ns (20 rotations, 10 swings, 10 attacks a second)\n",
              (20 * rotation_ns + 10 * swing_ns + 10 * attack_ns) / 40);
  std::printf("  window features (100 attacks, 200 rotations): %.2f us\n", compute_ns / 1000);
  std::printf("  model score (%s v%u):           %7.1f ns\n", model.name.c_str(), model.version, score_ns);
  std::printf("  model evaluation = window + score: %.2f us, once per 10 attacks\n", (compute_ns + score_ns) / 1000);
  checks::model::CombatFeatures casual;  // one click and a rotation a second for 10 s
  for (int s = 0; s < 10; ++s) {
    t += millis(1000);
    casual.on_attack(100, ctx, t);
    (void)casual.on_move(turn(static_cast<float>(s), 5.0F), ctx, t);
  }
  std::printf("  memory: rings of a 10 CPS fighter %zu bytes (at most %zu), one attack a second %zu, never clicked 0\n",
              window.ring_bytes(), checks::model::CombatFeatures::max_ring_bytes(), casual.ring_bytes());
  return 0;
}
