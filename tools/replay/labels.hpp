#pragma once
// Labels for the model stage: which player in which capture was honest and
// which cheated, and how. `rustguard-replay label` adds or changes an entry,
// `train` and `evaluate` read them (docs/model.md).
//
//   sessions:
//     - capture: model/m01-1.21.4.pcap  # relative to the labels file's folder's parent
//       player: m01_hn1                 #   (captures/model/train.yml -> captures/)
//       label: honest                   # honest | cheat
//       kind: honest_novice             # what it did; evaluate breaks recall down by it
//       latency_ms: 150                 # optional, shown in the breakdowns
//       from_s: 0                       # optional: seconds since the player's connection started
//       to_s: 60                        # optional
//
// A capture path is taken relative to the folder above the labels file's
// own (captures/model/train.yml names captures/model/x.pcap as
// model/x.pcap), or as given when absolute. Errors name the file, line and
// column.

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace rustguard::replay {

struct Label {
  std::string capture;  // as written in the file
  std::string player;
  bool cheat = false;
  std::string kind;
  std::optional<double> latency_ms;
  std::optional<double> from_s;
  std::optional<double> to_s;

  // Whether a window ending `seconds` after the connection started counts.
  bool covers(double seconds) const noexcept {
    return (!from_s || seconds >= *from_s) && (!to_s || seconds <= *to_s);
  }
};

struct LabelSet {
  std::filesystem::path file;  // where it was read from (captures resolve against it)
  std::vector<Label> sessions;

  std::filesystem::path capture_path(const Label& l) const {
    const std::filesystem::path p(l.capture);
    if (p.is_absolute()) return p;
    return file.parent_path().parent_path() / p;
  }
};

class LabelError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {

[[noreturn]] inline void label_fail(const std::string& file, const YAML::Node& n, const std::string& what) {
  const YAML::Mark m = n.Mark();
  if (m.line < 0) throw LabelError(file + ": " + what);
  throw LabelError(file + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1) + ": " + what);
}

inline std::optional<double> label_number(const std::string& file, const YAML::Node& map, const char* key) {
  const YAML::Node n = map[key];
  if (!n) return std::nullopt;
  double v = 0;
  try {
    v = n.as<double>();
  } catch (const YAML::Exception&) {
    label_fail(file, n, std::string(key) + ": expected a number");
  }
  if (!std::isfinite(v) || v < 0) label_fail(file, n, std::string(key) + ": expected a number >= 0");
  return v;
}

inline std::string label_text(const std::string& file, const YAML::Node& map, const char* key) {
  const YAML::Node n = map[key];
  if (!n || !n.IsScalar() || n.Scalar().empty()) label_fail(file, map, std::string("missing '") + key + "'");
  return n.Scalar();
}

}  // namespace detail

inline LabelSet parse_labels(const std::string& text, const std::filesystem::path& file) {
  const std::string name = file.string();
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw LabelError(name + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) + ": " +
                     e.msg);
  }
  LabelSet set;
  set.file = file;
  if (!root || root.IsNull()) return set;
  if (!root.IsMap()) detail::label_fail(name, root, "expected a mapping with 'sessions'");
  for (const auto& kv : root) {
    if (kv.first.Scalar() != "sessions") detail::label_fail(name, kv.first, "unknown key '" + kv.first.Scalar() + "'");
  }
  const YAML::Node sessions = root["sessions"];
  if (!sessions || sessions.IsNull()) return set;
  if (!sessions.IsSequence()) detail::label_fail(name, sessions, "sessions: expected a list");
  static const char* const kKeys[] = {"capture", "player", "label", "kind", "latency_ms", "from_s", "to_s"};
  for (const YAML::Node& s : sessions) {
    if (!s.IsMap()) detail::label_fail(name, s, "a session is a mapping");
    for (const auto& kv : s) {
      bool known = false;
      for (const char* k : kKeys) known = known || kv.first.Scalar() == k;
      if (!known) detail::label_fail(name, kv.first, "unknown key '" + kv.first.Scalar() + "'");
    }
    Label l;
    l.capture = detail::label_text(name, s, "capture");
    l.player = detail::label_text(name, s, "player");
    const std::string label = detail::label_text(name, s, "label");
    if (label != "honest" && label != "cheat") detail::label_fail(name, s["label"], "label: honest or cheat");
    l.cheat = label == "cheat";
    l.kind = s["kind"] ? detail::label_text(name, s, "kind") : label;
    l.latency_ms = detail::label_number(name, s, "latency_ms");
    l.from_s = detail::label_number(name, s, "from_s");
    l.to_s = detail::label_number(name, s, "to_s");
    if (l.from_s && l.to_s && *l.to_s < *l.from_s) detail::label_fail(name, s["to_s"], "to_s: before from_s");
    for (const Label& other : set.sessions) {
      if (other.capture == l.capture && other.player == l.player) {
        detail::label_fail(name, s, l.player + " in " + l.capture + " is labelled twice");
      }
    }
    set.sessions.push_back(std::move(l));
  }
  return set;
}

// Reads a labels file; a file that does not exist is an empty set (so
// `label` can start one). Throws LabelError.
inline LabelSet read_labels(const std::filesystem::path& file, bool must_exist = true) {
  std::ifstream in(file);
  if (!in) {
    if (must_exist) throw LabelError(file.string() + ": cannot open the labels file");
    LabelSet empty;
    empty.file = file;
    return empty;
  }
  std::stringstream text;
  text << in.rdbuf();
  return parse_labels(text.str(), file);
}

inline std::string format_labels(const LabelSet& set) {
  auto number = [](double v) {
    std::ostringstream o;
    o << v;
    return o.str();
  };
  std::string out = "# Labelled sessions for rustguard-replay train / evaluate (docs/model.md).\nsessions:\n";
  for (const Label& l : set.sessions) {
    YAML::Emitter capture, player, kind;
    capture << l.capture;
    player << l.player;
    kind << l.kind;
    out += "  - capture: " + std::string(capture.c_str()) + "\n";
    out += "    player: " + std::string(player.c_str()) + "\n";
    out += std::string("    label: ") + (l.cheat ? "cheat" : "honest") + "\n";
    out += "    kind: " + std::string(kind.c_str()) + "\n";
    if (l.latency_ms) out += "    latency_ms: " + number(*l.latency_ms) + "\n";
    if (l.from_s) out += "    from_s: " + number(*l.from_s) + "\n";
    if (l.to_s) out += "    to_s: " + number(*l.to_s) + "\n";
  }
  return out;
}

// Adds `l`, or replaces the entry for the same capture and player.
inline void upsert_label(LabelSet& set, Label l) {
  for (Label& existing : set.sessions) {
    if (existing.capture == l.capture && existing.player == l.player) {
      existing = std::move(l);
      return;
    }
  }
  set.sessions.push_back(std::move(l));
}

inline void write_labels(const LabelSet& set) {
  const std::string tmp = set.file.string() + ".part";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << format_labels(set);
    if (!out.flush()) throw LabelError(set.file.string() + ": cannot write the labels file");
  }
  std::filesystem::rename(tmp, set.file);
}

}  // namespace rustguard::replay
