#pragma once
// `rustguard-replay evaluate`: a model against labelled (held-out) captures.
// Every window is scored as the proxy scores it; the report gives
//   - the ROC and precision-recall curves (SVG) and their areas;
//   - at the model's threshold and at the threshold that gives the chosen
//     false-positive rate on these windows: the confusion matrix,
//     precision, recall, false-positive rate;
//   - per kind (honest_novice, cps_random, ...): windows, the share at or
//     above the model's threshold, and sessions with any window there (a
//     session is what an operator sees: one alert or none);
//   - per latency of the honest sessions.
// Windows are judged regardless of the suspicion gate: the gate only
// decides whether the model runs at all, so this measures the model.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "replay/model_training.hpp"
#include "replay/tune.hpp"
#include "rustguard/checks/model/combat_model.hpp"

namespace rustguard::replay {

struct Confusion {
  std::size_t tp = 0, fp = 0, tn = 0, fn = 0;
  double precision() const { return tp + fp == 0 ? 1.0 : static_cast<double>(tp) / static_cast<double>(tp + fp); }
  double recall() const { return tp + fn == 0 ? 0.0 : static_cast<double>(tp) / static_cast<double>(tp + fn); }
  double fpr() const { return fp + tn == 0 ? 0.0 : static_cast<double>(fp) / static_cast<double>(fp + tn); }
};

struct CurvePoint {
  double x = 0, y = 0;
};

struct KindRow {
  std::string kind;
  bool cheat = false;
  std::size_t windows = 0, flagged_windows = 0;
  std::size_t sessions = 0, flagged_sessions = 0;
};

struct Evaluation {
  std::vector<double> scores;
  std::vector<bool> cheat;
  double threshold = 0.5;  // the model's
  Confusion at_model;
  double target_fpr = 0.01;
  double threshold_for_target = 0.5;  // chosen on these windows
  Confusion at_target;
  std::vector<CurvePoint> roc;  // (fpr, tpr)
  std::vector<CurvePoint> pr;   // (recall, precision)
  double roc_auc = 0;
  double average_precision = 0;
  std::vector<KindRow> kinds;
  std::vector<KindRow> honest_latencies;  // kind = "honest @ N ms"
};

inline Confusion confusion_at(const std::vector<double>& scores, const std::vector<bool>& cheat, double threshold) {
  Confusion c;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    const bool flagged = scores[i] >= threshold;
    if (cheat[i]) {
      (flagged ? c.tp : c.fn)++;
    } else {
      (flagged ? c.fp : c.tn)++;
    }
  }
  return c;
}

inline Evaluation evaluate_model(const checks::model::CombatModel& model, const std::vector<Sample>& samples,
                                 double target_fpr) {
  Evaluation e;
  e.threshold = model.threshold;
  e.target_fpr = target_fpr;
  for (const Sample& s : samples) {
    e.scores.push_back(model.score(s.x).probability);
    e.cheat.push_back(s.cheat);
  }
  e.at_model = confusion_at(e.scores, e.cheat, e.threshold);
  std::vector<double> honest;
  for (std::size_t i = 0; i < e.scores.size(); ++i) {
    if (!e.cheat[i]) honest.push_back(e.scores[i]);
  }
  e.threshold_for_target = detail::threshold_for_fpr(honest, target_fpr);
  e.at_target = confusion_at(e.scores, e.cheat, e.threshold_for_target);

  // Curves: every distinct score as a threshold, highest first.
  std::vector<std::size_t> order(e.scores.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return e.scores[a] > e.scores[b]; });
  const auto positives = static_cast<double>(std::count(e.cheat.begin(), e.cheat.end(), true));
  const double negatives = static_cast<double>(e.cheat.size()) - positives;
  double tp = 0, fp = 0, prev_recall = 0;
  e.roc.push_back({0, 0});
  for (std::size_t i = 0; i < order.size(); ++i) {
    (e.cheat[order[i]] ? tp : fp) += 1;
    if (i + 1 < order.size() && e.scores[order[i + 1]] == e.scores[order[i]]) continue;
    const double tpr = positives > 0 ? tp / positives : 0;
    const double fpr = negatives > 0 ? fp / negatives : 0;
    e.roc_auc += (fpr - e.roc.back().x) * (tpr + e.roc.back().y) / 2;
    e.roc.push_back({fpr, tpr});
    const double precision = tp / (tp + fp);
    e.average_precision += (tpr - prev_recall) * precision;
    prev_recall = tpr;
    e.pr.push_back({tpr, precision});
  }

  // Per kind and per honest latency; sessions flagged by any window.
  std::map<std::string, KindRow> kinds, latencies;
  std::map<std::string, std::pair<std::string, bool>> session_flag;  // session -> (kind, flagged)
  std::map<std::string, double> session_latency;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const Sample& s = samples[i];
    const bool flagged = e.scores[i] >= e.threshold;
    KindRow& k = kinds[s.kind];
    k.kind = s.kind;
    k.cheat = s.cheat;
    ++k.windows;
    k.flagged_windows += flagged ? 1 : 0;
    auto& sf = session_flag[s.session];
    sf.first = s.kind;
    sf.second = sf.second || flagged;
    session_latency[s.session] = s.latency_ms;
    if (!s.cheat) {
      const std::string lk = s.latency_ms < 0 ? std::string("honest @ ? ms") : fmt::format("honest @ {:g} ms", s.latency_ms);
      KindRow& l = latencies[lk];
      l.kind = lk;
      ++l.windows;
      l.flagged_windows += flagged ? 1 : 0;
    }
  }
  for (const auto& [session, kf] : session_flag) {
    KindRow& k = kinds[kf.first];
    ++k.sessions;
    k.flagged_sessions += kf.second ? 1 : 0;
    if (!k.cheat) {
      const double lat = session_latency[session];
      const std::string lk = lat < 0 ? std::string("honest @ ? ms") : fmt::format("honest @ {:g} ms", lat);
      KindRow& l = latencies[lk];
      ++l.sessions;
      l.flagged_sessions += kf.second ? 1 : 0;
    }
  }
  for (auto& [name, row] : kinds) e.kinds.push_back(row);
  std::stable_sort(e.kinds.begin(), e.kinds.end(), [](const KindRow& a, const KindRow& b) { return a.cheat < b.cheat; });
  for (auto& [name, row] : latencies) e.honest_latencies.push_back(row);
  return e;
}

inline std::string format_confusion(const Confusion& c) {
  return fmt::format(
      "               flagged  not flagged\n"
      "  cheat        {:7}  {:11}\n"
      "  honest       {:7}  {:11}\n"
      "  precision {:.3f}  recall {:.3f}  false-positive rate {:.4f}\n",
      c.tp, c.fn, c.fp, c.tn, c.precision(), c.recall(), c.fpr());
}

inline std::string format_evaluation(const Evaluation& e, const checks::model::CombatModel& m) {
  std::string out = fmt::format("model {} v{} ({})\n", m.name, m.version, m.trained);
  out += fmt::format("windows: {} ({} cheat, {} honest)\n", e.scores.size(),
                     std::count(e.cheat.begin(), e.cheat.end(), true),
                     std::count(e.cheat.begin(), e.cheat.end(), false));
  out += fmt::format("ROC AUC {:.4f}, average precision {:.4f}\n\n", e.roc_auc, e.average_precision);
  out += fmt::format("at the model's threshold {:.4f}:\n", e.threshold) + format_confusion(e.at_model);
  out += fmt::format("\nat the threshold for a false-positive rate <= {:g} on these windows, {:.4f}:\n", e.target_fpr,
                     e.threshold_for_target) +
         format_confusion(e.at_target);
  out += fmt::format("\nper kind, at the model's threshold:\n  {:<22} {:>8} {:>8} {:>9} {:>9}\n", "kind", "windows",
                     "flagged", "sessions", "flagged");
  for (const KindRow& k : e.kinds) {
    out += fmt::format("  {:<22} {:>8} {:>7.1f}% {:>9} {:>9}\n", k.kind + (k.cheat ? " (cheat)" : ""), k.windows,
                       k.windows == 0 ? 0.0 : 100.0 * static_cast<double>(k.flagged_windows) / static_cast<double>(k.windows),
                       k.sessions, k.flagged_sessions);
  }
  out += "\nhonest sessions by added latency:\n";
  for (const KindRow& k : e.honest_latencies) {
    out += fmt::format("  {:<22} {:>8} {:>7.1f}% {:>9} {:>9}\n", k.kind, k.windows,
                       k.windows == 0 ? 0.0 : 100.0 * static_cast<double>(k.flagged_windows) / static_cast<double>(k.windows),
                       k.sessions, k.flagged_sessions);
  }
  return out;
}

// One curve in a 360 x 360 plot, axes 0..1.
inline std::string format_curve_svg(const std::vector<CurvePoint>& points, const std::string& title,
                                    const std::string& x_label, const std::string& y_label, const std::string& note,
                                    bool diagonal) {
  constexpr int kLeft = 60, kTop = 40, kSize = 360;
  const int width = kLeft + kSize + 30;
  const int height = kTop + kSize + 60;
  auto px = [](double x) { return kLeft + x * kSize; };
  auto py = [](double y) { return kTop + (1 - y) * kSize; };
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"monospace\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"10\" y=\"22\" font-size=\"15\">{2}</text>\n",
      width, height, detail::xml_escape(title));
  svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"black\"/>\n", kLeft, kTop,
                     kSize, kSize);
  for (int i = 0; i <= 10; ++i) {
    const double v = i / 10.0;
    svg += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#eee\"/>\n", px(v), kTop, kTop + kSize);
    svg += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"#eee\"/>\n", kLeft, py(v), kLeft + kSize);
    if (i % 2 == 0) {
      svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{:.1f}</text>\n", px(v), kTop + kSize + 16, v);
      svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{:.1f}</text>\n", kLeft - 6, py(v) + 4, v);
    }
  }
  if (diagonal) {
    svg += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#bbb\" stroke-dasharray=\"4\"/>\n", px(0), py(0),
                       px(1), py(1));
  }
  std::string path;
  for (const CurvePoint& p : points) path += fmt::format("{}{:.1f},{:.1f} ", path.empty() ? "M" : "L", px(p.x), py(p.y));
  svg += fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"#d9534f\" stroke-width=\"2\"/>\n", path);
  svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", kLeft + kSize / 2, kTop + kSize + 36,
                     detail::xml_escape(x_label));
  svg += fmt::format("<text x=\"14\" y=\"{0}\" transform=\"rotate(-90 14 {0})\" text-anchor=\"middle\">{1}</text>\n",
                     kTop + kSize / 2, detail::xml_escape(y_label));
  svg += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>\n", kLeft, kTop + kSize + 54, detail::xml_escape(note));
  svg += "</svg>\n";
  return svg;
}

}  // namespace rustguard::replay
