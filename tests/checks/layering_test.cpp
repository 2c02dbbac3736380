// The layers point one way: context/ and actions/ below checks/api/ below the
// checks below engine/. Read from the headers' own #include lines, so a check that reaches
// into the engine fails here rather than in a review.

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "../support/include_lines.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace layering_test {

namespace {

namespace fs = std::filesystem;

const fs::path kInclude = fs::path(RUSTGUARD_SOURCE_DIR) / "include";

using rustguard::test::quoted_includes;

bool starts_with_any(const std::string& s, const std::vector<std::string>& prefixes) {
  for (const auto& p : prefixes) {
    if (s.rfind(p, 0) == 0) return true;
  }
  return false;
}

// Every header under include/rustguard/<dir> (recursively) with what it may include.
void require_layer(const std::string& dir, const std::vector<std::string>& allowed_for_all,
                   bool own_folder_allowed) {
  std::size_t headers = 0;
  for (const auto& entry : fs::recursive_directory_iterator(kInclude / "rustguard" / dir)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".hpp") continue;
    ++headers;
    std::vector<std::string> allowed = allowed_for_all;
    if (own_folder_allowed) {
      allowed.push_back(fs::relative(entry.path().parent_path(), kInclude).generic_string() + "/");
    }
    for (const auto& inc : quoted_includes(entry.path())) {
      INFO(fs::relative(entry.path(), kInclude).generic_string() << " includes " << inc);
      CHECK(starts_with_any(inc, allowed));
    }
  }
  CHECK(headers > 0);
}

}  // namespace

TEST_CASE("layering: context/ includes only context/, protocol/ and time", "[layering]") {
  require_layer("context", {"rustguard/context/", "rustguard/protocol/", "rustguard/time.hpp"}, false);
}

// The punishment ladders are plain data and arithmetic on flags: below the
// checks' API, which runs them on every flag.
TEST_CASE("layering: actions/ includes only itself and time", "[layering]") {
  require_layer("actions", {"rustguard/actions/", "rustguard/time.hpp"}, false);
}

TEST_CASE("layering: checks/api/ includes only itself, actions/, context/, protocol/, time and Violation",
          "[layering]") {
  require_layer("checks/api",
                {"rustguard/checks/api/", "rustguard/actions/", "rustguard/context/", "rustguard/protocol/",
                 "rustguard/time.hpp", "rustguard/violation.hpp"},
                false);
}

TEST_CASE("layering: a check includes only checks/api/, its group's helpers, context/ and protocol/", "[layering]") {
  std::size_t groups = 0;
  for (const auto& entry : fs::directory_iterator(kInclude / "rustguard/checks")) {
    if (!entry.is_directory() || entry.path().filename() == "api") continue;
    ++groups;
    if (entry.path().filename() == "model") continue;  // below
    require_layer("checks/" + entry.path().filename().string(),
                  {"rustguard/checks/api/", "rustguard/context/", "rustguard/protocol/", "rustguard/time.hpp"}, true);
  }
  CHECK(groups >= 3);
  // The model stage's features are the other checks' statistics (issue 15):
  // it may include their groups' helpers, never a check.
  require_layer("checks/model",
                {"rustguard/checks/api/", "rustguard/context/", "rustguard/protocol/", "rustguard/time.hpp",
                 "rustguard/checks/autoclicker/clicks.hpp", "rustguard/checks/autoclicker/interval_stats.hpp",
                 "rustguard/checks/combat/attack_geometry.hpp"},
                true);
  // The registration list includes the checks and the list type, never the engine.
  for (const auto& inc : quoted_includes(kInclude / "rustguard/checks/all_checks.hpp")) {
    INFO("checks/all_checks.hpp includes " << inc);
    CHECK(inc.rfind("rustguard/checks/", 0) == 0);
  }
}

}  // namespace layering_test
