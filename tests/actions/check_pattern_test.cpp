#include <catch2/catch.hpp>

#include <vector>

#include "rustguard/actions/check_pattern.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace check_pattern_test {

using rustguard::actions::CheckPattern;
using rustguard::actions::covers;
using rustguard::actions::wildcard_match;

TEST_CASE("wildcards match runs of any characters, dots included", "[actions][pattern]") {
  CHECK(wildcard_match("combat.reach", "combat.reach"));
  CHECK_FALSE(wildcard_match("combat.reach", "combat.reac"));
  CHECK_FALSE(wildcard_match("combat.reach", "combat.reachx"));
  CHECK(wildcard_match("combat.*", "combat.reach"));
  CHECK(wildcard_match("combat.*", "combat."));
  CHECK_FALSE(wildcard_match("combat.*", "killaura.post"));
  CHECK(wildcard_match("*", "anything.at_all"));
  CHECK(wildcard_match("*.post", "killaura.post"));
  CHECK(wildcard_match("aim.s*", "aim.sensitivity"));
  CHECK(wildcard_match("aim.s*", "aim.snap"));
  CHECK_FALSE(wildcard_match("aim.s*", "aim.duplicate"));
  CHECK(wildcard_match("m*t*.s*d", "movement.speed"));
  CHECK_FALSE(wildcard_match("m*t*.s*d", "movement.step"));
  // Backtracking: the first '*' must not swallow the 'a' the rest needs.
  CHECK(wildcard_match("*a*b", "xaxab"));
  CHECK_FALSE(wildcard_match("*a*b", "xaxa"));
}

TEST_CASE("a group covers a check an inclusion matches and no exclusion does", "[actions][pattern]") {
  const std::vector<CheckPattern> combat = {{"combat.*", false}, {"aim.*", false}, {"aim.duplicate", true}};
  CHECK(covers(combat, "combat.reach"));
  CHECK(covers(combat, "aim.snap"));
  CHECK_FALSE(covers(combat, "aim.duplicate"));  // excluded, whatever the order
  CHECK_FALSE(covers(combat, "movement.speed"));
  const std::vector<CheckPattern> only_exclusions = {{"aim.duplicate", true}};
  CHECK_FALSE(covers(only_exclusions, "aim.snap"));  // nothing included
  CHECK_FALSE(covers({}, "aim.snap"));
}

}  // namespace check_pattern_test
