// config.yml for a violation log on PostgreSQL: `database:` as a URL, the
// instance id (0..1023, errors naming file:line:col) and where the spill file
// goes; and the log options both tools build from it. No server needed.

#include <catch2/catch.hpp>
#include <fstream>
#include <string>

#include "../storage/storage_test_support.hpp"
#include "rustguard/adapters/config_loader.hpp"
#include "rustguard/adapters/violation_log.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace postgres_config_test {

using namespace rustguard;
using namespace rustguard::adapters;
using rustguard::storage_test::TempDir;

namespace {

// Writes `yaml` to `path` and loads it, as the tools do.
Config load(const std::string& path, const std::string& yaml) {
  {
    std::ofstream out(path);
    out << yaml;
  }
  return load_config(path);
}

}  // namespace

TEST_CASE("config: a postgresql:// database, its instance id and its spill file next to the config") {
  TempDir dir;
  const std::string path = dir.file("config.yml");
  const Config c = load(path, "database: postgresql://guard@db.example/rg\nviolation_log:\n  instance_id: 12\n");
  CHECK(is_database_url(c.database));
  CHECK(c.violation_log.instance_id == 12);
  const ViolationLogOptions o = violation_log_options(c);
  CHECK(o.ids.instance == 12);
  CHECK(o.spill_path == dir.file("rustguard-violations.spill"));
  CHECK(o.ids.counter_begin() == std::uint64_t{12} << 40);
  CHECK(o.ids.owns((std::uint64_t{12} << 40) + 1));
  CHECK_FALSE(o.ids.owns((std::uint64_t{13} << 40) + 1));

  CHECK(is_database_url("postgres://guard@db.example/rg"));
  CHECK_FALSE(is_database_url("rustguard.db"));
  CHECK_FALSE(is_database_url("/var/lib/postgresql.db"));
}

TEST_CASE("config: violation_log.spill_path is the config folder's when relative, and applies to SQLite too") {
  TempDir dir;
  const std::string path = dir.file("config.yml");
  Config c = load(path, "database: postgres://guard@db/rg\nviolation_log:\n  spill_path: spill/rg.spill\n");
  CHECK(violation_log_options(c).spill_path == dir.file("spill/rg.spill"));
  c = load(path, "database: rg.db\nviolation_log:\n  spill_path: /var/tmp/rg.spill\n");
  CHECK(violation_log_options(c).spill_path == "/var/tmp/rg.spill");
  // A SQLite file without spill_path: as before, <database>.spill, derived
  // by the log itself.
  c = load(path, "database: rg.db\n");
  CHECK(violation_log_options(c).spill_path.empty());
  CHECK(violation_log_options(c).ids.instance == 0);
}

TEST_CASE("config: an instance id out of range names file, line and column") {
  TempDir dir;
  const std::string path = dir.file("config.yml");
  try {
    load(path, "database: postgresql://guard@db/rg\nviolation_log:\n  instance_id: 1024\n");
    FAIL("no error for instance_id 1024");
  } catch (const ConfigError& e) {
    CHECK(e.file() == path);
    CHECK(e.line() == 3);
    CHECK(e.column() == 16);
    CHECK(std::string{e.what()}.find("violation_log.instance_id") != std::string::npos);
  }
  try {
    load(path, "violation_log:\n  instance_id: -1\n");
    FAIL("no error for instance_id -1");
  } catch (const ConfigError& e) {
    CHECK(e.line() == 2);
    CHECK(std::string{e.what()}.find("violation_log.instance_id") != std::string::npos);
  }
}

TEST_CASE("config: a postgresql:// database without use_postgres() is refused at start, not spilled for ever") {
  TempDir dir;
  const Config c = load(dir.file("config.yml"), "database: postgresql://guard@db.example/rg\n");
  std::string error;
  CHECK_FALSE(ViolationLog::start(violation_log_options(c), error));
  CHECK(error.find("PostgreSQL violation log") != std::string::npos);
}

}  // namespace postgres_config_test
