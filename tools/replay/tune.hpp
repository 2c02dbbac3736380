#pragma once
// Tuning: replay the same captures with one config key swept over a range
// and show, per capture and player, at which values the player is flagged.
// A player counts as flagged at a value when any check reported a violation
// or the core would have closed the connection (a kick, or a limit such as
// limits.max_frame_bytes).

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "replay/replay_output.hpp"
#include "replay/replay_report.hpp"

namespace rustguard::replay {

// The values of a sweep from `from` to `to` in `steps` points (both ends
// included), as config text: integers stay integers so integer keys accept them.
inline std::vector<std::string> sweep_values(double from, double to, unsigned steps) {
  std::vector<std::string> out;
  const bool integral = std::floor(from) == from && std::floor(to) == to;
  for (unsigned i = 0; i < steps; ++i) {
    const double v = steps == 1 ? from : from + (to - from) * static_cast<double>(i) / static_cast<double>(steps - 1);
    out.push_back(integral ? fmt::format("{}", static_cast<long long>(std::llround(v))) : fmt::format("{:g}", v));
  }
  return out;
}

struct TuneCell {
  std::uint64_t violations = 0;
  bool closed = false;
  bool flagged() const noexcept { return violations > 0 || closed; }
};

struct TuneRow {
  std::string capture;
  std::string player;   // name, or "?" for a connection that never logged in
  std::uint64_t flow = 0;
  std::vector<TuneCell> cells;  // one per value
};

struct TuneResult {
  std::string key;
  std::vector<std::string> values;
  std::vector<TuneRow> rows;
};

// Adds the reports of one value (index `step`) to the result.
inline void add_tune_step(TuneResult& result, std::size_t step, const std::vector<CaptureReport>& reports) {
  for (const CaptureReport& r : reports) {
    for (const PlayerReport& p : r.players) {
      auto it = std::find_if(result.rows.begin(), result.rows.end(), [&](const TuneRow& row) {
        return row.capture == r.capture && row.flow == p.flow;
      });
      if (it == result.rows.end()) {
        result.rows.push_back(TuneRow{r.capture, p.name.empty() ? "?" : p.name, p.flow,
                                      std::vector<TuneCell>(result.values.size())});
        it = std::prev(result.rows.end());
      }
      it->cells[step] = TuneCell{p.violations(), !p.closed_by_core.empty()};
    }
  }
}

// "flagged from 10 to 40", "never flagged", "always flagged"; with gaps, every run.
inline std::string flag_range(const TuneResult& result, const TuneRow& row) {
  std::string out;
  std::size_t i = 0;
  const std::size_t n = row.cells.size();
  std::size_t flagged = 0;
  while (i < n) {
    if (!row.cells[i].flagged()) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j + 1 < n && row.cells[j + 1].flagged()) ++j;
    flagged += j - i + 1;
    out += fmt::format("{}{} .. {}", out.empty() ? "" : ", ", result.values[i], result.values[j]);
    i = j + 1;
  }
  if (flagged == 0) return "never flagged";
  if (flagged == n) return "flagged at every value";
  return "flagged at " + out;
}

inline std::string format_tune_table(const TuneResult& result) {
  std::size_t capture_w = 7, player_w = 6, cell_w = 3;
  for (const TuneRow& r : result.rows) {
    capture_w = std::max(capture_w, r.capture.size());
    player_w = std::max(player_w, r.player.size());
  }
  for (const std::string& v : result.values) cell_w = std::max(cell_w, v.size());
  std::string out = fmt::format("sweep of {} (cell: violations, K = closed by the core, . = clean)\n", result.key);
  out += fmt::format("{:<{}}  {:<{}}", "capture", capture_w, "player", player_w);
  for (const std::string& v : result.values) out += fmt::format(" {:>{}}", v, cell_w);
  out += "\n";
  for (const TuneRow& r : result.rows) {
    out += fmt::format("{:<{}}  {:<{}}", r.capture, capture_w, r.player, player_w);
    for (const TuneCell& c : r.cells) {
      const std::string text = c.closed ? "K" : c.violations > 0 ? std::to_string(c.violations) : ".";
      out += fmt::format(" {:>{}}", text, cell_w);
    }
    out += "  " + flag_range(result, r) + "\n";
  }
  return out;
}

namespace detail {
inline std::string xml_escape(std::string_view s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}
}  // namespace detail

// A grid: one row per capture and player, one column per value; a flagged
// cell is red with its violation count (K when the core closed the connection).
inline std::string format_tune_svg(const TuneResult& result) {
  constexpr int kLabelW = 320, kCellW = 56, kCellH = 22, kTop = 44, kBottom = 70;
  const int cols = static_cast<int>(result.values.size());
  const int rows = static_cast<int>(result.rows.size());
  const int width = kLabelW + cols * kCellW + 20;
  const int height = kTop + rows * kCellH + kBottom;
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"monospace\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"10\" y=\"24\" font-size=\"15\">where flags start and stop: {2}</text>\n",
      width, height, detail::xml_escape(result.key));
  for (int r = 0; r < rows; ++r) {
    const TuneRow& row = result.rows[static_cast<std::size_t>(r)];
    const int y = kTop + r * kCellH;
    svg += fmt::format("<text x=\"10\" y=\"{}\">{} {}</text>\n", y + 15, detail::xml_escape(row.capture),
                       detail::xml_escape(row.player));
    for (int c = 0; c < cols; ++c) {
      const TuneCell& cell = row.cells[static_cast<std::size_t>(c)];
      const int x = kLabelW + c * kCellW;
      svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" stroke=\"white\"/>\n", x, y,
                         kCellW, kCellH, cell.flagged() ? "#d9534f" : "#dff0d8");
      if (cell.flagged()) {
        svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"white\">{}</text>\n", x + kCellW / 2,
                           y + 15, cell.closed ? std::string("K") : std::to_string(cell.violations));
      }
    }
  }
  const int axis_y = kTop + rows * kCellH;
  for (int c = 0; c < cols; ++c) {
    const int x = kLabelW + c * kCellW + kCellW / 2;
    svg += fmt::format("<text x=\"{0}\" y=\"{1}\" transform=\"rotate(45 {0} {1})\">{2}</text>\n", x, axis_y + 14,
                       detail::xml_escape(result.values[static_cast<std::size_t>(c)]));
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace rustguard::replay
