#pragma once
// What every check declares about itself: a stable key (the config section
// `checks.<key>` and the Violation::check value), a display name, a one-line
// description, a cost class, and the defaults of the settings every check
// shares. Check-specific numbers live in the check's own Params struct.
//
// checks/api/ is everything a check may include besides context/ and
// protocol/: this, CheckSettings, the Reporter, the Verdict, ViolationLevel
// and the engine's events. It sits below the checks; the engine
// (engine/) sits above them. The names stay in rustguard::engine: they are
// the engine's contract with its checks.

#include <cstdint>
#include <string_view>

namespace rustguard::engine {

// cheap: runs on every packet it reads. heavy: runs only while the player's
// suspicion score is at or above the engine's gate (quick checks first,
// expensive analysis only for players that already look wrong).
enum class CostClass : std::uint8_t { cheap, heavy };

// Settings every check has; `checks.<key>.<field>` in config.yml.
struct CheckLimits {
  bool enabled = true;
  double alert_vl = 10;         // violations at or above this VL are reported as alerts
  double decay_per_second = 1;  // VL lost per second without a flag
  double cancel_vl = 0;         // 0 = never; at or above: drop the offending packet
  double kick_vl = 0;           // 0 = never; at or above: kick
  double setback_vl = 0;        // 0 = never; at or above: ask the session to set the player back
  friend constexpr bool operator==(const CheckLimits&, const CheckLimits&) = default;

  // Every field by its config name (checks.<key>.<name>), for the loader.
  template <class F>
  void visit(F&& f) {
    f("enabled", enabled);
    f("alert_vl", alert_vl);
    f("decay_per_second", decay_per_second);
    f("cancel_vl", cancel_vl);
    f("kick_vl", kick_vl);
    f("setback_vl", setback_vl);
  }
};

struct CheckInfo {
  std::string_view key;          // "movement.speed"
  std::string_view name;         // "Speed"
  std::string_view description;  // one line for docs and alerts
  CostClass cost = CostClass::cheap;
  CheckLimits defaults{};
};

}  // namespace rustguard::engine
