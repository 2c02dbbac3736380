#pragma once
// One player's punishment ladders (punishment_config.hpp): fed every flag in
// the order the checks raised it, it says which steps fire. Deterministic:
// only the flags' times and VLs and the strikes it was given count, so live
// and replay fire the same steps on the same bytes.
//
// Allocates on a group's first flag only; a player who never flags costs an
// empty vector.

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "rustguard/actions/check_pattern.hpp"
#include "rustguard/actions/punishment_config.hpp"
#include "rustguard/time.hpp"

namespace rustguard::actions {

// A step that fired: the group and the step by index into the config.
struct FiredStep {
  std::size_t group = 0;
  std::size_t step = 0;
};

class PunishmentLadder {
 public:
  // A strike from an earlier session (the violation log, read at login), by
  // group name; strikes of groups the config no longer has are ignored.
  void add_prior_strike(const Punishments& config, std::string_view group, Timestamp at) {
    for (std::size_t g = 0; g < config.groups.size(); ++g) {
      if (config.groups[g].name == group) state(g).strikes.push_back(at);
    }
  }

  // A flag of check `key` reached `vl` at `now`: the steps that fire, in
  // group order and, within a group, vl steps before the strikes steps they
  // may have caused. Firing a step with `strike` adds the strike at once.
  std::vector<FiredStep> on_flag(const Punishments& config, std::string_view key, double vl, Timestamp now) {
    std::vector<FiredStep> fired;
    for (std::size_t g = 0; g < config.groups.size(); ++g) {
      const PunishmentGroup& group = config.groups[g];
      if (group.steps.empty() || !covers(group.checks, key)) continue;
      GroupState& s = state(g);
      s.remember(key, vl, now);
      const std::size_t strikes_before = s.live_strikes(now, config.strike_expiry_ms);
      for (std::size_t i = 0; i < group.steps.size(); ++i) {
        const LadderStep& step = group.steps[i];
        if (step.measure != StepMeasure::vl || s.group_vl(now, step.within_ms) < step.at) continue;
        if (!s.ready(i, now, group.cooldown_ms)) continue;
        s.fire(i, now);
        if (step.strike) s.strikes.push_back(now);
        fired.push_back({g, i});
      }
      // A strikes step fires when a strike of this flag carries the count to
      // its threshold (not on every later flag, nor at login).
      const std::size_t strikes_after = s.live_strikes(now, config.strike_expiry_ms);
      for (std::size_t i = 0; i < group.steps.size() && strikes_after > strikes_before; ++i) {
        const LadderStep& step = group.steps[i];
        if (step.measure != StepMeasure::strikes) continue;
        if (!(static_cast<double>(strikes_before) < step.at && static_cast<double>(strikes_after) >= step.at)) continue;
        s.fire(i, now);
        fired.push_back({g, i});
      }
    }
    return fired;
  }

  // The player's strikes in group `g` that have not expired at `now`.
  std::size_t strikes(const Punishments& config, std::size_t g, Timestamp now) const {
    for (const GroupState& s : groups_) {
      if (s.group == g) return s.live_strikes(now, config.strike_expiry_ms);
    }
    return 0;
  }

  // The group VL of `g` at `now` over `within_ms` (for alerts and tests).
  double group_vl(std::size_t g, Timestamp now, std::int64_t within_ms) const {
    for (const GroupState& s : groups_) {
      if (s.group == g) return s.group_vl(now, within_ms);
    }
    return 0;
  }

 private:
  struct CheckLevel {
    std::string_view key;  // points at the check's static CheckInfo key
    double vl = 0;
    Timestamp at{};
  };
  struct GroupState {
    std::size_t group = 0;
    std::vector<CheckLevel> levels;  // one per check of the group that flagged
    std::vector<std::optional<Timestamp>> last_fired;  // per step
    std::vector<Timestamp> strikes;

    void remember(std::string_view key, double vl, Timestamp now) {
      for (CheckLevel& c : levels) {
        if (c.key == key) {
          c.vl = vl;
          c.at = now;
          return;
        }
      }
      levels.push_back({key, vl, now});
    }
    double group_vl(Timestamp now, std::int64_t within_ms) const {
      double sum = 0;
      for (const CheckLevel& c : levels) {
        if (now - c.at <= millis(within_ms)) sum += c.vl;
      }
      return sum;
    }
    std::size_t live_strikes(Timestamp now, std::int64_t expiry_ms) const {
      return static_cast<std::size_t>(
          std::count_if(strikes.begin(), strikes.end(), [&](Timestamp t) { return now - t < millis(expiry_ms); }));
    }
    bool ready(std::size_t step, Timestamp now, std::int64_t cooldown_ms) const {
      return step >= last_fired.size() || !last_fired[step] || now - *last_fired[step] >= millis(cooldown_ms);
    }
    void fire(std::size_t step, Timestamp now) {
      if (last_fired.size() <= step) last_fired.resize(step + 1);
      last_fired[step] = now;
    }
  };

  GroupState& state(std::size_t g) {
    for (GroupState& s : groups_) {
      if (s.group == g) return s;
    }
    groups_.push_back({});
    groups_.back().group = g;
    return groups_.back();
  }

  std::vector<GroupState> groups_;
};

}  // namespace rustguard::actions
