#include <catch2/catch.hpp>

#include <fstream>
#include <string>

#include "../support/temp_dir.hpp"
#include "rustguard/adapters/config_loader.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace velocity_config_test {

using rustguard::Config;
using rustguard::adapters::ConfigError;
using rustguard::adapters::load_config;
using rustguard::adapters::parse_config;
using rustguard::test::TempDir;

namespace {
void write(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}
std::string load_error(const std::filesystem::path& path) {
  try {
    (void)load_config(path.string());
  } catch (const ConfigError& e) {
    return e.what();
  }
  FAIL("config was accepted: " << path);
  return {};
}
}  // namespace

TEST_CASE("No velocity section: forwarding is read unverified", "[config][velocity]") {
  const Config c = parse_config("threads: 1\n", "test.yml");
  CHECK(c.velocity.forwarding_secret.empty());
}

TEST_CASE("The forwarding secret is read inline or from Velocity's file", "[config][velocity]") {
  const Config inline_secret = parse_config("velocity:\n  forwarding_secret: k7Qm2xZ9vLp0\n", "test.yml");
  CHECK(inline_secret.velocity.forwarding_secret == "k7Qm2xZ9vLp0");
  CHECK(inline_secret.velocity.forwarding_secret_file.empty());

  // Relative to the config file's folder; the line break Velocity's file
  // ends with is not part of the secret (nor a Windows one).
  TempDir dir("rustguard-velocity-config");
  write(dir.path / "forwarding.secret", "k7Qm2xZ9vLp0\r\n");
  write(dir.path / "config.yml", "velocity:\n  forwarding_secret_file: forwarding.secret\n");
  const Config from_file = load_config((dir.path / "config.yml").string());
  CHECK(from_file.velocity.forwarding_secret == "k7Qm2xZ9vLp0");
  CHECK(from_file.velocity.forwarding_secret_file == (dir.path / "forwarding.secret").string());
}

TEST_CASE("A bad forwarding secret is an error naming its key", "[config][velocity]") {
  TempDir dir("rustguard-velocity-config");
  const auto config = dir.path / "config.yml";

  write(config, "velocity:\n  forwarding_secret_file: missing.secret\n");
  CHECK(load_error(config) == config.string() + ":2:27: velocity.forwarding_secret_file: cannot read '" +
                                  (dir.path / "missing.secret").string() + "'");

  write(dir.path / "empty.secret", "\n");
  write(config, "velocity:\n  forwarding_secret_file: empty.secret\n");
  CHECK(load_error(config) == config.string() + ":2:27: velocity.forwarding_secret_file: '" +
                                  (dir.path / "empty.secret").string() + "' is empty");

  write(config, "velocity:\n  forwarding_secret: abc\n  forwarding_secret_file: empty.secret\n");
  CHECK(load_error(config) == config.string() +
                                  ":3:27: velocity.forwarding_secret_file: set forwarding_secret or "
                                  "forwarding_secret_file, not both");

  write(config, "velocity:\n  forwarding_secret: ''\n");
  CHECK(load_error(config) == config.string() + ":2:22: velocity.forwarding_secret: is empty");

  write(config, "velocity:\n  secret: abc\n");
  CHECK(load_error(config) == config.string() + ":2:3: velocity.secret: unknown key");
}

}  // namespace velocity_config_test
