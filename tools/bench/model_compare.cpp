// rustguard-model-compare: the model stage's two candidate learners on the
// same labelled corpus, measured the same way (issue 15: "gradient-boosted
// trees or logistic regression, whichever measures better"; docs/model.md,
// "Logistic regression vs gradient-boosted trees").
//
//   rustguard-model-compare [TRAIN_LABELS HELDOUT_LABELS] [--reps N]
//
// (default: captures/model/train.yml and heldout.yml of the source tree).
//   (a) the logistic regression exactly as `rustguard-replay train` fits it
//       (train_model, default parameters, seed 1);
//   (b) gradient-boosted trees through XGBoost's C API, with fixed
//       parameters (one thread, exact splits, no subsampling, seed 1) and a
//       small grid whose member is chosen by cross-validation by session on
//       the training set only.
// Both thresholds (false-positive rate <= 1 %) come from out-of-fold scores
// of the same session folds train_model deals (replay::session_folds). The
// held-out set is only ever scored, never used to choose anything. Every
// figure but the timings is deterministic; the score fingerprints show it.

#include <xgboost/c_api.h>
#include <yaml-cpp/yaml.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "replay/labels.hpp"
#include "replay/model_evaluation.hpp"
#include "replay/model_training.hpp"
#include "rustguard/adapters/combat_model_file.hpp"
#include "rustguard/checks/model/combat_model.hpp"

namespace {

using namespace rustguard;
using replay::Sample;

// The feature count is the build's: another one only changes the width of
// the rows handed to XGBoost.
constexpr std::size_t kN = checks::model::kCombatFeatureCount;
constexpr double kTargetFpr = 0.01;

// Where the timed loops leave their sum, so that the compiler keeps them.
volatile double g_sink = 0;

void xgb(int rc, const char* call) {
  if (rc != 0) throw std::runtime_error(std::string(call) + ": " + XGBGetLastError());
}

// Owners of XGBoost's handles (the C API hands out raw ones).
struct Matrix {
  DMatrixHandle h = nullptr;
  explicit Matrix(const std::vector<const Sample*>& rows, bool with_labels) {
    std::vector<float> data;
    data.reserve(rows.size() * kN);
    std::vector<float> labels;
    for (const Sample* s : rows) {
      for (double v : s->x) data.push_back(static_cast<float>(v));
      labels.push_back(s->cheat ? 1.0F : 0.0F);
    }
    xgb(XGDMatrixCreateFromMat(data.data(), rows.size(), kN, std::numeric_limits<float>::quiet_NaN(), &h),
        "XGDMatrixCreateFromMat");
    if (with_labels) xgb(XGDMatrixSetFloatInfo(h, "label", labels.data(), labels.size()), "XGDMatrixSetFloatInfo");
  }
  Matrix(const Matrix&) = delete;
  Matrix& operator=(const Matrix&) = delete;
  ~Matrix() { XGDMatrixFree(h); }
};

struct TreeParams {
  int max_depth = 3;
  double eta = 0.3;
  int rounds = 50;
};

// Everything else is fixed, so that the same windows give the same trees:
// one thread, exact greedy splits, every row and column in every tree, and
// the classes balanced as train_model balances them (scale_pos_weight =
// honest / cheat windows of the fit's own training rows).
constexpr const char* kFixedParams =
    "objective binary:logistic, tree_method exact, nthread 1, seed 1, subsample 1, colsample_bytree 1, "
    "min_child_weight 1, lambda 1, gamma 0, base_score 0.5, scale_pos_weight honest/cheat of the fit's rows";

struct Trees {
  BoosterHandle h = nullptr;
  std::unique_ptr<Matrix> train;  // kept while the booster lives: it was created over it

  Trees(const std::vector<const Sample*>& rows, const TreeParams& p) : train(std::make_unique<Matrix>(rows, true)) {
    xgb(XGBoosterCreate(&train->h, 1, &h), "XGBoosterCreate");
    try {
      configure_and_boost(rows, p);
    } catch (...) {
      XGBoosterFree(h);  // the destructor does not run for a constructor that throws
      throw;
    }
  }
  Trees(const Trees&) = delete;
  Trees& operator=(const Trees&) = delete;
  ~Trees() { XGBoosterFree(h); }

  void configure_and_boost(const std::vector<const Sample*>& rows, const TreeParams& p) {
    const auto cheat =
        static_cast<double>(std::count_if(rows.begin(), rows.end(), [](const Sample* s) { return s->cheat; }));
    const double honest = static_cast<double>(rows.size()) - cheat;
    const auto set = [&](const char* name, const std::string& value) {
      xgb(XGBoosterSetParam(h, name, value.c_str()), "XGBoosterSetParam");
    };
    set("verbosity", "0");
    set("objective", "binary:logistic");
    set("tree_method", "exact");
    set("nthread", "1");
    set("seed", "1");
    set("subsample", "1");
    set("colsample_bytree", "1");
    set("min_child_weight", "1");
    set("lambda", "1");
    set("gamma", "0");
    set("base_score", "0.5");
    set("max_depth", std::to_string(p.max_depth));
    set("eta", fmt::format("{}", p.eta));
    set("scale_pos_weight", fmt::format("{:.17g}", cheat > 0 ? honest / cheat : 1.0));
    for (int i = 0; i < p.rounds; ++i) xgb(XGBoosterUpdateOneIter(h, i, train->h), "XGBoosterUpdateOneIter");
  }

  std::vector<double> predict(const std::vector<const Sample*>& rows) const {
    const Matrix m(rows, false);
    bst_ulong len = 0;
    const float* out = nullptr;
    xgb(XGBoosterPredict(h, m.h, 0, 0, 0, &len, &out), "XGBoosterPredict");
    if (len != rows.size()) throw std::runtime_error("XGBoosterPredict: unexpected number of scores");
    return std::vector<double>(out, out + len);
  }
};

// What a header-only evaluator of the exported trees would cost (the
// issue's other way to score trees without the library in the proxy): the
// booster's own JSON model flattened into one node array and walked as
// XGBoost walks it (a feature value below the split goes left, a missing
// one the default way; leaves hold their value where splits hold the
// condition), summed in float. Read with yaml-cpp, which reads JSON.
struct FlatTrees {
  struct Node {
    float value = 0;  // split condition, or the leaf's value
    std::int32_t left = -1, right = -1;
    std::uint32_t feature = 0;
    bool default_left = false;
  };
  std::vector<Node> nodes;
  std::vector<std::int32_t> roots;
  float base_margin = 0;

  explicit FlatTrees(const std::string& json) {
    const YAML::Node learner = YAML::Load(json)["learner"];
    const float base_score = learner["learner_model_param"]["base_score"].as<float>();
    base_margin = std::log(base_score / (1.0F - base_score));
    for (const YAML::Node& tree : learner["gradient_booster"]["model"]["trees"]) {
      const auto offset = static_cast<std::int32_t>(nodes.size());
      roots.push_back(offset);
      const YAML::Node left = tree["left_children"], right = tree["right_children"];
      const YAML::Node cond = tree["split_conditions"], index = tree["split_indices"], dl = tree["default_left"];
      for (std::size_t i = 0; i < left.size(); ++i) {
        Node n;
        n.value = cond[i].as<float>();
        const int l = left[i].as<int>();
        n.left = l < 0 ? -1 : l + offset;
        n.right = l < 0 ? -1 : right[i].as<int>() + offset;
        n.feature = index[i].as<std::uint32_t>();
        n.default_left = dl[i].as<std::string>() == "1" || dl[i].as<std::string>() == "true";
        if (n.left >= 0 && n.feature >= kN) throw std::runtime_error("tree split on an unknown feature");
        nodes.push_back(n);
      }
    }
  }

  double score(const checks::model::CombatFeatureVector& x) const noexcept {
    float margin = base_margin;
    for (const std::int32_t root : roots) {
      std::int32_t at = root;
      while (nodes[static_cast<std::size_t>(at)].left >= 0) {
        const Node& n = nodes[static_cast<std::size_t>(at)];
        const auto v = static_cast<float>(x[n.feature]);
        at = std::isnan(v) ? (n.default_left ? n.left : n.right) : (v < n.value ? n.left : n.right);
      }
      margin += nodes[static_cast<std::size_t>(at)].value;
    }
    return 1.0 / (1.0 + std::exp(-static_cast<double>(margin)));
  }
};

std::vector<const Sample*> pointers(const std::vector<Sample>& samples) {
  std::vector<const Sample*> out;
  for (const Sample& s : samples) out.push_back(&s);
  return out;
}

// What is reported of one model on one set of windows. The curves are
// computed as evaluate_model computes them (every distinct score a
// threshold, highest first); for the logistic model main() checks that the
// areas are the same numbers evaluate_model gives.
struct Measured {
  double roc_auc = 0, average_precision = 0;
  replay::Confusion at_threshold;
  std::vector<replay::KindRow> kinds;
};

Measured measure(const std::vector<double>& scores, const std::vector<Sample>& samples, double threshold) {
  Measured m;
  std::vector<bool> cheat;
  for (const Sample& s : samples) cheat.push_back(s.cheat);
  m.at_threshold = replay::confusion_at(scores, cheat, threshold);
  std::vector<std::size_t> order(scores.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
  const auto positives = static_cast<double>(std::count(cheat.begin(), cheat.end(), true));
  const double negatives = static_cast<double>(cheat.size()) - positives;
  double tp = 0, fp = 0, prev_fpr = 0, prev_tpr = 0;
  for (std::size_t i = 0; i < order.size(); ++i) {
    (cheat[order[i]] ? tp : fp) += 1;
    if (i + 1 < order.size() && scores[order[i + 1]] == scores[order[i]]) continue;
    const double tpr = positives > 0 ? tp / positives : 0;
    const double fpr = negatives > 0 ? fp / negatives : 0;
    m.roc_auc += (fpr - prev_fpr) * (tpr + prev_tpr) / 2;
    m.average_precision += (tpr - prev_tpr) * (tp / (tp + fp));
    prev_fpr = fpr;
    prev_tpr = tpr;
  }
  std::map<std::string, replay::KindRow> kinds;
  std::map<std::string, bool> session_flagged;
  std::map<std::string, std::string> session_kind;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const bool flagged = scores[i] >= threshold;
    replay::KindRow& k = kinds[samples[i].kind];
    k.kind = samples[i].kind;
    k.cheat = samples[i].cheat;
    ++k.windows;
    k.flagged_windows += flagged ? 1 : 0;
    session_flagged[samples[i].session] = session_flagged[samples[i].session] || flagged;
    session_kind[samples[i].session] = samples[i].kind;
  }
  for (const auto& [session, flagged] : session_flagged) {
    replay::KindRow& k = kinds[session_kind[session]];
    ++k.sessions;
    k.flagged_sessions += flagged ? 1 : 0;
  }
  for (const auto& [name, row] : kinds) m.kinds.push_back(row);
  std::stable_sort(m.kinds.begin(), m.kinds.end(),
                   [](const replay::KindRow& a, const replay::KindRow& b) { return a.cheat < b.cheat; });
  return m;
}

double share_at_or_above(const std::vector<double>& v, double threshold) {
  if (v.empty()) return 0;
  return static_cast<double>(std::count_if(v.begin(), v.end(), [&](double x) { return x >= threshold; })) /
         static_cast<double>(v.size());
}

// FNV-1a over the scores' bits: two runs that print the same fingerprint
// scored every window identically.
std::uint64_t fingerprint(const std::vector<double>& scores) {
  std::uint64_t h = 1469598103934665603ULL;
  for (double s : scores) {
    std::uint64_t bits = 0;
    std::memcpy(&bits, &s, sizeof bits);
    for (int i = 0; i < 8; ++i) {
      h ^= (bits >> (8 * i)) & 0xff;
      h *= 1099511628211ULL;
    }
  }
  return h;
}

struct GridRow {
  TreeParams p;
  double threshold = 0, recall = 0, fpr = 0, roc_auc = 0, average_precision = 0;
};

// Nanoseconds per call of `f`, the best of five runs of `reps` calls (the
// least disturbed by the other work on the machine).
template <class F>
double ns_per_call(std::size_t reps, F&& f) {
  double best = std::numeric_limits<double>::infinity();
  for (int run = 0; run < 5; ++run) {
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < reps; ++i) f(i);
    const auto ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
    best = std::min(best, ns / static_cast<double>(reps));
  }
  return best;
}

replay::SampleSet collect(const std::filesystem::path& labels_file, const Config& config) {
  const replay::LabelSet labels = replay::read_labels(labels_file);
  replay::SampleSet set = replay::collect_samples(labels, config);
  for (const std::string& p : set.problems) std::fprintf(stderr, "%s: %s\n", labels_file.string().c_str(), p.c_str());
  if (!set.problems.empty()) throw std::runtime_error(labels_file.string() + ": labels that match no windows");
  return set;
}

void print_kinds(const Measured& logistic, const Measured& trees) {
  std::printf("\nper kind on held-out, windows at or above each model's threshold (sessions with any):\n");
  std::printf("  %-16s %8s   %-16s %-16s\n", "kind", "windows", "logistic", "trees");
  for (std::size_t i = 0; i < logistic.kinds.size(); ++i) {
    const replay::KindRow& a = logistic.kinds[i];
    const replay::KindRow& b = trees.kinds[i];
    const auto cell = [](const replay::KindRow& k) {
      return fmt::format("{:5.1f} % ({}/{})",
                         100.0 * static_cast<double>(k.flagged_windows) / static_cast<double>(k.windows),
                         k.flagged_sessions, k.sessions);
    };
    std::printf("  %-16s %8zu   %-16s %-16s\n", (a.kind + (a.cheat ? "*" : "")).c_str(), a.windows, cell(a).c_str(),
                cell(b).c_str());
  }
  std::printf("  (* a cheat kind: the share is its recall; for honest kinds it is the false-positive rate)\n");
}

int run(const std::filesystem::path& train_file, const std::filesystem::path& heldout_file, std::size_t reps) {
  // The config train and the workflow test use: defaults (window 10 s,
  // at least 15 attacks), collect set by collect_samples.
  const Config config;
  const replay::SampleSet train = collect(train_file, config);
  const replay::SampleSet held = collect(heldout_file, config);
  const auto train_cheat =
      std::count_if(train.samples.begin(), train.samples.end(), [](const Sample& s) { return s.cheat; });
  const auto held_cheat =
      std::count_if(held.samples.begin(), held.samples.end(), [](const Sample& s) { return s.cheat; });
  std::printf("features: %zu\n", kN);
  std::printf("train:    %zu windows (%td cheat) of %zu sessions (%s)\n", train.samples.size(), train_cheat,
              train.sessions, train_file.string().c_str());
  std::printf("held-out: %zu windows (%td cheat) of %zu sessions (%s)\n", held.samples.size(), held_cheat,
              held.sessions, heldout_file.string().c_str());

  // (a) The logistic model, exactly as `rustguard-replay train` makes it.
  replay::TrainParams lp;
  const replay::TrainResult lr = replay::train_model(train.samples, lp, "captures/model/train.yml");
  const replay::SessionFolds folds = replay::session_folds(train.samples, lp.seed, lp.folds);
  {
    // The exported folds must be train_model's own: the same threshold bit for bit.
    const replay::OutOfFoldScores oof = replay::out_of_fold_scores(
        train.samples, folds, [&](const std::vector<const Sample*>& fit_on, const std::vector<const Sample*>& test) {
          const checks::model::CombatModel m = replay::detail::fit(fit_on, lp);
          std::vector<double> s;
          for (const Sample* t : test) s.push_back(m.score(t->x).probability);
          return s;
        });
    if (replay::detail::threshold_for_fpr(oof.honest, lp.target_fpr) != lr.model.threshold) {
      throw std::runtime_error("session_folds/out_of_fold_scores do not reproduce train_model's threshold");
    }
  }
  std::printf("\n(a) logistic regression: %s\n", lr.model.trained.c_str());
  const std::filesystem::path shipped_path =
      std::filesystem::path(RUSTGUARD_SOURCE_DIR) / "captures/model/combat-model.yml";
  try {
    // The version is whoever trained it counting up (train's --model-version);
    // everything else must be the same bits.
    const checks::model::CombatModel shipped = adapters::read_combat_model(shipped_path.string());
    checks::model::CombatModel ours = lr.model;
    ours.version = shipped.version;
    std::printf("    the same model as the shipped captures/model/combat-model.yml (v%u): %s\n", shipped.version,
                shipped == ours ? "yes" : "NO");
  } catch (const std::exception& e) {
    std::printf("    the shipped model file does not load in this build: %s\n", e.what());
  }

  // (b) Trees: each grid member through the same session folds.
  std::printf(
      "\n(b) gradient-boosted trees, XGBoost %s; fixed: %s\n",
      [] {
        int major = 0, minor = 0, patch = 0;
        XGBoostVersion(&major, &minor, &patch);
        return fmt::format("{}.{}.{}", major, minor, patch);
      }()
          .c_str(),
      kFixedParams);
  std::printf("grid, out of fold on the training set (%u session folds, seed %llu), threshold for FPR <= %g:\n",
              folds.folds, static_cast<unsigned long long>(lp.seed), kTargetFpr);
  std::printf("  %9s %5s %6s   %9s %7s %7s %7s %7s\n", "max_depth", "eta", "rounds", "threshold", "recall", "fpr",
              "ROC AUC", "AP");
  std::vector<GridRow> grid;
  for (int depth : {2, 3, 4}) {
    for (double eta : {0.1, 0.3}) {
      for (int rounds : {50, 200}) {
        GridRow row;
        row.p = {depth, eta, rounds};
        const replay::OutOfFoldScores oof = replay::out_of_fold_scores(
            train.samples, folds,
            [&](const std::vector<const Sample*>& fit_on, const std::vector<const Sample*>& test) {
              return Trees(fit_on, row.p).predict(test);
            });
        row.threshold = replay::detail::threshold_for_fpr(oof.honest, kTargetFpr);
        row.recall = share_at_or_above(oof.cheat, row.threshold);
        row.fpr = share_at_or_above(oof.honest, row.threshold);
        const Measured m = measure(oof.score, train.samples, row.threshold);
        row.roc_auc = m.roc_auc;
        row.average_precision = m.average_precision;
        grid.push_back(row);
        std::printf("  %9d %5g %6d   %9.4f %7.3f %7.4f %7.4f %7.4f\n", depth, eta, rounds, row.threshold, row.recall,
                    row.fpr, row.roc_auc, row.average_precision);
      }
    }
  }
  // The member with the best out-of-fold recall at the operating point;
  // ties go to the better average precision, then to the earlier (smaller)
  // member.
  const GridRow* best = &grid.front();
  for (const GridRow& g : grid) {
    if (g.recall > best->recall || (g.recall == best->recall && g.average_precision > best->average_precision))
      best = &g;
  }
  std::printf("chosen: max_depth %d, eta %g, rounds %d (out-of-fold recall %.3f at fpr %.4f, threshold %.4f)\n",
              best->p.max_depth, best->p.eta, best->p.rounds, best->recall, best->fpr, best->threshold);
  const std::vector<const Sample*> train_rows = pointers(train.samples);
  const std::vector<const Sample*> held_rows = pointers(held.samples);
  const Trees trees(train_rows, best->p);

  // Held-out: scored only.
  std::vector<double> logistic_scores;
  for (const Sample& s : held.samples) logistic_scores.push_back(lr.model.score(s.x).probability);
  const std::vector<double> tree_scores = trees.predict(held_rows);
  const Measured lm = measure(logistic_scores, held.samples, lr.model.threshold);
  const Measured tm = measure(tree_scores, held.samples, best->threshold);
  const replay::Evaluation ev = replay::evaluate_model(lr.model, held.samples, kTargetFpr);
  if (ev.roc_auc != lm.roc_auc || ev.average_precision != lm.average_precision) {
    throw std::runtime_error("the curve areas differ from rustguard-replay evaluate's");
  }
  const auto honest_of = [&](const std::vector<double>& scores) {
    std::vector<double> h;
    for (std::size_t i = 0; i < scores.size(); ++i) {
      if (!held.samples[i].cheat) h.push_back(scores[i]);
    }
    return h;
  };
  std::vector<bool> held_cheat_flags;
  for (const Sample& s : held.samples) held_cheat_flags.push_back(s.cheat);
  const replay::Confusion l_oracle = replay::confusion_at(
      logistic_scores, held_cheat_flags, replay::detail::threshold_for_fpr(honest_of(logistic_scores), kTargetFpr));
  const replay::Confusion t_oracle = replay::confusion_at(
      tree_scores, held_cheat_flags, replay::detail::threshold_for_fpr(honest_of(tree_scores), kTargetFpr));

  std::printf("\nheld-out (%zu windows, %td cheat), thresholds chosen on the training set:\n", held.samples.size(),
              held_cheat);
  std::printf("  %-44s %14s %14s\n", "", "logistic", "trees");
  const auto row = [](const char* what, const std::string& a, const std::string& b) {
    std::printf("  %-44s %14s %14s\n", what, a.c_str(), b.c_str());
  };
  const auto f4 = [](double v) { return fmt::format("{:.4f}", v); };
  const auto f3 = [](double v) { return fmt::format("{:.3f}", v); };
  row("ROC AUC", f4(lm.roc_auc), f4(tm.roc_auc));
  row("average precision", f4(lm.average_precision), f4(tm.average_precision));
  row("threshold (train, out of fold, FPR <= 1 %)", f4(lr.model.threshold), f4(best->threshold));
  row("  out-of-fold recall / fpr on train", f3(lr.out_of_fold_recall) + " / " + f3(lr.out_of_fold_fpr),
      f3(best->recall) + " / " + f3(best->fpr));
  row("recall at it", f3(lm.at_threshold.recall()), f3(tm.at_threshold.recall()));
  row("  cheat windows flagged", fmt::format("{}/{}", lm.at_threshold.tp, lm.at_threshold.tp + lm.at_threshold.fn),
      fmt::format("{}/{}", tm.at_threshold.tp, tm.at_threshold.tp + tm.at_threshold.fn));
  row("false-positive rate at it", f4(lm.at_threshold.fpr()), f4(tm.at_threshold.fpr()));
  row("  honest windows flagged", fmt::format("{}/{}", lm.at_threshold.fp, lm.at_threshold.fp + lm.at_threshold.tn),
      fmt::format("{}/{}", tm.at_threshold.fp, tm.at_threshold.fp + tm.at_threshold.tn));
  row("precision at it", f3(lm.at_threshold.precision()), f3(tm.at_threshold.precision()));
  row("recall at FPR <= 1 % chosen on held-out", f3(l_oracle.recall()), f3(t_oracle.recall()));
  row("score fingerprint (FNV-1a of the bits)", fmt::format("{:016x}", fingerprint(logistic_scores)),
      fmt::format("{:016x}", fingerprint(tree_scores)));
  print_kinds(lm, tm);

  // Size: what a deployment would ship.
  bst_ulong json_len = 0, ubj_len = 0, dump_len = 0;
  const char* buf = nullptr;
  xgb(XGBoosterSaveModelToBuffer(trees.h, R"({"format": "json"})", &json_len, &buf), "XGBoosterSaveModelToBuffer");
  const std::string model_json(buf, json_len);
  xgb(XGBoosterSaveModelToBuffer(trees.h, R"({"format": "ubj"})", &ubj_len, &buf), "XGBoosterSaveModelToBuffer");
  const char** dump = nullptr;
  xgb(XGBoosterDumpModelEx(trees.h, "", 0, "text", &dump_len, &dump), "XGBoosterDumpModelEx");
  std::size_t nodes = 0, leaves = 0;
  for (bst_ulong t = 0; t < dump_len; ++t) {
    for (const char* c = dump[t]; *c != '\0'; ++c) {
      if (*c == '\n') ++nodes;
    }
    for (const char* c = std::strstr(dump[t], "leaf="); c != nullptr; c = std::strstr(c + 1, "leaf=")) ++leaves;
  }
  std::printf("\nmodel size:\n");
  std::printf("  logistic: %zu numbers (bias, and mean, scale, weight per feature); model file %zu bytes\n", 1 + 3 * kN,
              adapters::format_combat_model(lr.model).size());
  std::printf("  trees:    %llu trees, %zu nodes (%zu leaves); XGBoost JSON %llu bytes, UBJSON %llu bytes\n",
              static_cast<unsigned long long>(dump_len), nodes, leaves, static_cast<unsigned long long>(json_len),
              static_cast<unsigned long long>(ubj_len));

  // Cost per window (the only figures that vary from run to run).
  if (reps == 0) return 0;
  const std::size_t n = held.samples.size();
  double sink = 0;
  const double logistic_ns =
      ns_per_call(reps * n, [&](std::size_t i) { sink += lr.model.score(held.samples[i % n].x).probability; });
  // The library's in-place prediction, one window per call, as an adapter
  // scoring a verdict would run it: the features copied into a float row the
  // array interface describes once.
  std::array<float, kN> row_buffer{};
  const std::string array_interface =
      fmt::format(R"({{"data": [{}, true], "shape": [1, {}], "typestr": "<f4", "version": 3}})",
                  reinterpret_cast<std::uintptr_t>(row_buffer.data()), kN);
  const char* predict_config = R"({"type": 0, "training": false, "iteration_begin": 0, "iteration_end": 0, )"
                               R"("strict_shape": false, "cache_id": 0, "missing": NaN})";
  std::vector<double> inplace_scores(n);
  const std::size_t tree_reps = std::max<std::size_t>(1, reps / 20);
  const double inplace_ns = ns_per_call(tree_reps * n, [&](std::size_t i) {
    const Sample& s = held.samples[i % n];
    for (std::size_t k = 0; k < kN; ++k) row_buffer[k] = static_cast<float>(s.x[k]);
    const bst_ulong* shape = nullptr;
    bst_ulong dim = 0;
    const float* out = nullptr;
    xgb(XGBoosterPredictFromDense(trees.h, array_interface.c_str(), predict_config, nullptr, &shape, &dim, &out),
        "XGBoosterPredictFromDense");
    inplace_scores[i % n] = out[0];
    sink += out[0];
  });
  if (inplace_scores != tree_scores) throw std::runtime_error("in-place prediction differs from XGBoosterPredict");
  const Matrix held_matrix(held_rows, false);
  const double batch_ns =
      ns_per_call(std::max<std::size_t>(1, tree_reps),
                  [&](std::size_t) {
                    bst_ulong len = 0;
                    const float* out = nullptr;
                    xgb(XGBoosterPredict(trees.h, held_matrix.h, 0, 0, 0, &len, &out), "XGBoosterPredict");
                    sink += out[0];
                  }) /
      static_cast<double>(n);
  const FlatTrees flat(model_json);
  double walker_max_diff = 0;
  for (std::size_t i = 0; i < n; ++i) {
    walker_max_diff = std::max(walker_max_diff, std::abs(flat.score(held.samples[i].x) - tree_scores[i]));
  }
  const double walker_ns = ns_per_call(reps * n / 4, [&](std::size_t i) { sink += flat.score(held.samples[i % n].x); });
  std::printf("\nscoring cost per window (best of 5 runs; %zu scores logistic, %zu trees):\n", reps * n, tree_reps * n);
  std::printf("  logistic, CombatModel::score (the core's evaluator):        %8.1f ns\n", logistic_ns);
  std::printf("  trees, XGBoosterPredictFromDense, one window a call:         %8.1f ns\n", inplace_ns);
  std::printf("  trees, XGBoosterPredict over all %zu held-out windows, each: %8.1f ns\n", n, batch_ns);
  std::printf(
      "  trees, a flat array walked in plain C++ (%zu nodes):         %8.1f ns  (largest difference from the\n"
      "        library's scores on held-out: %.2g)\n",
      flat.nodes.size(), walker_ns, walker_max_diff);
  g_sink = sink;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::filesystem::path root(RUSTGUARD_SOURCE_DIR);
  std::filesystem::path train_file = root / "captures/model/train.yml";
  std::filesystem::path heldout_file = root / "captures/model/heldout.yml";
  std::size_t reps = 2000;
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--reps" && i + 1 < argc) {
      reps = static_cast<std::size_t>(std::stoull(argv[++i]));
    } else if (a == "-h" || a == "--help") {
      std::printf("usage: rustguard-model-compare [TRAIN_LABELS HELDOUT_LABELS] [--reps N]  (--reps 0: no timings)\n");
      return 0;
    } else {
      positional.push_back(a);
    }
  }
  if (positional.size() == 2) {
    train_file = positional[0];
    heldout_file = positional[1];
  } else if (!positional.empty()) {
    std::fprintf(stderr, "usage: rustguard-model-compare [TRAIN_LABELS HELDOUT_LABELS] [--reps N]\n");
    return 2;
  }
  try {
    return run(train_file, heldout_file, reps);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rustguard-model-compare: %s\n", e.what());
    return 1;
  }
}
