#pragma once
// Which checks a punishment group covers (PunishmentGroup::checks): keys
// matched against patterns with `*` wildcards, exclusions winning over
// inclusions. Used by the ladder on every flag and by the config loader to
// reject a pattern that matches no check.

#include <span>
#include <string_view>

#include "rustguard/actions/punishment_config.hpp"

namespace rustguard::actions {

// `*` matches any run of characters (dots included); everything else matches
// itself. Iterative with one backtrack point: linear in practice, never
// exponential, whatever the pattern.
constexpr bool wildcard_match(std::string_view pattern, std::string_view key) noexcept {
  std::size_t p = 0;
  std::size_t k = 0;
  std::size_t star = std::string_view::npos;
  std::size_t star_key = 0;
  while (k < key.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_key = k;
    } else if (p < pattern.size() && pattern[p] == key[k]) {
      ++p;
      ++k;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      k = ++star_key;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

// A check is covered when some including pattern matches it and no
// excluding one does.
constexpr bool covers(std::span<const CheckPattern> patterns, std::string_view key) noexcept {
  bool included = false;
  for (const CheckPattern& c : patterns) {
    if (!wildcard_match(c.pattern, key)) continue;
    if (c.exclude) return false;
    included = true;
  }
  return included;
}

}  // namespace rustguard::actions
