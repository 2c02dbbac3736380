#pragma once
// Reads the `punishments:` section of config.yml into actions::Punishments
// (actions/punishment_config.hpp has the semantics, docs/configuration.md the
// keys). Part of config loading (config_loader.hpp includes it); the pure
// core never includes this header.
//
//   punishments:
//     strike_expiry: 7d
//     server_name: survival
//     groups:
//       combat:
//         checks: ["combat.*", "killaura.*", "!killaura.post"]
//         cooldown: 30s
//         steps:
//           - {vl: 10, within: 60s, do: [alert]}
//           - {vl: 40, strike: true, do: [{kick: "Unfair advantage (%check%)"}]}
//           - {strikes: 3, do: [{command: "ban %player% Cheating"}]}
//
// Everything a ladder could get wrong is an error here, at its line and
// column, rather than a step that silently never fires: unknown keys, a
// pattern that matches no check, a group that covers none, a step with both
// or neither of vl/strikes, a threshold not above 0, an action that needs
// text without it (or takes none with it), cancel/setback in a strikes step
// (no packet to act on), and an unknown %placeholder%. In error messages
// steps and actions are counted from 1: `punishments.groups.combat.steps[2].do[1]`.

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <climits>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "rustguard/actions/check_pattern.hpp"
#include "rustguard/actions/placeholders.hpp"
#include "rustguard/actions/punishment_config.hpp"
#include "rustguard/engine/detection_engine.hpp"

namespace rustguard::adapters::detail {

// "500ms", "30s", "10m", "2h", "7d", or a plain integer of milliseconds.
// nullopt when the text is none of those; INT64_MAX when it does not fit.
inline std::optional<std::int64_t> parse_duration_ms(std::string_view s) {
  std::int64_t v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec == std::errc::result_out_of_range) return INT64_MAX;
  if (r.ec != std::errc{} || r.ptr == s.data()) return std::nullopt;
  const std::string_view unit(r.ptr, static_cast<std::size_t>(s.data() + s.size() - r.ptr));
  std::int64_t factor = 0;
  if (unit.empty() || unit == "ms") {
    factor = 1;
  } else if (unit == "s") {
    factor = 1'000;
  } else if (unit == "m") {
    factor = 60'000;
  } else if (unit == "h") {
    factor = 3'600'000;
  } else if (unit == "d") {
    factor = 86'400'000;
  } else {
    return std::nullopt;
  }
  if (v > INT64_MAX / factor) return INT64_MAX;
  if (v < INT64_MIN / factor) return INT64_MIN;
  return v * factor;
}

// The largest unit that divides `ms` exactly: 604800000 -> "7d", 1500 -> "1500ms".
inline std::string format_duration_ms(std::int64_t ms) {
  struct Unit {
    std::int64_t factor;
    const char* suffix;
  };
  static constexpr Unit kUnits[] = {{86'400'000, "d"}, {3'600'000, "h"}, {60'000, "m"}, {1'000, "s"}};
  if (ms != 0) {
    for (const auto& u : kUnits) {
      if (ms % u.factor == 0) return std::to_string(ms / u.factor) + u.suffix;
    }
  }
  return std::to_string(ms) + "ms";
}

// A duration in milliseconds within [min_ms, max_ms].
template <class Reader>
std::int64_t read_duration_ms(const Reader& r, const YAML::Node& n, const std::string& key, std::int64_t min_ms,
                              std::int64_t max_ms) {
  if (!n.IsScalar()) r.fail(n, key, "expected a duration such as 500ms, 30s, 10m, 2h or 7d");
  const std::string& s = n.Scalar();
  const auto ms = parse_duration_ms(s);
  if (!ms) r.fail(n, key, "expected a duration such as 500ms, 30s, 10m, 2h, 7d or milliseconds, got '" + s + "'");
  if (*ms < min_ms || *ms > max_ms) {
    r.fail(n, key,
           "must be between " + format_duration_ms(min_ms) + " and " + format_duration_ms(max_ms) + ", got " + s);
  }
  return *ms;
}

// Rejects a %word% that is not a placeholder (actions/placeholders.hpp;
// %Player% included: names are lower case). A `%` that does not open a
// %word% (e.g. "100% sure") is text.
template <class Reader>
void check_placeholders(const Reader& r, const YAML::Node& n, const std::string& key, std::string_view text) {
  const std::string_view unknown = actions::unknown_placeholder(text);
  if (unknown.empty()) return;
  std::string names;
  for (std::string_view p : actions::kPlaceholders) {
    names += names.empty() ? "%" : " %";
    names += std::string(p) + "%";
  }
  r.fail(n, key, "unknown placeholder " + std::string(unknown) + "; known: " + names);
}

template <class Reader>
std::vector<actions::CheckPattern> read_check_patterns(const Reader& r, const YAML::Node& n, const std::string& key,
                                                       const std::vector<std::string>& known_keys) {
  if (!n.IsSequence() || n.size() == 0) {
    r.fail(n, key, "expected a non-empty list of check keys such as [\"combat.*\", \"!combat.hitbox\"]");
  }
  std::vector<actions::CheckPattern> out;
  for (const auto& item : n) {
    const std::string s = r.text(item, key);
    actions::CheckPattern p;
    p.exclude = !s.empty() && s.front() == '!';
    p.pattern = p.exclude ? s.substr(1) : s;
    if (p.pattern.empty()) r.fail(item, key, "empty check pattern");
    bool matches = false;
    for (const auto& k : known_keys) matches = matches || actions::wildcard_match(p.pattern, k);
    if (!matches) r.fail(item, key, "'" + s + "' matches no check (check keys are listed in docs/checks.md)");
    out.push_back(std::move(p));
  }
  bool any = false;
  for (const auto& k : known_keys) any = any || actions::covers(out, k);
  if (!any) r.fail(n, key, "the patterns leave no check in the group");
  return out;
}

template <class Reader>
actions::ActionSpec read_action(const Reader& r, const YAML::Node& n, const std::string& key,
                                actions::StepMeasure measure) {
  static constexpr std::pair<std::string_view, actions::ActionType> kTypes[] = {
      {"alert", actions::ActionType::alert},
      {"cancel", actions::ActionType::cancel},
      {"setback", actions::ActionType::setback},
      {"kick", actions::ActionType::kick},
      {"command", actions::ActionType::command}};
  const char* const kExpected = "expected alert, cancel, setback, kick, or {alert|kick|command: text}";
  // reset(), not =: assigning a YAML::Node assigns the node it refers to.
  YAML::Node name_node;
  YAML::Node text_node;
  bool has_text = false;
  if (n.IsScalar()) {
    name_node.reset(n);
  } else if (n.IsMap() && n.size() == 1) {
    name_node.reset(n.begin()->first);
    text_node.reset(n.begin()->second);
    has_text = true;
  } else if (n.IsMap()) {
    r.fail(n, key, "one action per entry: write each {name: text} as its own list item");
  } else {
    r.fail(n, key, kExpected);
  }
  const std::string name = r.text(name_node, key);
  actions::ActionSpec out;
  bool found = false;
  for (const auto& [word, type] : kTypes) {
    if (word == name) {
      out.type = type;
      found = true;
    }
  }
  if (!found) r.fail(name_node, key, std::string(kExpected) + ", got '" + name + "'");
  const bool packet_bound = out.type == actions::ActionType::cancel || out.type == actions::ActionType::setback;
  if (packet_bound && measure == actions::StepMeasure::strikes) {
    r.fail(name_node, key, name + " acts on the packet that flagged: a strikes step has none (use it in a vl step)");
  }
  if (has_text) {
    if (packet_bound) r.fail(text_node, key, name + " takes no text");
    out.text = r.text(text_node, key);
    if (out.text.size() > 4096) r.fail(text_node, key, "longer than 4096 bytes");
    check_placeholders(r, text_node, key, out.text);
  }
  if (out.type == actions::ActionType::command && out.text.empty()) {
    r.fail(has_text ? text_node : name_node, key,
           "command needs the console command to run, e.g. {command: \"kick %player% cheating\"}");
  }
  return out;
}

template <class Reader>
actions::LadderStep read_ladder_step(const Reader& r, const YAML::Node& n, const std::string& key) {
  r.only_keys(n, key, {"vl", "strikes", "within", "strike", "do"});
  actions::LadderStep out;
  const YAML::Node vl = n["vl"];
  const YAML::Node strikes = n["strikes"];
  if (vl && strikes) r.fail(strikes, key + ".strikes", "a step fires on vl or on strikes, not both");
  if (!vl && !strikes) r.fail(n, key, "a step needs vl: or strikes:");
  if (vl) {
    out.measure = actions::StepMeasure::vl;
    out.at = r.number(vl, key + ".vl", -1e12, 1e12);
    if (out.at <= 0) r.fail(vl, key + ".vl", "must be above 0, got " + vl.Scalar());
  } else {
    out.measure = actions::StepMeasure::strikes;
    const int at = r.template integer<int>(strikes, key + ".strikes", INT_MIN, INT_MAX);
    if (at <= 0) r.fail(strikes, key + ".strikes", "must be above 0, got " + strikes.Scalar());
    out.at = at;
  }
  if (auto v = n["within"]) {
    if (!vl) r.fail(v, key + ".within", "only a vl step has a window (strikes expire after strike_expiry)");
    out.within_ms = read_duration_ms(r, v, key + ".within", 1, 86'400'000);
  }
  if (auto v = n["strike"]) out.strike = r.boolean(v, key + ".strike");
  const YAML::Node actions_node = n["do"];
  if (!actions_node) r.fail(n, key + ".do", "a step needs do: (the actions it fires)");
  if (!actions_node.IsSequence() || actions_node.size() == 0) {
    r.fail(actions_node, key + ".do", "expected a non-empty list of actions such as [alert] or [{kick: text}]");
  }
  for (std::size_t i = 0; i < actions_node.size(); ++i) {
    out.actions.push_back(read_action(r, actions_node[i], key + ".do[" + std::to_string(i + 1) + "]", out.measure));
  }
  return out;
}

template <class Reader>
actions::PunishmentGroup read_punishment_group(const Reader& r, const YAML::Node& name_node, const YAML::Node& n,
                                               const std::string& key, const std::vector<std::string>& known_keys) {
  actions::PunishmentGroup out;
  out.name = r.text(name_node, key);
  if (out.name.empty()) r.fail(name_node, key, "a group needs a name");
  if (!n || n.IsNull() || (n.IsMap() && n.size() == 0))
    r.fail(name_node, key, "empty group: it needs checks and steps");
  r.only_keys(n, key, {"checks", "cooldown", "steps"});
  const YAML::Node checks = n["checks"];
  if (!checks) r.fail(n, key + ".checks", "a group needs checks: (the check keys it covers)");
  out.checks = read_check_patterns(r, checks, key + ".checks", known_keys);
  if (auto v = n["cooldown"]) out.cooldown_ms = read_duration_ms(r, v, key + ".cooldown", 0, 86'400'000);
  const YAML::Node steps = n["steps"];
  if (!steps) r.fail(n, key + ".steps", "a group needs steps: (its ladder)");
  if (!steps.IsSequence() || steps.size() == 0) r.fail(steps, key + ".steps", "expected a non-empty list of steps");
  for (std::size_t i = 0; i < steps.size(); ++i) {
    out.steps.push_back(read_ladder_step(r, steps[i], key + ".steps[" + std::to_string(i + 1) + "]"));
  }
  return out;
}

// Fills out.punishments; the check keys the patterns may name are the engine's.
template <class Reader>
void read_punishments(const Reader& r, const YAML::Node& section, engine::EngineConfig& out) {
  if (!section || section.IsNull()) return;
  r.only_keys(section, "punishments", {"strike_expiry", "strike_sync", "server_name", "groups"});
  std::vector<std::string> known_keys;
  out.for_each_limits([&](const engine::CheckInfo& info, auto&) { known_keys.emplace_back(info.key); });
  actions::Punishments p;
  if (auto v = section["strike_expiry"]) {
    p.strike_expiry_ms = read_duration_ms(r, v, "punishments.strike_expiry", 1'000, 3650LL * 86'400'000);
  }
  if (auto v = section["strike_sync"]) {
    // Below 200 ms the fleet's readers would query the store faster than
    // its writers commit (violation_log.flush_interval); above an hour a
    // cheater outruns his strikes by hopping instances.
    p.strike_sync_ms = read_duration_ms(r, v, "punishments.strike_sync", 200, 3'600'000);
  }
  if (auto v = section["server_name"]) {
    p.server_name = r.text(v, "punishments.server_name");
    if (p.server_name.size() > 256) r.fail(v, "punishments.server_name", "longer than 256 bytes");
  }
  if (auto groups = section["groups"]; groups && !groups.IsNull()) {
    if (!groups.IsMap()) r.fail(groups, "punishments.groups", "expected a mapping of group names to groups");
    for (const auto& kv : groups) {
      const std::string key = "punishments.groups." + r.text(kv.first, "punishments.groups");
      for (const auto& g : p.groups) {
        if ("punishments.groups." + g.name == key) r.fail(kv.first, key, "duplicate key");
      }
      p.groups.push_back(read_punishment_group(r, kv.first, kv.second, key, known_keys));
    }
  }
  out.punishments = std::move(p);
}

}  // namespace rustguard::adapters::detail
