// Where the config lives decides what compiles what: the whole config.yml
// (adapters/config.hpp) holds the engine's settings, so the core's session,
// the SQLite writer and the proxy's sans-I/O rules must take only their own
// part and never reach the engine or the checks. Read from the headers' own
// #include lines, followed transitively.

#include <catch2/catch.hpp>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "../support/include_lines.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace config_layering_test {

namespace {

namespace fs = std::filesystem;

const fs::path kSource = fs::path(RUSTGUARD_SOURCE_DIR);
const fs::path kInclude = kSource / "include";

// The project headers `path` includes, as paths: "rustguard/..." from
// include/, anything else next to `path` (tools' own headers).
std::vector<fs::path> includes_of(const fs::path& path) {
  std::vector<fs::path> out;
  for (const std::string& inc : rustguard::test::quoted_includes(path)) {
    out.push_back(inc.rfind("rustguard/", 0) == 0 ? kInclude / inc : (path.parent_path() / inc).lexically_normal());
  }
  return out;
}

// Every project header `root` pulls in, itself included, relative to the source tree.
std::set<std::string> closure(const fs::path& root) {
  std::set<std::string> seen;
  std::vector<fs::path> todo{root};
  while (!todo.empty()) {
    const fs::path p = todo.back();
    todo.pop_back();
    if (!seen.insert(fs::relative(p, kSource).generic_string()).second) continue;
    REQUIRE(fs::exists(p));
    for (const auto& inc : includes_of(p)) todo.push_back(inc);
  }
  return seen;
}

void require_no_engine(const std::string& header) {
  const auto all = closure(kSource / header);
  CHECK(all.size() > 1);
  for (const auto& h : all) {
    INFO(header << " pulls in " << h);
    CHECK(h.rfind("include/rustguard/engine/", 0) != 0);
    CHECK(h.rfind("include/rustguard/checks/", 0) != 0);
    CHECK(h.rfind("include/rustguard/context/", 0) != 0);
    CHECK(h != "include/rustguard/adapters/config.hpp");
  }
}

}  // namespace

TEST_CASE("layering: the session and the SQLite writer compile no check", "[layering][config]") {
  require_no_engine("include/rustguard/session/connection_session.hpp");
  require_no_engine("include/rustguard/adapters/violation_log.hpp");
  require_no_engine("include/rustguard/adapters/session_recorder.hpp");
}

TEST_CASE("layering: the proxy's connection rules need only the proxy settings", "[layering][config]") {
  require_no_engine("tools/proxy/connection_policy.hpp");
  require_no_engine("tools/proxy/connection_log.hpp");
  require_no_engine("tools/proxy/backend_down_responder.hpp");
}

TEST_CASE("layering: the core includes no adapter", "[layering][config]") {
  for (const char* header : {"include/rustguard/session/player_session.hpp", "include/rustguard/rustguard.hpp"}) {
    for (const auto& h : closure(kSource / header)) {
      INFO(header << " pulls in " << h);
      CHECK(h.rfind("include/rustguard/adapters/", 0) != 0);
    }
  }
}

}  // namespace config_layering_test
