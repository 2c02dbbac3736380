#pragma once
// Model / combat (`model.combat`): the model stage. A trained model
// (checks/model/combat_model.hpp, from `rustguard-replay train`) judges a
// player's fighting over the last `window_s` seconds
// (checks/model/combat_features.hpp), but only while the player's suspicion
// score (every flag of every check adds to it, halving every
// checks.engine.suspicion_half_life_s) is at or above `gate`: the cheap
// checks pick who looks wrong, the model looks closer at those only.
//
// Cost: below the gate the check records clicks, attacks and rotations (a
// few stores per packet; the rings are allocated at the player's first
// click) and computes nothing. At the gate, every `every_attacks` attacks,
// with at least `min_attacks` in the window, it computes the vector and
// scores it. A probability at or above the threshold (`threshold`, or the
// model file's, which `rustguard-replay evaluate` chose for a
// false-positive rate) flags with the probability as the amount, and the
// three features that pushed the verdict most in the detail.
//
// The click features are arrival times, so a verdict is held while the
// proxy reports reading late (Reporter::flag_timing), as timer's are.
//
// No model file (checks.model.combat.model_file empty, missing or bad): the
// stage is off; the proxy says so at start and on reload. `collect` keeps
// every window's vector for `rustguard-replay train` / `evaluate` (no gate,
// no model needed); it is never set live.

#include <array>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "rustguard/checks/api/check_info.hpp"
#include "rustguard/checks/api/check_settings.hpp"
#include "rustguard/checks/api/events.hpp"
#include "rustguard/checks/api/reporter.hpp"
#include "rustguard/checks/api/verdict.hpp"
#include "rustguard/checks/api/violation_level.hpp"
#include "rustguard/checks/model/combat_features.hpp"
#include "rustguard/checks/model/combat_model.hpp"
#include "rustguard/context/player_context.hpp"
#include "rustguard/protocol/packet_ids.gen.hpp"
#include "rustguard/protocol/packets/play/client_tick_end_c2s.hpp"
#include "rustguard/protocol/packets/play/interact_c2s.hpp"
#include "rustguard/protocol/packets/play/player_action_c2s.hpp"
#include "rustguard/protocol/packets/play/player_rotation_s2c.hpp"
#include "rustguard/protocol/packets/play/swing_arm_c2s.hpp"
#include "rustguard/protocol/packets/play/sync_player_position_s2c.hpp"
#include "rustguard/protocol/packets/play/use_item_c2s.hpp"
#include "rustguard/protocol/packets/play/use_item_on_c2s.hpp"
#include "rustguard/time.hpp"

namespace rustguard::checks::model {

// One judged window, kept for the replay's train / evaluate (`collect`).
struct FeatureWindow {
  Timestamp at{};
  CombatFeatureVector features{};
};

class CombatCheck {
 public:
  static constexpr engine::CheckInfo kInfo{
      "model.combat", "Model (combat)", "A trained model's verdict on a suspicious player's fighting",
      engine::CostClass::cheap, {.alert_vl = 1.5, .decay_per_second = 0.02}};
  static constexpr std::array kReads{
      protocol::PacketKind::interact_c2s,      protocol::PacketKind::attack_c2s,
      protocol::PacketKind::swing_arm_c2s,     protocol::PacketKind::player_action_c2s,
      protocol::PacketKind::use_item_on_c2s,   protocol::PacketKind::use_item_c2s,
      protocol::PacketKind::client_tick_end_c2s, protocol::PacketKind::set_position_c2s,
      protocol::PacketKind::set_position_rotation_c2s, protocol::PacketKind::set_rotation_c2s,
      protocol::PacketKind::set_movement_flags_c2s};
  static constexpr std::array kReadsClientbound{protocol::PacketKind::sync_player_position_s2c,
                                                protocol::PacketKind::player_rotation_s2c};
  struct Params {
    double gate = 0;                  // suspicion score at or above which the model runs (0: every fighter)
    std::string model_file;           // the trained model (empty: the stage is off)
    double threshold = 0;             // flag at or above this probability; 0: the model file's
    // The window while collecting (train); a loaded model judges over the
    // window it was trained on (CombatModel::window_s, min_attacks).
    double window_s = 10;             // seconds of fighting a window holds
    std::uint32_t min_attacks = 15;   // fewer attacks in the window: none
    std::uint32_t every_attacks = 10; // judge once per this many attacks
    bool collect = false;             // keep every window's features (the replay's train / evaluate)
    // Filled by the config loader from model_file (adapters/combat_model_file.hpp).
    std::shared_ptr<const CombatModel> model;

    // Every field by its config name (checks.<key>.<name>), for the loader.
    template <class F>
    void visit(F&& f) {
      f("gate", gate);
      f("model_file", model_file);
      f("threshold", threshold);
      f("window_s", window_s);
      f("min_attacks", min_attacks);
      f("every_attacks", every_attacks);
      f("collect", collect);
    }
    bool operator==(const Params&) const = default;
  };
  using Settings = engine::CheckSettings<CombatCheck>;

  engine::Verdict on(const engine::AttackEvent& a, const context::PlayerContext& ctx, const Settings& s,
                     engine::Reporter& r) {
    if (!active(s)) return engine::Verdict::pass;
    features_.on_attack(a.target, ctx, r.now());
    // Judged when the attack's tick ends, so its swing (1.9+ swings after
    // attacking) is in.
    if (s.params.every_attacks > 0 && features_.attacks_total() % s.params.every_attacks == 0) due_ = true;
    return engine::Verdict::pass;
  }
  engine::Verdict on(const protocol::packets::InteractC2s&, const context::PlayerContext&, const Settings& s,
                     engine::Reporter&) {
    if (active(s)) features_.on_use();
    return engine::Verdict::pass;
  }
  engine::Verdict on(const protocol::packets::SwingArmC2s&, const context::PlayerContext&, const Settings& s,
                     engine::Reporter& r) {
    if (active(s)) features_.on_swing(r.now());
    return engine::Verdict::pass;
  }
  engine::Verdict on(const protocol::packets::PlayerActionC2s& p, const context::PlayerContext&, const Settings& s,
                     engine::Reporter&) {
    if (active(s)) features_.on_action(p);
    return engine::Verdict::pass;
  }
  engine::Verdict on(const protocol::packets::UseItemOnC2s&, const context::PlayerContext&, const Settings& s,
                     engine::Reporter&) {
    if (active(s)) features_.on_use();
    return engine::Verdict::pass;
  }
  engine::Verdict on(const protocol::packets::UseItemC2s&, const context::PlayerContext&, const Settings& s,
                     engine::Reporter&) {
    if (active(s)) features_.on_use();
    return engine::Verdict::pass;
  }
  engine::Verdict on(const protocol::packets::ClientTickEndC2s&, const context::PlayerContext&, const Settings& s,
                     engine::Reporter& r) {
    return active(s) && features_.on_tick_end() ? judge(s, r) : engine::Verdict::pass;
  }
  engine::Verdict on(const context::MoveSample& m, const context::PlayerContext& ctx, const Settings& s,
                     engine::Reporter& r) {
    return active(s) && features_.on_move(m, ctx, r.now()) ? judge(s, r) : engine::Verdict::pass;
  }
  engine::Verdict on(const protocol::packets::SyncPlayerPositionS2c&, const context::PlayerContext& ctx,
                     const Settings& s, engine::Reporter&) {
    if (active(s)) features_.on_server_rotation(ctx, true);
    return engine::Verdict::pass;
  }
  engine::Verdict on(const protocol::packets::PlayerRotationS2c&, const context::PlayerContext& ctx, const Settings& s,
                     engine::Reporter&) {
    if (active(s)) features_.on_server_rotation(ctx, false);
    return engine::Verdict::pass;
  }

  // Windows the model scored, and whether the player was ever at the gate
  // when a window was due (for the proxy's metrics: who the stage judges).
  std::uint64_t windows_scored() const noexcept { return windows_scored_; }
  bool passed_gate() const noexcept { return passed_gate_; }
  // Every window judged so far (only with `collect`).
  const std::vector<FeatureWindow>& collected() const noexcept { return collected_; }
  // The recorder itself, for benchmarks and tests.
  CombatFeatures& features() noexcept { return features_; }

 private:
  // Without a model (and outside train / evaluate) there is nothing to
  // judge: record nothing either. A connection keeps its config for its
  // whole life, so a model loaded later never sees a half-recorded window.
  static bool active(const Settings& s) noexcept { return s.params.model != nullptr || s.params.collect; }

  engine::Verdict judge(const Settings& s, engine::Reporter& r) {
    if (!due_) return engine::Verdict::pass;
    due_ = false;
    const CombatModel* model = s.params.model.get();
    if (model == nullptr && !s.params.collect) return engine::Verdict::pass;
    // The gate first: below it the window is not even computed.
    const bool at_gate = model != nullptr && r.suspicion() >= s.params.gate;
    if (!s.params.collect && !at_gate) return engine::Verdict::pass;
    passed_gate_ = passed_gate_ || at_gate;
    const Timestamp now = r.now();
    const double window_s = model != nullptr && !s.params.collect ? model->window_s : s.params.window_s;
    const std::uint32_t min_attacks = model != nullptr && !s.params.collect ? model->min_attacks : s.params.min_attacks;
    if (features_.attacks_in_window(now, window_s) < min_attacks) return engine::Verdict::pass;
    CombatFeatureVector x = features_.compute(now, window_s);
    with_movement_evidence(x, r.movement_evidence());
    if (s.params.collect) collected_.push_back({now, x});
    if (!at_gate) return engine::Verdict::pass;
    const CombatModel::Score score = model->score(x);
    ++windows_scored_;
    const double threshold = s.params.threshold > 0 ? s.params.threshold : model->threshold;
    if (score.probability < threshold) return engine::Verdict::pass;

    std::string detail = "p " + two_decimals(score.probability) + " (threshold " + two_decimals(threshold) +
                         ", model " + model->name + " v" + std::to_string(model->version) + "):";
    std::string top_json;
    for (const std::size_t i : top_contributions<3>(score)) {
      detail += " " + std::string(kCombatFeatureNames[i]) + " " + two_decimals(x[i]);
      if (!top_json.empty()) top_json += ",";
      top_json += "\"" + std::string(kCombatFeatureNames[i]) + "\":" + std::to_string(x[i]);
    }
    std::string json = "{\"probability\":" + std::to_string(score.probability) +
                       ",\"threshold\":" + std::to_string(threshold) + ",\"model\":\"" + model->name +
                       "\",\"version\":" + std::to_string(model->version) + ",\"top\":{" + top_json + "}}";
    // Click rhythm is read in arrival time: while the proxy says it reads
    // late, the verdict is held like the other timing checks' flags.
    return r.flag_timing(kInfo, s.limits, vl_, "verdict", score.probability, std::move(detail), std::move(json));
  }

  static std::string two_decimals(double v) {
    std::array<char, 32> text{};
    std::snprintf(text.data(), text.size(), "%.2f", v);
    return text.data();
  }

  engine::ViolationLevel vl_;
  CombatFeatures features_;
  std::vector<FeatureWindow> collected_;
  std::uint64_t windows_scored_ = 0;
  bool due_ = false;  // a window is to be judged at the end of this tick
  bool passed_gate_ = false;
};

}  // namespace rustguard::checks::model
