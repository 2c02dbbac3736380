#pragma once
// Expectations for a regression capture (captures/<name>.expect) and the
// comparison of a replay against them. Plain text, one statement per line,
// '#' starts a comment:
//
//   players 2                          exactly this many player connections
//   player NAME [protocol=N] [serverbound>=N] [clientbound>=N] [KIND>=N]...
//                                      NAME is in the capture, with at least
//                                      these packet counts (KIND: a packet kind
//                                      such as set_position_c2s, both directions)
//   clean NAME                         no violation at or above its check's alert threshold
//   flag NAME CHECK [vl>=X] [count>=N] CHECK flagged NAME (reaching VL X, N times;
//                                      with neither, at least once)
//   set KEY=VALUE                      replay this capture with a config override
//                                      (as --set); say why in a comment
//
// A player who appears in several connections (both legs of a proxy capture)
// is judged on the sum of its connections.

#include <fmt/core.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "replay/replay_report.hpp"

namespace rustguard::replay {

struct PlayerExpectation {
  std::string name;
  std::optional<std::int32_t> protocol;
  std::map<std::string, std::uint64_t> at_least;  // "serverbound", "clientbound" or a packet kind
};

struct FlagExpectation {
  std::string name;
  std::string check;
  double min_vl = 0;
  std::uint64_t min_count = 1;
};

struct Expectations {
  std::optional<std::uint64_t> players;
  std::vector<PlayerExpectation> present;
  std::vector<std::string> clean;
  std::vector<FlagExpectation> flagged;
  std::vector<std::pair<std::string, std::string>> overrides;  // set KEY=VALUE
};

struct ExpectationsError {
  int line = 0;
  std::string message;
};

namespace detail {

inline std::vector<std::string_view> split_words(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

template <class Number>
bool parse_number(std::string_view text, Number& out) {
  // libstdc++ 11+ has from_chars for double too.
  const auto r = std::from_chars(text.data(), text.data() + text.size(), out);
  return r.ec == std::errc{} && r.ptr == text.data() + text.size();
}

// "key>=value" or "key=value".
struct Condition {
  std::string_view key;
  std::string_view op;
  std::string_view value;
};
inline std::optional<Condition> parse_condition(std::string_view word) {
  const auto ge = word.find(">=");
  if (ge != std::string_view::npos && ge > 0) return Condition{word.substr(0, ge), ">=", word.substr(ge + 2)};
  const auto eq = word.find('=');
  if (eq != std::string_view::npos && eq > 0) return Condition{word.substr(0, eq), "=", word.substr(eq + 1)};
  return std::nullopt;
}

}  // namespace detail

// Parses the text of an expectations file; the error names the line.
inline std::optional<ExpectationsError> parse_expectations(std::string_view text, Expectations& out) {
  int line_no = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    ++line_no;
    if (const auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    const auto words = detail::split_words(line);
    if (words.empty()) continue;
    auto fail = [&](std::string message) { return ExpectationsError{line_no, std::move(message)}; };
    const std::string_view verb = words[0];
    if (verb == "players") {
      std::uint64_t n = 0;
      if (words.size() != 2 || !detail::parse_number(words[1], n)) return fail("expected: players N");
      out.players = n;
    } else if (verb == "player") {
      if (words.size() < 2) return fail("expected: player NAME [protocol=N] [serverbound>=N] [KIND>=N]...");
      PlayerExpectation p{std::string(words[1]), std::nullopt, {}};
      for (std::size_t i = 2; i < words.size(); ++i) {
        const auto c = detail::parse_condition(words[i]);
        if (!c) return fail(fmt::format("'{}': expected KEY>=N or protocol=N", words[i]));
        if (c->key == "protocol" && c->op == "=") {
          std::int32_t v = 0;
          if (!detail::parse_number(c->value, v)) return fail(fmt::format("'{}': not a number", c->value));
          p.protocol = v;
        } else if (c->op == ">=") {
          std::uint64_t v = 0;
          if (!detail::parse_number(c->value, v)) return fail(fmt::format("'{}': not a count", c->value));
          p.at_least[std::string(c->key)] = v;
        } else {
          return fail(fmt::format("'{}': only protocol=N and KEY>=N are known", words[i]));
        }
      }
      out.present.push_back(std::move(p));
    } else if (verb == "clean") {
      if (words.size() != 2) return fail("expected: clean NAME");
      out.clean.emplace_back(words[1]);
    } else if (verb == "flag") {
      if (words.size() < 3) return fail("expected: flag NAME CHECK [vl>=X] [count>=N]");
      FlagExpectation f{std::string(words[1]), std::string(words[2]), 0, 1};
      for (std::size_t i = 3; i < words.size(); ++i) {
        const auto c = detail::parse_condition(words[i]);
        const bool ok = c && c->op == ">=" &&
                        ((c->key == "vl" && detail::parse_number(c->value, f.min_vl)) ||
                         (c->key == "count" && detail::parse_number(c->value, f.min_count)));
        if (!ok) return fail(fmt::format("'{}': expected vl>=X or count>=N", words[i]));
      }
      out.flagged.push_back(std::move(f));
    } else if (verb == "set") {
      const auto eq = words.size() == 2 ? words[1].find('=') : std::string_view::npos;
      if (eq == std::string_view::npos || eq == 0) return fail("expected: set KEY=VALUE");
      out.overrides.emplace_back(std::string(words[1].substr(0, eq)), std::string(words[1].substr(eq + 1)));
    } else {
      return fail(fmt::format("unknown statement '{}' (players, player, clean, flag, set)", verb));
    }
  }
  return std::nullopt;
}

inline std::optional<ExpectationsError> load_expectations(const std::string& path, Expectations& out) {
  std::ifstream in(path);
  if (!in) return ExpectationsError{0, "cannot open the file"};
  std::ostringstream text;
  text << in.rdbuf();
  return parse_expectations(text.str(), out);
}

// A player's connections in one capture, summed.
struct PlayerTotals {
  std::uint64_t connections = 0;
  std::vector<std::int32_t> protocols;
  std::map<std::string, std::uint64_t> counts;  // serverbound, clientbound, kinds
  std::map<std::string, CheckTally> checks;
  std::vector<std::string> problems;  // closed by the core, stream cut short
};

inline std::map<std::string, PlayerTotals> totals_by_player(const CaptureReport& r) {
  std::map<std::string, PlayerTotals> out;
  for (const PlayerReport& p : r.players) {
    PlayerTotals& t = out[p.name];
    ++t.connections;
    t.protocols.push_back(p.protocol);
    t.counts["serverbound"] += p.packets_serverbound;
    t.counts["clientbound"] += p.packets_clientbound;
    for (const auto& [kind, n] : p.kinds) t.counts[kind] += n;
    for (const auto& [key, c] : p.checks) {
      CheckTally& sum = t.checks[key];
      sum.count += c.count;
      sum.alerts += c.alerts;
      sum.max_vl = std::max(sum.max_vl, c.max_vl);
    }
    if (!p.closed_by_core.empty()) t.problems.push_back("closed by the core: " + p.closed_by_core);
    if (!p.stream_problem.empty()) t.problems.push_back(p.stream_problem);
  }
  return out;
}

// Compares; returns one readable line per difference ("- expected ..., + got ...").
inline std::vector<std::string> compare(const Expectations& e, const CaptureReport& r) {
  std::vector<std::string> diff;
  const auto players = totals_by_player(r);
  auto names = [&] {
    std::string s;
    for (const auto& [name, t] : players) s += (s.empty() ? "" : ", ") + (name.empty() ? std::string("?") : name);
    return s.empty() ? std::string("none") : s;
  };
  for (const std::string& err : r.totals.errors) diff.push_back("! capture error: " + err);
  if (e.players && *e.players != r.players.size()) {
    diff.push_back(fmt::format("- expected {} player connection(s)\n  + got {} ({})", *e.players, r.players.size(),
                               names()));
  }
  for (const PlayerExpectation& p : e.present) {
    const auto it = players.find(p.name);
    if (it == players.end()) {
      diff.push_back(fmt::format("- expected player {}\n  + not in the capture (players: {})", p.name, names()));
      continue;
    }
    const PlayerTotals& t = it->second;
    if (p.protocol) {
      for (const std::int32_t got : t.protocols) {
        if (got != *p.protocol) diff.push_back(fmt::format("- {}: expected protocol {}\n  + got {}", p.name, *p.protocol, got));
      }
    }
    for (const auto& [key, min] : p.at_least) {
      const auto c = t.counts.find(key);
      const std::uint64_t got = c == t.counts.end() ? 0 : c->second;
      if (got < min) {
        std::string why;
        for (const std::string& problem : t.problems) why += "; " + problem;
        diff.push_back(fmt::format("- {}: expected {} >= {}\n  + got {}{}", p.name, key, min, got, why));
      }
    }
  }
  for (const std::string& name : e.clean) {
    const auto it = players.find(name);
    if (it == players.end()) {
      diff.push_back(fmt::format("- expected {} clean\n  + not in the capture (players: {})", name, names()));
      continue;
    }
    for (const auto& [key, t] : it->second.checks) {
      if (t.alerts > 0) {
        diff.push_back(fmt::format("- expected {} clean\n  + {} flagged {} time(s) at or above its alert level (max VL {:.2f})",
                                   name, key, t.alerts, t.max_vl));
      }
    }
  }
  for (const FlagExpectation& f : e.flagged) {
    const auto it = players.find(f.name);
    const std::string want = fmt::format("{} flagged by {} (vl >= {:g}, count >= {})", f.name, f.check, f.min_vl, f.min_count);
    if (it == players.end()) {
      diff.push_back(fmt::format("- expected {}\n  + {} is not in the capture (players: {})", want, f.name, names()));
      continue;
    }
    const auto c = it->second.checks.find(f.check);
    if (c == it->second.checks.end()) {
      diff.push_back(fmt::format("- expected {}\n  + {} never flagged", want, f.check));
    } else if (c->second.max_vl < f.min_vl || c->second.count < f.min_count) {
      diff.push_back(fmt::format("- expected {}\n  + got {} flag(s), max VL {:.2f}", want, c->second.count, c->second.max_vl));
    }
  }
  return diff;
}

}  // namespace rustguard::replay
