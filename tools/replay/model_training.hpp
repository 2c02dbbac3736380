#pragma once
// `rustguard-replay train`: labelled captures -> feature windows -> a
// logistic regression model file (checks/model/combat_model.hpp).
//
// The windows come from the same engine the proxy runs: each labelled
// capture is replayed once with checks.model.combat.collect set, and every
// window a labelled player completed (within the label's time range) is one
// sample. Training:
//   - standardise each feature by its mean and standard deviation over the
//     training windows (recorded in the model; a constant feature gets
//     scale 1);
//   - weight the classes equally (cheat windows are fewer than honest ones);
//   - minimise the weighted log loss plus l2/2 |w|^2 by full-batch gradient
//     descent, `iterations` steps of `learning_rate`, from zero weights. No
//     randomness enters the fit, and the sums run in sample order, so the
//     same windows give the same bits.
//   - choose the threshold for `target_fpr` without looking at held-out
//     data: sessions are dealt into `folds` folds (shuffled with `seed`), a
//     model is fitted on the others for each fold, and the threshold is the
//     lowest score that keeps the honest windows' out-of-fold false-positive
//     rate at or below the target.
// Everything (seed, parameters, counts, corpus) is recorded in the model's
// `trained` text.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "replay/labels.hpp"
#include "replay/replay_analysis.hpp"
#include "rustguard/checks/model/combat_model.hpp"

namespace rustguard::replay {

struct Sample {
  checks::model::CombatFeatureVector x{};
  bool cheat = false;
  std::string kind;
  std::string session;  // "capture player": windows of one session stay together
  double latency_ms = -1;
  double at_s = 0;      // the window's end, seconds since the connection started
};

struct SampleSet {
  std::vector<Sample> samples;
  std::vector<std::string> problems;  // labels that matched nothing, unreadable captures
  std::size_t sessions = 0;
};

// Replays every capture the labels name (collect on, `settings`' other
// config as given) and returns the labelled windows.
inline SampleSet collect_samples(const LabelSet& labels, const Config& base) {
  SampleSet out;
  Config config = base;
  config.checks.get<checks::model::CombatCheck>().params.collect = true;
  const ReplaySettings settings{config};
  std::map<std::string, std::vector<const Label*>> by_capture;
  for (const Label& l : labels.sessions) by_capture[labels.capture_path(l).string()].push_back(&l);
  for (const auto& [path, wanted] : by_capture) {
    const CaptureReport report = replay_capture(path, settings);
    for (const std::string& e : report.totals.errors) out.problems.push_back(path + ": " + e);
    for (const Label* l : wanted) {
      const PlayerReport* player = nullptr;
      for (const PlayerReport& p : report.players) {
        if (p.name == l->player && p.reached_play) player = &p;
      }
      if (player == nullptr) {
        out.problems.push_back(l->capture + ": no player " + l->player + " reached play");
        continue;
      }
      ++out.sessions;
      std::size_t kept = 0;
      for (const checks::model::FeatureWindow& w : player->feature_windows) {
        const double at_s = static_cast<double>(w.at.micros * 1000 - player->start_ns) / 1e9;
        if (!l->covers(at_s)) continue;
        out.samples.push_back({w.features, l->cheat, l->kind, l->capture + " " + l->player,
                               l->latency_ms.value_or(-1), at_s});
        ++kept;
      }
      if (kept == 0) out.problems.push_back(l->capture + ": " + l->player + " completed no window (too few attacks)");
    }
  }
  return out;
}

struct TrainParams {
  std::uint64_t seed = 1;
  double l2 = 0.01;
  double learning_rate = 0.5;
  unsigned iterations = 3000;
  unsigned folds = 5;
  double target_fpr = 0.01;
  std::string name = "combat";
  std::uint32_t version = 1;
  double window_s = 10;
  std::uint32_t min_attacks = 15;
};

namespace detail {

// Fits weights and bias on standardised samples (z), weights per class equal.
inline void fit_logistic(const std::vector<checks::model::CombatFeatureVector>& z, const std::vector<bool>& y,
                         const TrainParams& p, checks::model::CombatModel& m) {
  constexpr std::size_t kN = checks::model::kCombatFeatureCount;
  m.weight.fill(0);
  m.bias = 0;
  const std::size_t n = z.size();
  if (n == 0) return;
  const std::size_t positives = static_cast<std::size_t>(std::count(y.begin(), y.end(), true));
  const std::size_t negatives = n - positives;
  const double w_pos = positives == 0 ? 0.0 : 0.5 / static_cast<double>(positives);
  const double w_neg = negatives == 0 ? 0.0 : 0.5 / static_cast<double>(negatives);
  for (unsigned it = 0; it < p.iterations; ++it) {
    std::array<double, kN> grad{};
    double grad_bias = 0;
    for (std::size_t i = 0; i < n; ++i) {
      double logit = m.bias;
      for (std::size_t k = 0; k < kN; ++k) logit += m.weight[k] * z[i][k];
      const double err = (checks::model::CombatModel::sigmoid(logit) - (y[i] ? 1.0 : 0.0)) * (y[i] ? w_pos : w_neg);
      for (std::size_t k = 0; k < kN; ++k) grad[k] += err * z[i][k];
      grad_bias += err;
    }
    for (std::size_t k = 0; k < kN; ++k) m.weight[k] -= p.learning_rate * (grad[k] + p.l2 * m.weight[k]);
    m.bias -= p.learning_rate * grad_bias;
  }
}

// A model fitted on `samples` (standardisation from them too).
inline checks::model::CombatModel fit(const std::vector<const Sample*>& samples, const TrainParams& p) {
  constexpr std::size_t kN = checks::model::kCombatFeatureCount;
  checks::model::CombatModel m;
  const double n = static_cast<double>(std::max<std::size_t>(1, samples.size()));
  for (std::size_t k = 0; k < kN; ++k) {
    double sum = 0, sum2 = 0;
    for (const Sample* s : samples) {
      sum += s->x[k];
      sum2 += s->x[k] * s->x[k];
    }
    m.mean[k] = sum / n;
    const double var = sum2 / n - m.mean[k] * m.mean[k];
    m.scale[k] = var > 1e-12 ? std::sqrt(var) : 1.0;
  }
  std::vector<checks::model::CombatFeatureVector> z;
  std::vector<bool> y;
  z.reserve(samples.size());
  for (const Sample* s : samples) {
    checks::model::CombatFeatureVector v{};
    for (std::size_t k = 0; k < kN; ++k) v[k] = (s->x[k] - m.mean[k]) / m.scale[k];
    z.push_back(v);
    y.push_back(s->cheat);
  }
  fit_logistic(z, y, p, m);
  return m;
}

// The lowest threshold at which at most `target_fpr` of the honest scores
// are at or above it (just above the honest score that must not pass).
inline double threshold_for_fpr(std::vector<double> honest_scores, double target_fpr) {
  if (honest_scores.empty()) return 0.5;
  std::sort(honest_scores.begin(), honest_scores.end(), std::greater<>());
  const auto allowed = static_cast<std::size_t>(std::floor(target_fpr * static_cast<double>(honest_scores.size())));
  if (allowed >= honest_scores.size()) return std::max(1e-6, honest_scores.back());
  // Every score strictly above honest_scores[allowed] may pass: `allowed` of them.
  const double above = honest_scores[allowed];
  return std::min(0.999999, std::nextafter(above, 2.0));
}

}  // namespace detail

// The session folds train_model deals below, exported so that a tool can
// put another learner through the same cross-validation
// (tools/bench/model_compare.cpp compares gradient-boosted trees with this
// model). train_model keeps its own inline copy so that nothing it writes
// can move; the comparison tool checks that both give the same threshold.
struct SessionFolds {
  unsigned folds = 0;
  std::vector<unsigned> fold_of_sample;  // parallel to the samples
};

inline SessionFolds session_folds(const std::vector<Sample>& samples, std::uint64_t seed, unsigned folds) {
  std::vector<std::string> sessions;
  std::set<std::string> seen;
  for (const Sample& s : samples) {
    if (seen.insert(s.session).second) sessions.push_back(s.session);
  }
  std::mt19937_64 rng(seed);
  for (std::size_t i = sessions.size(); i > 1; --i) {
    std::swap(sessions[i - 1], sessions[static_cast<std::size_t>(rng() % i)]);
  }
  SessionFolds out;
  out.folds = std::max(2U, folds);
  std::map<std::string, unsigned> fold_of;
  for (std::size_t i = 0; i < sessions.size(); ++i) fold_of[sessions[i]] = static_cast<unsigned>(i % out.folds);
  for (const Sample& s : samples) out.fold_of_sample.push_back(fold_of[s.session]);
  return out;
}

struct OutOfFoldScores {
  std::vector<double> honest, cheat;
  std::vector<double> score;  // parallel to the samples (each scored by the model fitted without its fold)
};

// `fit_and_score(train, test)` fits a model on `train` and returns its
// scores of `test`, in order. Folds with no training or no test samples are
// skipped, as train_model skips them.
template <class FitAndScore>
OutOfFoldScores out_of_fold_scores(const std::vector<Sample>& samples, const SessionFolds& folds,
                                   FitAndScore&& fit_and_score) {
  OutOfFoldScores out;
  out.score.assign(samples.size(), 0.0);
  for (unsigned f = 0; f < folds.folds; ++f) {
    std::vector<const Sample*> train, test;
    std::vector<std::size_t> test_index;
    for (std::size_t i = 0; i < samples.size(); ++i) {
      if (folds.fold_of_sample[i] == f) {
        test.push_back(&samples[i]);
        test_index.push_back(i);
      } else {
        train.push_back(&samples[i]);
      }
    }
    if (train.empty() || test.empty()) continue;
    const std::vector<double> scores = fit_and_score(train, test);
    for (std::size_t j = 0; j < test.size(); ++j) {
      out.score[test_index[j]] = scores[j];
      (test[j]->cheat ? out.cheat : out.honest).push_back(scores[j]);
    }
  }
  return out;
}

struct TrainResult {
  checks::model::CombatModel model;
  std::size_t windows = 0, cheat_windows = 0, sessions = 0;
  double out_of_fold_recall = 0;  // cheat windows at or above the threshold, out of fold
  double out_of_fold_fpr = 0;
};

inline TrainResult train_model(const std::vector<Sample>& samples, const TrainParams& p, const std::string& corpus) {
  TrainResult r;
  std::vector<const Sample*> all;
  for (const Sample& s : samples) all.push_back(&s);
  r.windows = samples.size();
  r.cheat_windows = static_cast<std::size_t>(std::count_if(samples.begin(), samples.end(), [](const Sample& s) { return s.cheat; }));

  // Folds by session, dealt in an order shuffled with the seed.
  std::vector<std::string> sessions;
  {
    std::set<std::string> seen;
    for (const Sample& s : samples) {
      if (seen.insert(s.session).second) sessions.push_back(s.session);
    }
  }
  r.sessions = sessions.size();
  std::mt19937_64 rng(p.seed);
  for (std::size_t i = sessions.size(); i > 1; --i) {
    std::swap(sessions[i - 1], sessions[static_cast<std::size_t>(rng() % i)]);
  }
  std::map<std::string, unsigned> fold_of;
  const unsigned folds = std::max(2U, p.folds);
  for (std::size_t i = 0; i < sessions.size(); ++i) fold_of[sessions[i]] = static_cast<unsigned>(i % folds);
  std::vector<double> honest_oof, cheat_oof;
  for (unsigned f = 0; f < folds; ++f) {
    std::vector<const Sample*> train, test;
    for (const Sample* s : all) (fold_of[s->session] == f ? test : train).push_back(s);
    if (train.empty() || test.empty()) continue;
    const checks::model::CombatModel m = detail::fit(train, p);
    for (const Sample* s : test) (s->cheat ? cheat_oof : honest_oof).push_back(m.score(s->x).probability);
  }

  r.model = detail::fit(all, p);
  r.model.name = p.name;
  r.model.version = p.version;
  r.model.window_s = p.window_s;
  r.model.min_attacks = p.min_attacks;
  r.model.threshold = detail::threshold_for_fpr(honest_oof, p.target_fpr);
  const auto at_or_above = [&](const std::vector<double>& v) {
    if (v.empty()) return 0.0;
    return static_cast<double>(std::count_if(v.begin(), v.end(), [&](double x) { return x >= r.model.threshold; })) /
           static_cast<double>(v.size());
  };
  r.out_of_fold_recall = at_or_above(cheat_oof);
  r.out_of_fold_fpr = at_or_above(honest_oof);
  char text[512];
  std::snprintf(text, sizeof text,
                "logistic regression; seed %llu, l2 %g, learning_rate %g, iterations %u, folds %u, target_fpr %g; "
                "%zu windows (%zu cheat) of %zu sessions from %s; out-of-fold recall %.3f at fpr %.4f",
                static_cast<unsigned long long>(p.seed), p.l2, p.learning_rate, p.iterations, folds, p.target_fpr,
                r.windows, r.cheat_windows, r.sessions, corpus.c_str(), r.out_of_fold_recall, r.out_of_fold_fpr);
  r.model.trained = text;
  return r;
}

}  // namespace rustguard::replay
