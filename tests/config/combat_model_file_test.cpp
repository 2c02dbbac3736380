#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "rustguard/adapters/combat_model_file.hpp"
#include "rustguard/adapters/config_loader.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace combat_model_file_test {

using rustguard::adapters::format_combat_model;
using rustguard::adapters::ModelFileError;
using rustguard::adapters::parse_combat_model;
using rustguard::checks::model::CombatModel;
using rustguard::checks::model::CombatCheck;
using rustguard::checks::model::kCombatFeatureCount;

namespace {

CombatModel sample_model() {
  CombatModel m;
  m.name = "m-test_1";
  m.version = 7;
  m.threshold = 0.8123456789012345;
  m.window_s = 8;
  m.min_attacks = 12;
  m.trained = "seed 3, \"quoted\": yes";
  m.bias = -1.0 / 3.0;
  for (std::size_t i = 0; i < kCombatFeatureCount; ++i) {
    m.mean[i] = 0.1 * static_cast<double>(i) + 1e-17;
    m.scale[i] = 1.0 + 1.0 / static_cast<double>(i + 3);
    m.weight[i] = (i % 2 == 0 ? 1 : -1) * 0.7 / static_cast<double>(i + 1);
  }
  return m;
}

std::string error_of(const std::string& text) {
  try {
    (void)parse_combat_model(text, "m.yml");
  } catch (const ModelFileError& e) {
    return e.what();
  }
  return "(accepted)";
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
  const auto at = s.find(from);
  REQUIRE(at != std::string::npos);
  return s.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("combat model file: written and read back bit for bit", "[config][model]") {
  const CombatModel m = sample_model();
  const CombatModel back = parse_combat_model(format_combat_model(m), "m.yml");
  CHECK(back == m);
}

TEST_CASE("combat model file: mistakes name the file, line and column", "[config][model]") {
  const std::string good = format_combat_model(sample_model());
  CHECK(error_of(replace(good, "rustguard-combat-model/1", "rustguard-combat-model/9")).find(
            "m.yml:2:9: format 'rustguard-combat-model/9' is not rustguard-combat-model/1") == 0);
  CHECK(error_of(replace(good, "name: cps,", "name: clicks,")).find("m.yml:11:") == 0);
  CHECK(error_of(replace(good, "name: cps,", "name: clicks,")).find("trained on other features") != std::string::npos);
  CHECK(error_of(replace(good, "threshold: 0.81", "threshold: 1.81")).find("m.yml:5:12: threshold: between 0 and 1") == 0);
  CHECK(error_of(replace(good, "bias: ", "bias: x")).find("m.yml:9:7: bias: expected a number") == 0);
  CHECK(error_of("format: [").find("m.yml:1:") == 0);
  CHECK(error_of("- 1\n") == "m.yml: expected a mapping (a model file from rustguard-replay train)");
  // One feature fewer than this build has: trained on other features.
  std::string short_file = good.substr(0, good.rfind("  - {name:"));
  CHECK(error_of(short_file).find("expected " + std::to_string(kCombatFeatureCount) + " entries") != std::string::npos);
  CHECK(error_of(replace(good, "scale: ", "scale: -")).find("scale: must be above 0") != std::string::npos);
}

TEST_CASE("config: a model file that cannot be read leaves the stage off, not the proxy", "[config][model]") {
  const auto dir = std::filesystem::temp_directory_path() / "rustguard-model-config-test";
  std::filesystem::create_directories(dir);
  const std::string good = (dir / "good.yml").string();
  const std::string bad = (dir / "bad.yml").string();
  std::ofstream(good) << format_combat_model(sample_model());
  std::ofstream(bad) << "format: rustguard-combat-model/1\nname: x\n";

  const auto loaded = rustguard::adapters::parse_config("", "c.yml", {{"checks.model.combat.model_file", good}});
  CHECK(loaded.model_error.empty());
  REQUIRE(loaded.checks.get<CombatCheck>().params.model != nullptr);
  CHECK(*loaded.checks.get<CombatCheck>().params.model == sample_model());

  const auto broken = rustguard::adapters::parse_config("", "c.yml", {{"checks.model.combat.model_file", bad}});
  CHECK(broken.checks.get<CombatCheck>().params.model == nullptr);
  CHECK(broken.model_error.find("model stage off: " + bad + ":") == 0);
  CHECK(broken.model_error.find("missing key 'version'") != std::string::npos);

  const auto missing = rustguard::adapters::parse_config("", "c.yml", {{"checks.model.combat.model_file", (dir / "none.yml").string()}});
  CHECK(missing.checks.get<CombatCheck>().params.model == nullptr);
  CHECK(missing.model_error.find("cannot open the model file") != std::string::npos);

  const auto none = rustguard::adapters::parse_config("", "c.yml");
  CHECK(none.checks.get<CombatCheck>().params.model == nullptr);
  CHECK(none.model_error.empty());
  std::filesystem::remove_all(dir);
}

}  // namespace combat_model_file_test
