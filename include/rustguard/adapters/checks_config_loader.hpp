#pragma once
// Reads the `checks:` section of config.yml into the engine's configuration.
// Part of config loading (config_loader.hpp includes it); the pure core never
// includes this header.
//
// The section mirrors the check keys: `movement.speed` is
//   checks:
//     movement:
//       speed: {alert_vl: 10, tolerance: 0.001, ...}
// and `checks.engine` holds the engine's own settings. A check's node takes
// the limits every check has (enabled, alert_vl, decay_per_second, cancel_vl,
// kick_vl, setback_vl) and its own parameters; a group's node holds its
// checks (`timer` holds `balance` and `negative`). Unknown keys are errors.

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "rustguard/engine/detection_engine.hpp"

namespace rustguard::adapters::detail {

// Split "movement.speed" into its segments.
inline std::vector<std::string> key_segments(std::string_view key) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const auto dot = key.find('.', start);
    out.emplace_back(key.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) return out;
    start = dot + 1;
  }
}

template <class Reader, class T>
void read_check_field(const Reader& r, const YAML::Node& n, const std::string& key, T& value) {
  if constexpr (std::is_same_v<T, bool>) {
    if (!n.IsScalar() || (n.Scalar() != "true" && n.Scalar() != "false")) r.fail(n, key, "expected true or false");
    value = n.Scalar() == "true";
  } else if constexpr (std::is_floating_point_v<T>) {
    value = static_cast<T>(r.number(n, key, -1e12, 1e12));
  } else if constexpr (std::is_same_v<T, std::string>) {
    value = r.text(n, key);
  } else {
    value = r.template integer<T>(n, key, 0, static_cast<T>(INT32_MAX));
  }
}

template <class Reader>
void read_checks(const Reader& r, const YAML::Node& section, engine::EngineConfig& out) {
  if (!section || section.IsNull()) return;
  // Every settable leaf: its dotted path under checks. and how to read it.
  struct Leaf {
    std::vector<std::string> path;  // segments of the node holding the field
    std::string field;
    std::function<void(const YAML::Node&, const std::string&)> read;
  };
  std::vector<Leaf> leaves;
  auto add_fields = [&](std::vector<std::string> path, auto& fields) {
    // Checks without parameters have an empty Params with no visit().
    if constexpr (requires { fields.visit([](const char*, auto&) {}); }) {
      fields.visit([&](const char* name, auto& value) {
        leaves.push_back({path, name, [&r, &value](const YAML::Node& n, const std::string& key) {
                            read_check_field(r, n, key, value);
                          }});
      });
    }
  };
  add_fields({"engine"}, out.engine);
  out.for_each_settings([&](const engine::CheckInfo& info, auto& settings) {
    const auto path = key_segments(info.key);
    add_fields(path, settings.limits);
    add_fields(path, settings.params);
  });

  // Walk the YAML tree; at each node only the fields of a check at that path
  // and the first segments of deeper checks are allowed.
  std::function<void(const YAML::Node&, std::vector<std::string>&)> walk = [&](const YAML::Node& node,
                                                                               std::vector<std::string>& path) {
    std::string prefix = "checks";
    for (const auto& p : path) prefix += "." + p;
    if (!node.IsMap()) r.fail(node, prefix, "expected a mapping");
    for (const auto& kv : node) {
      const std::string name = kv.first.template as<std::string>();
      const std::string key = prefix + "." + name;
      bool handled = false;
      for (const auto& leaf : leaves) {
        if (leaf.path == path && leaf.field == name) {
          leaf.read(kv.second, key);
          handled = true;
          break;
        }
      }
      if (handled) continue;
      bool deeper = false;
      for (const auto& leaf : leaves) {
        deeper = deeper || (leaf.path.size() > path.size() &&
                            std::equal(path.begin(), path.end(), leaf.path.begin()) && leaf.path[path.size()] == name);
      }
      if (!deeper) r.fail(kv.first, key, "unknown key");
      path.push_back(name);
      walk(kv.second, path);
      path.pop_back();
    }
  };
  std::vector<std::string> root;
  walk(section, root);
}

}  // namespace rustguard::adapters::detail
