// Check keys follow one pattern and match their files and classes: rule key
// `<group>.<name>`, header checks/<group>/<name>.hpp declaring `<Name>Check`
// in namespace checks::<group>, tests in tests/checks/<group>_<name>_test.cpp.

#include <catch2/catch.hpp>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "rustguard/checks/all_checks.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace naming_test {

namespace {

namespace fs = std::filesystem;

template <class... Checks>
std::vector<std::string_view> keys_of(rustguard::engine::CheckList<Checks...>) {
  return {Checks::kInfo.key...};
}

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// "invalid_position" and "InvalidPosition" alike: "invalidposition".
std::string folded(std::string_view s) {
  std::string out;
  for (const char c : s) {
    if (c != '_') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

}  // namespace

TEST_CASE("naming: every check's key, header, class and test file follow <group>.<name>", "[naming]") {
  const fs::path root(RUSTGUARD_SOURCE_DIR);
  const auto keys = keys_of(rustguard::checks::DefaultChecks{});
  REQUIRE(keys.size() == rustguard::checks::DefaultChecks::size);
  std::set<std::string_view> unique(keys.begin(), keys.end());
  CHECK(unique.size() == keys.size());
  for (const auto key : keys) {
    INFO("check key " << key);
    const auto dot = key.find('.');
    REQUIRE(dot != std::string_view::npos);
    const std::string group(key.substr(0, dot));
    const std::string name(key.substr(dot + 1));
    CHECK(std::regex_match(group, std::regex("[a-z]+")));
    CHECK(std::regex_match(name, std::regex("[a-z]+(_[a-z]+)*")));

    const fs::path header = root / "include/rustguard/checks" / group / (name + ".hpp");
    REQUIRE(fs::exists(header));
    const std::string text = read(header);
    CHECK(text.find("namespace rustguard::checks::" + group + " {") != std::string::npos);
    CHECK(text.find('"' + std::string(key) + '"') != std::string::npos);
    std::smatch m;
    REQUIRE(std::regex_search(text, m, std::regex("\\nclass (\\w+)Check \\{")));
    CHECK(folded(m[1].str()) == folded(name));

    CHECK(fs::exists(root / "tests/checks" / (group + "_" + name + "_test.cpp")));
  }
}

}  // namespace naming_test
