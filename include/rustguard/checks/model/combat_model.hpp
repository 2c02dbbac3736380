#pragma once
// A trained combat model (the model stage, checks/model/combat.hpp): what
// a model file holds once read, and how it scores one feature vector.
//
// The model is a logistic regression over standardised features:
//   z_i = (x_i - mean_i) / scale_i,   p = 1 / (1 + exp(-(bias + sum w_i z_i)))
// It was chosen over gradient-boosted trees because it measured well enough
// on the corpus (docs/model.md), needs no library to train or to score, and
// explains itself: w_i z_i is how much feature i pushed the verdict, which
// is what the violation's detail lists. Scoring is one pass over the vector
// (well under a microsecond) and deterministic: the same vector gives the
// same bits on every run.
//
// Reading and writing the file (YAML) is adapters/combat_model_file.hpp;
// training is the replay tool's (`rustguard-replay train`).

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include "rustguard/checks/model/combat_features.hpp"

namespace rustguard::checks::model {

struct CombatModel {
  // The file format this build reads (`format: rustguard-combat-model/1`).
  static constexpr std::uint32_t kFormat = 1;

  std::string name;               // shown in violations ("m3")
  std::uint32_t version = 0;      // the model's own version, counted up by whoever trains it
  std::array<double, kCombatFeatureCount> mean{};
  std::array<double, kCombatFeatureCount> scale{};  // > 0
  std::array<double, kCombatFeatureCount> weight{};
  double bias = 0;
  double threshold = 0.5;         // flag at or above (evaluate picks it for a false-positive rate)
  double window_s = 10;           // the window the features were computed over in training
  std::uint32_t min_attacks = 15; // and the fewest attacks a window had
  std::string trained;            // how: seed, parameters, corpus (free text, recorded by train)

  struct Score {
    double probability = 0;
    std::array<double, kCombatFeatureCount> contribution{};  // w_i z_i
  };

  Score score(const CombatFeatureVector& x) const noexcept {
    Score s;
    double logit = bias;
    for (std::size_t i = 0; i < kCombatFeatureCount; ++i) {
      const double z = (x[i] - mean[i]) / scale[i];
      s.contribution[i] = weight[i] * z;
      logit += s.contribution[i];
    }
    s.probability = sigmoid(logit);
    return s;
  }

  static double sigmoid(double logit) noexcept {
    // Both branches keep exp() from overflowing.
    if (logit >= 0) return 1.0 / (1.0 + std::exp(-logit));
    const double e = std::exp(logit);
    return e / (1.0 + e);
  }

  bool operator==(const CombatModel&) const = default;
};

// The `n` features that pushed a score up the most (largest contribution
// first), as indices.
template <std::size_t N>
std::array<std::size_t, N> top_contributions(const CombatModel::Score& s) noexcept {
  std::array<std::size_t, kCombatFeatureCount> order{};
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&s](std::size_t a, std::size_t b) { return s.contribution[a] > s.contribution[b]; });
  std::array<std::size_t, N> out{};
  std::copy_n(order.begin(), N, out.begin());
  return out;
}

}  // namespace rustguard::checks::model
