#pragma once
// The combat model's file (checks/model/combat_model.hpp) as YAML: read by
// the config loader (checks.model.combat.model_file) and the replay tool,
// written by `rustguard-replay train` and `evaluate` (which records the
// threshold it chose).
//
//   format: rustguard-combat-model/1
//   name: m1
//   version: 1
//   threshold: 0.5
//   window_s: 10
//   min_attacks: 15
//   trained: "seed 1, ..."
//   features:            # one entry per feature, in the build's order
//     - {name: cps, mean: 9.1, scale: 2.3, weight: 0.8}
//   bias: -2.1
//
// Every mistake is an error naming the file, line and column; a file whose
// feature names differ from this build's is refused (it was trained on other
// features), as is a format this build does not read. Numbers are written
// with 17 significant digits, so a written model reads back bit for bit.

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "rustguard/checks/model/combat_features.hpp"
#include "rustguard/checks/model/combat_model.hpp"

namespace rustguard::adapters {

inline constexpr std::string_view kCombatModelFormat = "rustguard-combat-model/1";

class ModelFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {

inline std::string model_where(const std::string& source, const YAML::Node& n) {
  const YAML::Mark m = n.Mark();
  if (m.line < 0) return source;
  return source + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
}

[[noreturn]] inline void model_fail(const std::string& source, const YAML::Node& n, const std::string& what) {
  throw ModelFileError(model_where(source, n) + ": " + what);
}

inline const YAML::Node model_key(const std::string& source, const YAML::Node& map, const char* key) {
  const YAML::Node n = map[key];
  if (!n) model_fail(source, map, std::string("missing key '") + key + "'");
  return n;
}

inline double model_number(const std::string& source, const YAML::Node& n, const char* what) {
  double v = 0;
  try {
    v = n.as<double>();
  } catch (const YAML::Exception&) {
    model_fail(source, n, std::string(what) + ": expected a number");
  }
  if (!std::isfinite(v)) model_fail(source, n, std::string(what) + ": not a finite number");
  return v;
}

inline std::string number_text(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace detail

// Parses a model from YAML text; `source` names it in errors.
inline checks::model::CombatModel parse_combat_model(const std::string& text, const std::string& source) {
  using checks::model::kCombatFeatureCount;
  using checks::model::kCombatFeatureNames;
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw ModelFileError(source + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
                         ": " + e.msg);
  }
  if (!root.IsMap()) throw ModelFileError(source + ": expected a mapping (a model file from rustguard-replay train)");
  try {
    checks::model::CombatModel m;
    const YAML::Node format = detail::model_key(source, root, "format");
    if (format.as<std::string>() != kCombatModelFormat) {
      detail::model_fail(source, format, "format '" + format.as<std::string>() + "' is not " +
                                             std::string(kCombatModelFormat) + ", the one this build reads");
    }
    const YAML::Node name = detail::model_key(source, root, "name");
    m.name = name.as<std::string>();
    for (const char c : m.name) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '_' || c == '.';
      if (!ok || m.name.size() > 64) detail::model_fail(source, name, "name: letters, digits, '-', '_', '.' only");
    }
    const YAML::Node version = detail::model_key(source, root, "version");
    const double v = detail::model_number(source, version, "version");
    if (v < 0 || v > 1e9 || v != std::floor(v)) detail::model_fail(source, version, "version: a whole number");
    m.version = static_cast<std::uint32_t>(v);
    const YAML::Node threshold = detail::model_key(source, root, "threshold");
    m.threshold = detail::model_number(source, threshold, "threshold");
    if (m.threshold <= 0 || m.threshold >= 1) detail::model_fail(source, threshold, "threshold: between 0 and 1");
    m.window_s = detail::model_number(source, detail::model_key(source, root, "window_s"), "window_s");
    m.min_attacks = static_cast<std::uint32_t>(
        detail::model_number(source, detail::model_key(source, root, "min_attacks"), "min_attacks"));
    if (const YAML::Node t = root["trained"]) m.trained = t.as<std::string>();
    m.bias = detail::model_number(source, detail::model_key(source, root, "bias"), "bias");
    const YAML::Node features = detail::model_key(source, root, "features");
    if (!features.IsSequence() || features.size() != kCombatFeatureCount) {
      detail::model_fail(source, features,
                         "features: expected " + std::to_string(kCombatFeatureCount) +
                             " entries, the features of this build (the model was trained on others)");
    }
    for (std::size_t i = 0; i < kCombatFeatureCount; ++i) {
      const YAML::Node f = features[i];
      const YAML::Node fname = detail::model_key(source, f, "name");
      if (fname.as<std::string>() != kCombatFeatureNames[i]) {
        detail::model_fail(source, fname,
                           "feature " + std::to_string(i) + " is '" + fname.as<std::string>() + "', this build's is '" +
                               std::string(kCombatFeatureNames[i]) + "' (the model was trained on other features)");
      }
      m.mean[i] = detail::model_number(source, detail::model_key(source, f, "mean"), "mean");
      const YAML::Node scale = detail::model_key(source, f, "scale");
      m.scale[i] = detail::model_number(source, scale, "scale");
      if (!(m.scale[i] > 0)) detail::model_fail(source, scale, "scale: must be above 0");
      m.weight[i] = detail::model_number(source, detail::model_key(source, f, "weight"), "weight");
    }
    return m;
  } catch (const YAML::Exception& e) {
    throw ModelFileError(source + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
                         ": " + e.msg);
  }
}

// Reads a model file. Throws ModelFileError.
inline checks::model::CombatModel read_combat_model(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ModelFileError(path + ": cannot open the model file");
  std::stringstream text;
  text << in.rdbuf();
  return parse_combat_model(text.str(), path);
}

inline std::string format_combat_model(const checks::model::CombatModel& m) {
  std::string out;
  out += "# A RustGuard combat model (checks.model.combat.model_file); written by rustguard-replay.\n";
  out += "format: " + std::string(kCombatModelFormat) + "\n";
  out += "name: " + m.name + "\n";
  out += "version: " + std::to_string(m.version) + "\n";
  out += "threshold: " + detail::number_text(m.threshold) + "\n";
  out += "window_s: " + detail::number_text(m.window_s) + "\n";
  out += "min_attacks: " + std::to_string(m.min_attacks) + "\n";
  YAML::Emitter trained;
  trained << YAML::DoubleQuoted << m.trained;
  out += "trained: " + std::string(trained.c_str()) + "\n";
  out += "bias: " + detail::number_text(m.bias) + "\n";
  out += "features:\n";
  for (std::size_t i = 0; i < checks::model::kCombatFeatureCount; ++i) {
    out += "  - {name: " + std::string(checks::model::kCombatFeatureNames[i]) +
           ", mean: " + detail::number_text(m.mean[i]) + ", scale: " + detail::number_text(m.scale[i]) +
           ", weight: " + detail::number_text(m.weight[i]) + "}\n";
  }
  return out;
}

// Writes the model; throws std::runtime_error when the file cannot be written.
inline void write_combat_model(const checks::model::CombatModel& m, const std::string& path) {
  const std::string tmp = path + ".part";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << format_combat_model(m);
    if (!out.flush()) throw std::runtime_error(path + ": cannot write the model file");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw std::runtime_error(path + ": cannot write the model file");
}

}  // namespace rustguard::adapters
